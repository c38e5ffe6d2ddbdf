// Fits the catalog models that have no saved artifact, one worker thread each when the machine has
// the cores (the two forests are independent, so two cores halve the wall time of a cold run), in
// this thread otherwise. Progress: log lines and progress events (the CLI's terminal view shows them).
import { Worker } from 'node:worker_threads';
import os from 'node:os';
import type { Logger } from '../../lib/logger.ts';
import { emitProgress } from '../../lib/progress.ts';
import { saveArtifact, type ModelArtifact } from './artifacts.ts';
import { fitArtifact, fitted, type CatalogData, type FitRequest, type FittedCatalogModel, type ModelPlan, type StepListener } from './catalog-models.ts';
import type { CatalogSplit } from './catalog-split.ts';

type Message = { type: 'step'; step: number; total: number; what: string } | { type: 'done'; artifact: ModelArtifact };

function inWorker(request: FitRequest, onStep: StepListener): Promise<ModelArtifact> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./fit-worker.mjs', import.meta.url), { workerData: request });
    let result: ModelArtifact | null = null;
    worker.on('message', (m: Message) => {
      if (m.type === 'step') onStep(m.step, m.total, m.what);
      else result = m.artifact;
    });
    worker.on('error', reject);
    worker.on('exit', (code) => (result ? resolve(result) : reject(new Error(`model worker of ${request.spec.name} exited with code ${code} without a result`))));
  });
}

function stepReporter(log: Logger): { listener(name: string): StepListener; stop(): void } {
  // Steps go to the log and to the progress events, which the CLI's terminal view shows on a TTY.
  return {
    listener: (name) => (step, total, what) => {
      log.info({ model: name, step, total }, what);
      emitProgress({ kind: 'step', what: `training ${name}: ${what}`, done: step, total });
    },
    stop: () => {},
  };
}

export async function fitMissing(modelsDir: string, plans: ModelPlan[], data: CatalogData, split: CatalogSplit, log: Logger): Promise<FittedCatalogModel[]> {
  const missing = plans.filter((p) => !p.saved);
  const parallel = missing.length > 1 && os.availableParallelism() > 1;
  const progress = stepReporter(log);
  const fit = async (p: ModelPlan): Promise<ModelArtifact> => {
    const request: FitRequest = { spec: p.spec, data, split, key: p.key, inputs: p.inputs };
    if (!parallel) return fitArtifact(request, progress.listener(p.spec.name), log);
    try {
      return await inWorker(request, progress.listener(p.spec.name));
    } catch (err) {
      log.warn({ model: p.spec.name, err: String(err) }, 'model worker failed: fitting in the main thread');
      return fitArtifact(request, undefined, log);
    }
  };
  const started = Date.now();
  let artifacts: ModelArtifact[];
  try {
    artifacts = await Promise.all(missing.map(fit));
  } finally {
    progress.stop();
  }
  const out = new Map(plans.filter((p) => p.saved).map((p) => [p.spec.name, fitted(p, p.saved!, true)]));
  missing.forEach((p, i) => {
    const file = saveArtifact(modelsDir, artifacts[i]);
    log.info({ model: p.spec.name, key: p.key, train_rows: artifacts[i].trainRows, seconds: (Date.now() - started) / 1000, file, parallel }, 'trained, evaluated and saved');
    out.set(p.spec.name, fitted(p, artifacts[i], false));
  });
  for (const p of plans.filter((x) => x.saved)) log.info({ model: p.spec.name, key: p.key }, 'catalog unchanged: reusing the trained model');
  return plans.map((p) => out.get(p.spec.name)!);
}
