// Fits the listeners' samples (kmeans-model.ts' fitSample) on worker threads. The fits are pure
// functions of a sample and the settings, and numbers cross the thread boundary unchanged
// (structured clone), so a worker's model is the one this thread would compute (fit-samples.test.ts).
// The pool lets the cluster job fit one batch of listeners while DuckDB prepares the next one:
// the fits were most of the stage's time, single-threaded, with the engine idle meanwhile.
import { Worker } from 'node:worker_threads';
import os from 'node:os';
import { fitSample, type ClusterSettings, type SampleModel } from './kmeans-model.ts';

export interface FitPool {
  /** The models of the samples, in the order given (null where fitSample gives null). */
  fitAll(samples: number[][][], settings: ClusterSettings): Promise<(SampleModel | null)[]>;
  close(): Promise<void>;
}

/** Worker threads worth starting here: one per core when there are at least two, else none (fits in this thread). */
export function defaultFitThreads(): number {
  const cores = os.availableParallelism();
  return cores > 1 ? cores : 0;
}

/** Fits in this thread: the reference, and the pool of a single core. */
export const serialFits: FitPool = {
  fitAll: async (samples, settings) => samples.map((s) => fitSample(s, settings)),
  close: async () => {},
};

interface Pending { resolve(model: SampleModel | null): void; reject(err: unknown): void }

class WorkerFits implements FitPool {
  private readonly workers: { worker: Worker; pending: Map<number, Pending> }[] = [];
  private nextId = 0;

  constructor(threads: number) {
    for (let i = 0; i < threads; i++) {
      const worker = new Worker(new URL('./fit-sample-worker.mjs', import.meta.url));
      const pending = new Map<number, Pending>();
      const failAll = (err: unknown) => { for (const p of pending.values()) p.reject(err); pending.clear(); };
      worker.on('message', (m: { id: number; model: SampleModel | null }) => {
        pending.get(m.id)?.resolve(m.model);
        pending.delete(m.id);
      });
      worker.on('error', failAll);
      worker.on('exit', (code) => failAll(new Error(`cluster fit worker exited with code ${code}`)));
      this.workers.push({ worker, pending });
    }
  }

  fitAll(samples: number[][][], settings: ClusterSettings): Promise<(SampleModel | null)[]> {
    return Promise.all(samples.map((points) => new Promise<SampleModel | null>((resolve, reject) => {
      // the least busy worker: the samples are about the same size, so this spreads the work evenly
      const target = this.workers.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
      const id = this.nextId++;
      target.pending.set(id, { resolve, reject });
      target.worker.postMessage({ id, points, settings });
    })));
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map(({ worker }) => worker.terminate()));
  }
}

/** A pool of `threads` workers; 0 fits in this thread. */
export function fitPool(threads = defaultFitThreads()): FitPool {
  return threads > 0 ? new WorkerFits(threads) : serialFits;
}
