// Worker-thread entry of circadian_profile.ts: the day bootstraps of one share of the listeners, posted
// back as the table's rows. circadian_profile is loaded compiled or from the sources (lib/worker-module.mjs).
import { parentPort, workerData } from 'node:worker_threads';
import { importWorkerModule } from '../../lib/worker-module.mjs';

const mod = await importWorkerModule(import.meta.url, 'circadian_profile');
parentPort.postMessage(mod.circadianShareRows(workerData));
