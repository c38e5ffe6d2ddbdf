// Worker-thread entry of parallel-fit.ts: fits one catalog model and posts its artifact back. From
// the compiled dist/ it imports catalog-models.js directly; from the sources it registers tsx first
// (worker threads do not inherit the main thread's TypeScript loader).
import { existsSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';

const compiled = new URL('./catalog-models.js', import.meta.url);
let mod;
if (existsSync(compiled)) {
  mod = await import(compiled.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  mod = await import('./catalog-models.ts');
}
const artifact = mod.fitArtifact(workerData, (step, total, what) => parentPort.postMessage({ type: 'step', step, total, what }));
parentPort.postMessage({ type: 'done', artifact });
