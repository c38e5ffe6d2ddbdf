import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { repoRoot, tempDir } from '../test/helpers.ts';
import { acquireLock, judgeLock, lockPath, readLockHolder, readLockSnapshot } from './lock.ts';
import { LockHeldError } from './errors.ts';
import { killHeartbeatWorkerForTest } from './lock-heartbeat.ts';

const WORKERS = 4;
const ATTEMPTS = Number(process.env.LAKEHOUSE_LOCK_STRESS_ATTEMPTS ?? 400);

function deadPid(): number {
  return Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);
}

interface WorkerStats { id: string; ms: number; acquired: number; takeovers: number; refused: number; abandoned_dead: number; abandoned_lease: number; overlaps: string[] }

/** Starts the writers, lets them all go at once, and collects their counts. */
async function stress(dir: string, kinds: string): Promise<WorkerStats[]> {
  const dead = deadPid();
  const children: ChildProcess[] = [];
  const ready: Promise<void>[] = [];
  const done: Promise<{ code: number | null; out: string; err: string }>[] = [];
  for (let w = 0; w < WORKERS; w++) {
    const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'test', 'lock-stress-worker.ts'), dir, `w${w}`, String(ATTEMPTS), String(dead), kinds],
      { cwd: repoRoot, stdio: ['pipe', 'pipe', 'pipe'] });
    children.push(child);
    let out = '';
    let err = '';
    ready.push(new Promise((resolve) => child.stdout!.on('data', (d: Buffer) => { out += d; if (out.startsWith('ready\n')) resolve(); })));
    child.stderr!.on('data', (d: Buffer) => (err += d));
    done.push(new Promise((resolve) => child.on('close', (code) => resolve({ code, out, err }))));
  }
  await Promise.all(ready);
  for (const c of children) c.stdin!.end('go\n');
  // Every writer has ended before anything is judged (and before the folder is removed).
  return (await Promise.all(done)).map(({ code, out, err }, w) => {
    assert.equal(code, 0, `writer w${w} failed: ${err.slice(-2000)}`);
    return JSON.parse(out.split('\n').filter(Boolean).pop()!) as WorkerStats;
  });
}

test(`${WORKERS} writers x ${ATTEMPTS} attempts over fresh, dead and expired locks never hold the lock together`, { timeout: 120_000 }, async () => {
  const { dir, cleanup } = tempDir('lakehouse-lock-');
  try {
    const started = Date.now();
    const stats = await stress(dir, 'dead,lease');
    const sum = (k: keyof WorkerStats) => stats.reduce((n, s) => n + (s[k] as number), 0);
    const overlaps = stats.flatMap((s) => s.overlaps);
    assert.deepEqual(overlaps, [], 'two holders at once');
    assert.equal(sum('acquired') + sum('refused'), WORKERS * ATTEMPTS);
    assert.ok(sum('acquired') >= WORKERS * ATTEMPTS * 0.1, `the writers got the lock often enough to test it (${sum('acquired')} times)`);
    assert.ok(sum('abandoned_dead') > 5 && sum('abandoned_lease') > 5, 'both kinds of stale lock were left behind');
    // Every abandoned lock but perhaps the last was taken over, each exactly once.
    const abandoned = sum('abandoned_dead') + sum('abandoned_lease');
    assert.ok(sum('takeovers') >= abandoned - 1 && sum('takeovers') <= abandoned, `${sum('takeovers')} takeovers of ${abandoned} abandoned locks`);
    const litter = readdirSync(dir).filter((f) => f !== '.lakehouse.lock');
    assert.deepEqual(litter, [], 'no temporary or claim files are left behind');
    console.log(`# lock stress: ${JSON.stringify({ worker_ms: stats.map((s) => s.ms), attempts: WORKERS * ATTEMPTS, acquired: sum('acquired'), refused: sum('refused'), takeovers: sum('takeovers'), seconds: (Date.now() - started) / 1000 })}`);
  } finally {
    cleanup();
  }
});

