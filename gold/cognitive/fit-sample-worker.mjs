// Worker-thread entry of fit-samples.ts: fits the listeners' samples it is sent (kmeans-model.ts'
// fitSample) and posts each model back with the task's id. kmeans-model is loaded compiled or from
// the sources (lib/worker-module.mjs).
import { parentPort } from 'node:worker_threads';
import { importWorkerModule } from '../../lib/worker-module.mjs';

const mod = await importWorkerModule(import.meta.url, 'kmeans-model');
parentPort.on('message', ({ id, points, settings }) => {
  // Arrays arrive from structured clone with boxed elements: the fits ran about 1.5x slower on
  // them than on fresh arrays of the same doubles.
  parentPort.postMessage({ id, model: mod.fitSample(points.map((p) => Array.from(p, Number)), settings) });
});
