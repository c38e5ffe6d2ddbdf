// Worker-thread entry of parallel-fit.ts: fits one catalog model and posts its artifact back.
// catalog-models is loaded compiled or from the sources (lib/worker-module.mjs).
import { parentPort, workerData } from 'node:worker_threads';
import { importWorkerModule } from '../../lib/worker-module.mjs';

const mod = await importWorkerModule(import.meta.url, 'catalog-models');
const artifact = mod.fitArtifact(workerData, (step, total, what) => parentPort.postMessage({ type: 'step', step, total, what }));
parentPort.postMessage({ type: 'done', artifact });
