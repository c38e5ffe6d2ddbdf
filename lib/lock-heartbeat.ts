// The writer lock's heartbeat, in a worker thread of its own so that a long synchronous stretch of the
// main thread (a model fitted in this thread on a one-core machine) cannot starve it: the lease says
// "this process is running", not "its event loop is idle". One worker per process serves every lock
// it holds; it touches a lock file's modification time only while the file still holds our content.
import { readFileSync, utimesSync } from 'node:fs';
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

interface Hold { token: string; path: string; content: string; intervalMs: number }

/** Every lock this process holds, so a replacement worker (or the fallback timer) can take them over. */
const holds = new Map<string, Hold>();
const fallback = new Map<string, NodeJS.Timeout>();
let worker: Worker | null = null;
/** Workers that died; after a few the heartbeat runs on this thread instead. */
let failures = 0;

function beatHere(h: Hold): void {
  try {
    if (readFileSync(h.path, 'utf8') !== h.content) return;
    const now = new Date();
    utimesSync(h.path, now, now);
  } catch {
    // gone or unreadable for a moment: the owner's own checks decide
  }
}

function onThisThread(h: Hold): void {
  const timer = setInterval(() => beatHere(h), h.intervalMs);
  timer.unref();
  fallback.set(h.token, timer);
}

function heartbeatWorker(): Worker | null {
  if (worker) return worker;
  if (failures >= 3) return null;
  try {
    const w = new Worker(SOURCE, { eval: true, execArgv: [], stdout: false, stderr: false });
    w.unref(); // never keeps the process alive
    // A worker that dies hands its locks to a new one (or to this thread when none can start).
    const replace = () => {
      if (worker !== w) return;
      worker = null;
      failures++;
      for (const h of holds.values()) send(h);
    };
    w.on('error', replace);
    w.on('exit', replace);
    worker = w;
    return w;
  } catch {
    failures++;
    return null;
  }
}

function send(h: Hold): void {
  const w = heartbeatWorker();
  if (w) w.postMessage({ type: 'hold', ...h });
  else if (!fallback.has(h.token)) onThisThread(h);
}

/** Touches `path` every intervalMs while it holds exactly `content`, until stopHeartbeat(token). */
export function startHeartbeat(token: string, path: string, content: string, intervalMs: number): void {
  const h = { token, path, content, intervalMs };
  holds.set(token, h);
  send(h);
}

export function stopHeartbeat(token: string): void {
  holds.delete(token);
  clearInterval(fallback.get(token));
  fallback.delete(token);
  worker?.postMessage({ type: 'drop', token });
}

/** Tests only: ends the heartbeat thread as a crash would; resolves once it is gone. */
export async function killHeartbeatWorkerForTest(): Promise<void> {
  if (!worker) return;
  const w = worker;
  const gone = new Promise((r) => w.once('exit', r));
  await w.terminate();
  await gone;
}
