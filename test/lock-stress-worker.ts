// Child process for the lock stress test (lib/lock.test.ts): one writer that tries to take the
// data-dir lock again and again. While it holds the lock it marks itself "inside" with an exclusive
// create of a shared marker file, so a second holder at the same time is seen. Some holdings end
// like a crashed writer's: the lock is left behind naming a dead pid, or a live pid whose heartbeat
// stopped long ago. Prints its counts as one JSON line when done.
//   lock-stress-worker.ts <data dir> <worker id> <attempts> <dead pid> <stale kinds: dead,lease>
import { closeSync, openSync, readFileSync, renameSync, unlinkSync, utimesSync, writeFileSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { acquireLock, lockPath } from '../lib/lock.ts';
import { LockHeldError } from '../lib/errors.ts';

const [dataDir, id, attemptsArg, deadPidArg, kindsArg] = process.argv.slice(2);
const kinds = new Set(kindsArg.split(','));
const marker = join(dataDir, 'inside');
const path = lockPath(dataDir);
const stats = { id, ms: 0, acquired: 0, takeovers: 0, refused: 0, abandoned_dead: 0, abandoned_lease: 0, overlaps: [] as string[] };
const peek = () => {
  try {
    return readFileSync(marker, 'utf8');
  } catch {
    return '(a holder that has just left)';
  }
};
const pause = (maxMs: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Math.random() * maxMs);

/** Rewrites the lock we hold into the one a crashed writer leaves (we hold it, so nobody else writes it). */
function abandon(kind: 'dead' | 'lease', n: number): void {
  const pid = kind === 'dead' ? Number(deadPidArg) : process.ppid;
  const tmp = `${path}.stress-${id}`;
  writeFileSync(tmp, JSON.stringify({ pid, host: hostname(), command: `stress ${id} crashed (${kind})`, started_at: new Date().toISOString(), token: `crashed-${id}-${n}` }));
  if (kind === 'lease') {
    const longAgo = new Date(Date.now() - 10 * 60_000);
    utimesSync(tmp, longAgo, longAgo);
  }
  renameSync(tmp, path);
}

await new Promise<void>((resolve) => {
  process.stdout.write('ready\n');
  process.stdin.once('data', () => resolve());
});
const began = Date.now();
for (let n = 0; n < Number(attemptsArg); n++) {
  let lock: ReturnType<typeof acquireLock>;
  try {
    lock = acquireLock(dataDir, `stress ${id}`);
  } catch (err) {
    if (!(err instanceof LockHeldError)) throw err;
    stats.refused++;
    pause(1);
    continue;
  }
  stats.acquired++;
  if ((lock as { recovered?: unknown }).recovered) stats.takeovers++;
  const me = `${id}:${n}`;
  try {
    const fd = openSync(marker, 'wx');
    writeSync(fd, me);
    closeSync(fd);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    stats.overlaps.push(`${me} got the lock while ${peek()} held it`);
    lock.release();
    continue;
  }
  pause(0.5);
  const still = peek();
  if (still !== me) stats.overlaps.push(`${me} found ${still} inside`);
  else unlinkSync(marker);
  const r = Math.random();
  if (r < 0.15 && kinds.has('dead')) (abandon('dead', n), stats.abandoned_dead++);
  else if (r >= 0.15 && r < 0.3 && kinds.has('lease')) (abandon('lease', n), stats.abandoned_lease++);
  lock.release(); // leaves an abandoned lock in place: it no longer names this holding
}
stats.ms = Date.now() - began;
process.stdout.write(`${JSON.stringify(stats)}\n`);
process.exit(0);
