// The writer sessions open in this process (lib/session.ts registers them), so a Ctrl-C can stop
// them cleanly. Kept apart from session.ts so that the signal handling loads no database binding.

export interface OpenWriter {
  /**
   * Interrupt the running query and refuse further publishes; the work then fails and cleans up.
   * Absent for a bare lock holder (e.g. publish), which has nothing to interrupt.
   */
  interrupt?(reason: string): void;
  /** For an exit that cannot wait: remove staging, release the lock (synchronous). */
  abandon(): void;
}

const writers = new Set<OpenWriter>();

export function registerWriter(w: OpenWriter): () => void {
  writers.add(w);
  return () => void writers.delete(w);
}

/** Interrupts every open writer; returns how many there were. */
export function interruptWriters(reason: string): number {
  for (const w of writers) w.interrupt?.(reason);
  return interruptibleWriterCount();
}

export function abandonWriters(): void {
  for (const w of writers) {
    try {
      w.abandon();
    } catch {
      // abandon the others anyway
    }
  }
}

/** Open writers that can be interrupted (sessions); a bare lock only needs releasing. */
export function interruptibleWriterCount(): number {
  return [...writers].filter((w) => w.interrupt).length;
}
