// The data-dir writer lock. One writer at a time (CLI runs and the scheduler alike); a second one
// gets an error naming the holder; a lock whose holder is gone or whose lease ran out is taken over.
//
// - Create: the holder is written to a private file first and then hard-linked to the lock path, so
//   the lock appears complete or not at all (link fails when it exists).
// - Lease: while held, a heartbeat (lock-heartbeat.ts, in a worker thread) touches the file's
//   modification time every lease / 6; a lock without a heartbeat for a whole lease is stale,
//   whatever its pid and host say.
// - Takeover: a contender that judged a lock stale first claims that very lock (exclusive create of
//   a claim file named after its inode and content), re-reads it, and only when it is unchanged
//   replaces it by renaming its own complete file over it. Two contenders never both win, and a lock
//   that changed in between (released, taken over, re-created) is looked at again.
import { randomBytes, createHash } from 'node:crypto';
import { linkSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { LockHeldError } from './errors.ts';
import { startHeartbeat, stopHeartbeat } from './lock-heartbeat.ts';
import { DEFAULT_LEASE_MS, heldTokens, judgeLock, lockPath, readLockSnapshot, type LockHolder, type LockSnapshot } from './lock-state.ts';
import { registerWriter } from './writer-registry.ts';

export { DEFAULT_LEASE_MS, LOCK_FILE, isProcessAlive, judgeLock, lockPath, readLockHolder, readLockSnapshot, type LockHolder } from './lock-state.ts';

/** A claim older than this belongs to a contender that died mid-takeover; the next claim number is free. */
const CLAIM_STALE_MS = 10_000;

export interface LockOptions {
  /** Lease (ms) this holder promises to renew; default DEFAULT_LEASE_MS (config: LAKEHOUSE_LOCK_LEASE). */
  leaseMs?: number;
}

export interface HeldLock {
  holder: LockHolder;
  /** The stale holding this acquisition took over, and why it was stale; null for a free lock. */
  recovered: { holder: LockHolder | null; reason: string } | null;
  /** Throws LockHeldError unless the lock file still names this holding (called before each commit). */
  assertHeld(): void;
  release(): void;
}

const live = new Set<HeldLock>();

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function writePrivate(path: string, content: string): string {
  const tmp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.new`;
  writeFileSync(tmp, content, { flag: 'wx', mode: 0o644 });
  return tmp;
}

/** Creates the lock when there is none; false when there is one. */
function tryCreate(path: string, content: string): boolean {
  const tmp = writePrivate(path, content);
  try {
    linkSync(tmp, path);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw err;
    // No hard links on this file system: an exclusive create (readers give an unreadable file a grace period).
    try {
      writeFileSync(path, content, { flag: 'wx', mode: 0o644 });
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw e;
    }
  } finally {
    rmSync(tmp, { force: true });
  }
}

function claimPrefix(path: string, seen: LockSnapshot): string {
  return `${path}.takeover-${createHash('sha256').update(`${seen.ino}\n${seen.raw}`).digest('hex').slice(0, 16)}.`;
}

/** Takes one claim on the stale lock `seen`; null when a live contender holds the claim. */
function claim(prefix: string): string | null {
  for (let n = 0; n < 100; n++) {
    const file = `${prefix}${n}`;
    try {
      writeFileSync(file, JSON.stringify({ pid: process.pid, host: hostname() }), { flag: 'wx' });
      return file;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    try {
      if (Date.now() - statSync(`${prefix}${n}`).mtimeMs <= CLAIM_STALE_MS) return null;
    } catch {
      return null; // gone again: its owner finished; look at the lock afresh
    }
  }
  return null;
}

/** Replaces the stale lock `seen` by ours; false when another contender won or the lock changed. */
function takeOver(path: string, seen: LockSnapshot, content: string): boolean {
  const prefix = claimPrefix(path, seen);
  const mine = claim(prefix);
  if (!mine) return false;
  let won = false;
  try {
    const now = readLockSnapshot(path);
    // Changed since we judged it (released, replaced, or a late heartbeat): judge it again.
    if (!now || now.ino !== seen.ino || now.raw !== seen.raw || now.heartbeatMs !== seen.heartbeatMs) return false;
    const tmp = writePrivate(path, content);
    try {
      renameSync(tmp, path);
    } catch (err) {
      rmSync(tmp, { force: true });
      throw err;
    }
    won = true;
    return true;
  } finally {
    if (won) removeClaims(prefix);
    else rmSync(mine, { force: true });
  }
}

/** The lock we replaced is gone for good, so every claim on it (also of dead contenders) can go. */
function removeClaims(prefix: string): void {
  const dir = dirname(prefix);
  const name = basename(prefix);
  for (const f of readdirSync(dir)) if (f.startsWith(name)) rmSync(join(dir, f), { force: true });
}

/** Private files of writers killed between writing and linking them (a live one uses its file within ms). */
function sweepPrivateFiles(path: string): void {
  const dir = dirname(path);
  const prefix = `${basename(path)}.`;
  let files: string[];
  try {
    files = readdirSync(dir);
  } catch {
    return; // tidying up must never cost the lock just taken
  }
  for (const f of files) {
    if (!f.startsWith(prefix) || !f.endsWith('.new')) continue;
    try {
      if (Date.now() - statSync(join(dir, f)).mtimeMs > CLAIM_STALE_MS) rmSync(join(dir, f), { force: true });
    } catch {
      // removed by another writer
    }
  }
}

function describe(h: LockHolder | null, reason: string): string {
  return h ? `pid ${h.pid} on ${h.host} running "${h.command}" since ${h.started_at} (${reason})` : `an unknown process (${reason})`;
}

export function acquireLock(dataDir: string, command: string, opts: LockOptions = {}): HeldLock {
  mkdirSync(dataDir, { recursive: true });
  const path = lockPath(dataDir);
  const leaseMs = opts.leaseMs ?? DEFAULT_LEASE_MS;
  const holder: LockHolder = { pid: process.pid, host: hostname(), command, started_at: new Date().toISOString(), token: randomBytes(12).toString('hex'), lease_ms: leaseMs };
  const content = JSON.stringify(holder);
  for (let attempt = 0; attempt < 20; attempt++) {
    if (tryCreate(path, content)) return hold(path, holder, content, leaseMs, null);
    const seen = readLockSnapshot(path);
    if (!seen) continue; // released meanwhile
    const verdict = judgeLock(seen, leaseMs);
    if (!verdict.stale) {
      throw new LockHeldError(`${path}: the data dir is locked by ${describe(seen.holder, verdict.reason)}; wait for it to finish or stop it`);
    }
    if (takeOver(path, seen, content)) return hold(path, holder, content, leaseMs, { holder: seen.holder, reason: verdict.reason });
    sleepSync(1 + attempt); // another contender is taking it over: let it finish, then look again
  }
  throw new LockHeldError(`${path}: could not take the lock (other writers kept changing it); try again`);
}

function hold(path: string, holder: LockHolder, content: string, leaseMs: number, recovered: HeldLock['recovered']): HeldLock {
  heldTokens.add(holder.token!);
  sweepPrivateFiles(path);
  let lost: string | null = null;
  const ours = (): boolean => {
    const now = readLockSnapshot(path);
    if (now?.raw === content) return true;
    lost ??= now?.holder ? `taken over by pid ${now.holder.pid} on ${now.holder.host} running "${now.holder.command}"` : 'the lock file was removed';
    return false;
  };
  startHeartbeat(holder.token!, path, content, Math.max(10, Math.floor(leaseMs / 6)));
  // Registered so that an exit on Ctrl-C releases it too (cli/interrupt.ts).
  const off = registerWriter({ abandon: () => lock.release() });
  const lock: HeldLock = {
    holder,
    recovered,
    assertHeld() {
      if (!ours()) throw new LockHeldError(`${path}: this writer lost the lock (${lost}; was its heartbeat stopped for longer than the ${leaseMs / 1000} s lease?); nothing more is published`);
    },
    release() {
      off();
      stopHeartbeat(holder.token!);
      live.delete(lock);
      heldTokens.delete(holder.token!);
      try {
        if (readLockSnapshot(path)?.raw === content) unlinkSync(path);
      } catch {
        // already gone
      }
    },
  };
  live.add(lock);
  return lock;
}

/** Releases every lock this process holds (a forced exit that cannot wait for its run to unwind). */
export function releaseHeldLocks(): void {
  for (const lock of [...live]) lock.release();
}

/** Runs fn while holding the lock; releases it however fn ends. */
export async function withLock<T>(dataDir: string, command: string, fn: () => Promise<T>, opts: LockOptions = {}): Promise<T> {
  const lock = acquireLock(dataDir, command, opts);
  try {
    return await fn();
  } finally {
    lock.release();
  }
}
