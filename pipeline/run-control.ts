// Stopping a run from outside: a soft stop (shutdown requested: no new stage starts, the current one
// may finish) and a hard abort (time limit passed or the shutdown grace period ran out: the current
// stage's DuckDB query is interrupted, its transaction aborted, nothing half-written is published).
import { LakehouseError } from '../lib/errors.ts';

/** 150 ms, 20 s, 15 min, 2 h: for messages. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 120_000) return `${Math.round(ms / 100) / 10} s`;
  if (ms < 7_200_000) return `${Math.round(ms / 6000) / 10} min`;
  return `${Math.round(ms / 360_000) / 10} h`;
}

export type StopKind = 'timeout' | 'shutdown';

/** The run was stopped before it finished; `kind` decides how it is recorded (failed or aborted). */
export class RunInterruptedError extends LakehouseError {
  constructor(readonly kind: StopKind, readonly stage: string, detail: string) {
    super(`${stage}: ${detail}`);
  }
}

export class RunControl {
  private stopReason: { kind: StopKind; detail: string } | null = null;
  private hard = false;
  private readonly listeners = new Set<() => void>();
  private readonly stopListeners = new Set<() => void>();

  /** No new stage starts; the current one may finish. */
  requestStop(kind: StopKind, detail: string): void {
    if (this.stopReason) return;
    this.stopReason = { kind, detail };
    for (const fn of [...this.stopListeners]) fn();
  }

  /** Stops now: the current stage is interrupted. */
  abort(kind: StopKind, detail: string): void {
    this.requestStop(kind, detail);
    if (this.hard) return;
    this.hard = true;
    for (const fn of [...this.listeners]) fn();
  }

  get stopping(): { kind: StopKind; detail: string } | null {
    return this.stopReason;
  }

  get aborted(): boolean {
    return this.hard;
  }

  /** Throws when the run must not start `stage`. */
  checkpoint(stage: string): void {
    if (this.stopReason) throw new RunInterruptedError(this.stopReason.kind, stage, `not started: ${this.stopReason.detail}`);
  }

  /** Calls fn on a hard abort (at once if already aborted); returns an unsubscribe function. */
  onAbort(fn: () => void): () => void {
    if (this.hard) fn();
    this.listeners.add(fn);
    return () => void this.listeners.delete(fn);
  }

  /** A sleep (backoff) that ends early, returning false, when a stop is requested. */
  sleep(ms: number): Promise<boolean> {
    if (this.stopReason) return Promise.resolve(false);
    return new Promise((resolve) => {
      const done = (slept: boolean) => {
        clearTimeout(timer);
        this.stopListeners.delete(early);
        resolve(slept);
      };
      const early = () => done(false);
      const timer = setTimeout(() => done(true), ms);
      this.stopListeners.add(early);
    });
  }
}
