// Worker-thread entry of parallel-fit.ts: registers tsx (worker threads do not inherit the main
// thread's TypeScript loader), then fits one catalog model and posts its artifact back.
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { fitArtifact } = await import('./catalog-models.ts');
const artifact = fitArtifact(workerData, (step, total, what) => parentPort.postMessage({ type: 'step', step, total, what }));
parentPort.postMessage({ type: 'done', artifact });