test('an expired lease is stale although its process is alive; a fresh lease from another host is respected', () => {
  const { dir, cleanup } = tempDir('lakehouse-lock-');
  try {
    // Alive: the parent of this test process, on this host (in a container: pid 1 of the next start).
    const alive = { pid: process.ppid, host: hostname(), command: 'run', started_at: '2026-01-01T00:00:00.000Z' };
    writeFileSync(lockPath(dir), JSON.stringify(alive));
    assert.throws(() => acquireLock(dir, 'build silver'), LockHeldError, 'a fresh heartbeat keeps the lock');
    const longAgo = new Date(Date.now() - 61_000);
    utimesSync(lockPath(dir), longAgo, longAgo);
    const taken = acquireLock(dir, 'build silver');
    assert.deepEqual(taken.recovered?.holder, alive);
    assert.match(taken.recovered?.reason ?? '', /no heartbeat for 6\d(\.\d)? s \(lease 60 s\)/);
    assert.equal(readLockHolder(dir)?.command, 'build silver');
    taken.release();

    // A lock file that is empty (being written by an older version) is held for a few seconds, not stale at once.
    writeFileSync(lockPath(dir), '');
    assert.throws(() => acquireLock(dir, 'run'), (e: Error) => e instanceof LockHeldError && /being written/.test(e.message));
    const tenSecondsAgo = new Date(Date.now() - 10_000);
    utimesSync(lockPath(dir), tenSecondsAgo, tenSecondsAgo);
    const afterEmpty = acquireLock(dir, 'run');
    assert.match(afterEmpty.recovered?.reason ?? '', /unreadable/);
    afterEmpty.release();

    // Another host (a one-shot container): its pid means nothing here, its heartbeat decides.
    const other = { pid: 1, host: 'one-shot-container-4f2a', command: 'ingest export', started_at: new Date().toISOString(), lease_ms: 30_000 };
    writeFileSync(lockPath(dir), JSON.stringify(other));
    assert.throws(() => acquireLock(dir, 'run'), (e: Error) => e instanceof LockHeldError && /pid 1 on one-shot-container-4f2a running "ingest export"/.test(e.message));
    const halfMinuteAgo = new Date(Date.now() - 31_000);
    utimesSync(lockPath(dir), halfMinuteAgo, halfMinuteAgo);
    const again = acquireLock(dir, 'run');
    assert.match(again.recovered?.reason ?? '', /lease 30 s/, "the holder's own lease counts");
    again.release();
  } finally {
    cleanup();
  }
});

test('private files left by a writer killed while creating the lock are removed by the next holder', () => {
  const { dir, cleanup } = tempDir('lakehouse-lock-');
  try {
    const old = join(dir, '.lakehouse.lock.4242.0a1b2c3d4e5f.new');
    const fresh = join(dir, '.lakehouse.lock.4243.0a1b2c3d4e60.new');
    writeFileSync(old, '{}');
    writeFileSync(fresh, '{}');
    const longAgo = new Date(Date.now() - 60_000);
    utimesSync(old, longAgo, longAgo);
    acquireLock(dir, 'run').release();
    assert.deepEqual(readdirSync(dir), ['.lakehouse.lock.4243.0a1b2c3d4e60.new'], 'only a file that may still be in use stays');
  } finally {
    cleanup();
  }
});

test('a lock naming this pid from before this process started is stale (a restarted container, Node as pid 1)', () => {
  const { dir, cleanup } = tempDir('lakehouse-lock-');
  try {
    const before = { pid: process.pid, host: hostname(), command: 'schedule (schedule run)', started_at: new Date(Date.now() - process.uptime() * 1000 - 60_000).toISOString() };
    writeFileSync(lockPath(dir), JSON.stringify(before));
    const lock = acquireLock(dir, 'schedule (startup run)');
    assert.match(lock.recovered?.reason ?? '', /earlier process/);
    assert.throws(() => acquireLock(dir, 'run'), LockHeldError, 'our own current holding is held');
    lock.release();
  } finally {
    cleanup();
  }
});

test('the heartbeat keeps a long-held lock fresh; a writer that lost its lock is told before it publishes', async () => {
  const { dir, cleanup } = tempDir('lakehouse-lock-');
  try {
    const lock = acquireLock(dir, 'run', { leaseMs: 300 });
    await new Promise((r) => setTimeout(r, 600));
    // A long synchronous stretch of this thread (a model fitted in the main thread) does not stop it.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 700);
    const snap = readLockSnapshot(lockPath(dir))!;
    assert.ok(Date.now() - snap.heartbeatMs < 300, `heartbeat ${Date.now() - snap.heartbeatMs} ms ago`);
    assert.equal(judgeLock(snap).stale, false);
    assert.throws(() => acquireLock(dir, 'build', { leaseMs: 300 }), LockHeldError, 'held after more than four leases');
    lock.assertHeld();

    // The heartbeat thread dies: a new one takes its locks over.
    await killHeartbeatWorkerForTest();
    await new Promise((r) => setTimeout(r, 700));
    assert.ok(Date.now() - readLockSnapshot(lockPath(dir))!.heartbeatMs < 300, 'still beating after the heartbeat thread died');

    // Its heartbeat stopped (e.g. a suspended machine) and another writer took over: no more commits.
    const other = { pid: process.ppid, host: hostname(), command: 'ingest export', started_at: new Date().toISOString(), token: 'other' };
    writeFileSync(lockPath(dir), JSON.stringify(other));
    assert.throws(() => lock.assertHeld(), (e: Error) => e instanceof LockHeldError && /lost the lock \(taken over by pid \d+ .* running "ingest export"/.test(e.message));
    lock.release();
    assert.deepEqual(readLockHolder(dir), other, "releasing a lost lock leaves the new holder's lock alone");
    assert.ok(statSync(lockPath(dir)).isFile());
  } finally {
    cleanup();
  }
});
