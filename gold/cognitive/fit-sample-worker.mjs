// Worker-thread entry of fit-samples.ts: fits the listeners' samples it is sent (kmeans-model.ts'
// fitSample) and posts each model back with the task's id. From the compiled dist/ it imports
// kmeans-model.js directly; from the sources it registers tsx first (worker threads do not inherit
// the main thread's TypeScript loader).
import { existsSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';

const compiled = new URL('./kmeans-model.js', import.meta.url);
let mod;
if (existsSync(compiled)) {
  mod = await import(compiled.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  mod = await import('./kmeans-model.ts');
}
parentPort.on('message', ({ id, points, settings }) => {
  // Arrays arrive from structured clone with boxed elements: the fits ran about 1.5x slower on
  // them than on fresh arrays of the same doubles.
  parentPort.postMessage({ id, model: mod.fitSample(points.map((p) => Array.from(p, Number)), settings) });
});
