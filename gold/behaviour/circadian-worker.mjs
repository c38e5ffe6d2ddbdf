// Worker-thread entry of circadian_profile.ts: the day bootstraps of one share of the listeners, posted
// back as the table's rows. From the compiled dist/ it imports circadian_profile.js directly; from the
// sources it registers tsx first (worker threads do not inherit the main thread's TypeScript loader).
import { existsSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';

const compiled = new URL('./circadian_profile.js', import.meta.url);
let mod;
if (existsSync(compiled)) {
  mod = await import(compiled.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  mod = await import('./circadian_profile.ts');
}
parentPort.postMessage(mod.circadianShareRows(workerData));
