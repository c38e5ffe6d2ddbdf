// The writer lock's heartbeat, in a worker thread of its own so that a long synchronous stretch of the
// main thread (a model fitted in this thread on a one-core machine) cannot starve it: the lease says
// "this process is running", not "its event loop is idle". One worker per process serves every lock
// it holds; it touches a lock file's modification time only while the file still holds our content.
import { Worker } from 'node:worker_threads';

const SOURCE = `
const { parentPort } = require('node:worker_threads');
const { readFileSync, utimesSync } = require('node:fs');
const locks = new Map();
parentPort.on('message', (m) => {
  if (m.type === 'hold') {
    const beat = () => {
      try {
        if (readFileSync(m.path, 'utf8') !== m.content) return;
        const now = new Date();
        utimesSync(m.path, now, now);
      } catch {
        // gone or unreadable for a moment: the owner's own checks decide
      }
    };
    locks.set(m.token, setInterval(beat, m.intervalMs));
  } else if (m.type === 'drop') {
    clearInterval(locks.get(m.token));
    locks.delete(m.token);
  }
});
`;

let worker: Worker | null = null;

function heartbeatWorker(): Worker {
  if (!worker) {
    worker = new Worker(SOURCE, { eval: true, execArgv: [], stdout: false, stderr: false });
    worker.unref(); // never keeps the process alive
    worker.on('error', () => (worker = null));
    worker.on('exit', () => (worker = null));
  }
  return worker;
}

/** Touches `path` every intervalMs while it holds exactly `content`, until stopHeartbeat(token). */
export function startHeartbeat(token: string, path: string, content: string, intervalMs: number): void {
  heartbeatWorker().postMessage({ type: 'hold', token, path, content, intervalMs });
}

export function stopHeartbeat(token: string): void {
  worker?.postMessage({ type: 'drop', token });
}
