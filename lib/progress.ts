// Progress events of long work (stages, tables written, steps of a job) for whoever shows them: the
// CLI's terminal view subscribes on a TTY; nothing listens otherwise, so emitting costs nothing.
// Library code only emits; it never prints.

export type ProgressEvent =
  /** The tables the build part of a run will write, in order (for "12 of 25" numbering). */
  | { kind: 'plan'; tables: string[] }
  | { kind: 'stage-start'; stage: string }
  | { kind: 'stage-end'; stage: string; ms: number; ok: boolean }
  /** A table version was written (staged; it is published with its stage's transaction). */
  | { kind: 'table'; table: string; rows: number; ms: number }
  /** A step inside a stage: e.g. a file imported, a model trained (done of total when known). */
  | { kind: 'step'; stage?: string; what: string; done?: number; total?: number };

type Listener = (e: ProgressEvent) => void;
const listeners = new Set<Listener>();

export function onProgress(fn: Listener): () => void {
  listeners.add(fn);
  return () => void listeners.delete(fn);
}

export function emitProgress(e: ProgressEvent): void {
  for (const fn of [...listeners]) {
    try {
      fn(e);
    } catch {
      // a display problem never fails the work it displays
    }
  }
}
