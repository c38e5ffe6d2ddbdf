// Ctrl-C (SIGINT) and SIGTERM while a verb runs. The first signal restores the terminal and stops the
// work cleanly: a verb that registered its own stop (run: the run is aborted and recorded as such)
// gets it, otherwise every open writer is interrupted, so its transaction aborts (staging removed)
// and its lock is released by the usual code paths; the process then exits with 130 (143 for
// SIGTERM). A second signal, or work that does not stop within FORCE_AFTER_MS, exits at once after
// removing this process's staging folders and releasing its lock. Verbs that handle signals
// themselves (schedule) call leaveSignalsToVerb().
import { abandonWriters, interruptWriters, interruptibleWriterCount } from '../lib/writer-registry.ts';
import { io } from './output.ts';

const FORCE_AFTER_MS = 30_000;
const SHOW_CURSOR = '\u001B[?25h';

let caught: NodeJS.Signals | null = null;
let verbStop: ((reason: string) => void) | null = null;
const restorers = new Set<() => void>();
let installed = false;

export const exitCodeFor = (signal: NodeJS.Signals): number => (signal === 'SIGTERM' ? 143 : 130);

/** The signal that interrupted this process's verb, if one did. */
export function interruptedBy(): NodeJS.Signals | null {
  return caught;
}

/** How the current verb stops on Ctrl-C (instead of interrupting its writers); returns an unregister function. */
export function onInterrupt(stop: (reason: string) => void): () => void {
  verbStop = stop;
  return () => {
    if (verbStop === stop) verbStop = null;
  };
}

/** Something that puts the terminal back (a spinner, a progress bar); runs before anything else on a signal. */
export function onRestoreTerminal(fn: () => void): () => void {
  restorers.add(fn);
  return () => void restorers.delete(fn);
}

/** Runs the restorers; after a signal also shows the cursor (whatever hid it). */
export function restoreTerminal(showCursor = false): void {
  for (const fn of [...restorers]) {
    try {
      fn();
    } catch {
      // keep restoring the rest
    }
  }
  if (showCursor && process.stderr.isTTY) process.stderr.write(SHOW_CURSOR);
}

function forceExit(signal: NodeJS.Signals, why: string): never {
  restoreTerminal(true);
  abandonWriters();
  io.err(`${why}: exiting now; unfinished work was discarded, the lock released\n`);
  process.exit(exitCodeFor(signal));
}

let leftToVerb = false;

/** For a verb that handles SIGINT/SIGTERM itself (schedule's graceful stop): this module stays out of it. */
export function leaveSignalsToVerb(): void {
  leftToVerb = true;
}

function handle(signal: NodeJS.Signals): void {
  if (leftToVerb) return;
  if (caught) forceExit(signal, `second ${signal}`);
  caught = signal;
  restoreTerminal(true);
  const reason = `interrupted by ${signal === 'SIGINT' ? 'Ctrl-C (SIGINT)' : signal}`;
  if (!verbStop && interruptibleWriterCount() === 0) {
    // Nothing to stop cleanly (a reader, or a bare lock holder such as publish): release and go.
    abandonWriters();
    io.err(`\n${reason}\n`);
    process.exit(exitCodeFor(signal));
  }
  io.err(`\n${reason}: stopping cleanly (press Ctrl-C again to stop at once)…\n`);
  if (verbStop) verbStop(reason);
  else interruptWriters(reason);
  setTimeout(() => forceExit(signal, `the command did not stop within ${FORCE_AFTER_MS / 1000} s`), FORCE_AFTER_MS).unref();
}

/** Installed once by the process entry (not by in-process test runs of main()). */
export function installSignalHandlers(): void {
  if (installed) return;
  installed = true;
  process.on('SIGINT', () => handle('SIGINT'));
  process.on('SIGTERM', () => handle('SIGTERM'));
  // Whatever drew on the terminal while the verb stopped (a last spinner frame), the cursor is shown
  // when an interrupted process ends.
  process.on('exit', () => {
    if (caught && process.stderr.isTTY) process.stderr.write(SHOW_CURSOR);
  });
}
