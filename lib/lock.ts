// The data-dir writer lock. One writer at a time (CLI runs and the scheduler alike); a second one
// gets an error naming the holder; a lock left by a dead process is detected and taken over.
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { LockHeldError } from './errors.ts';
import { registerWriter } from './writer-registry.ts';

export const LOCK_FILE = '.lakehouse.lock';

export interface LockHolder {
  pid: number;
  host: string;
  command: string;
  started_at: string;
}

export interface HeldLock {
  holder: LockHolder;
  release(): void;
}

export function lockPath(dataDir: string): string {
  return join(dataDir, LOCK_FILE);
}

export function readLockHolder(dataDir: string): LockHolder | null {
  try {
    return JSON.parse(readFileSync(lockPath(dataDir), 'utf8')) as LockHolder;
  } catch {
    return null;
  }
}

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** True when the holder is a process on this host that no longer exists (or the file is unreadable). */
function isStale(holder: LockHolder | null): boolean {
  if (!holder || typeof holder.pid !== 'number') return true;
  return holder.host === hostname() && !isProcessAlive(holder.pid);
}

function tryCreate(path: string, holder: LockHolder): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o644);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  try {
    writeSync(fd, JSON.stringify(holder));
  } finally {
    closeSync(fd);
  }
  return true;
}

export function acquireLock(dataDir: string, command: string): HeldLock {
  mkdirSync(dataDir, { recursive: true });
  const path = lockPath(dataDir);
  const holder: LockHolder = { pid: process.pid, host: hostname(), command, started_at: new Date().toISOString() };
  for (let attempt = 0; attempt < 3; attempt++) {
    if (tryCreate(path, holder)) {
      // Registered so that an exit on Ctrl-C releases it too (cli/interrupt.ts).
      const off = registerWriter({ abandon: () => releaseIfOurs(path, holder) });
      return { holder, release: () => { off(); releaseIfOurs(path, holder); } };
    }
    const current = readLockHolder(dataDir);
    if (!isStale(current)) {
      const who = current ? `pid ${current.pid} on ${current.host} running "${current.command}" since ${current.started_at}` : 'an unknown process';
      throw new LockHeldError(`${path}: the data dir is locked by ${who}; wait for it to finish or stop it`);
    }
    // Stale: move it aside atomically so only one contender wins the takeover, then retry.
    const aside = `${path}.stale-${process.pid}`;
    try {
      renameSync(path, aside);
      rmSync(aside, { force: true });
    } catch {
      // another process took it over first; loop and look again
    }
  }
  throw new LockHeldError(`${path}: could not take over a stale lock (contention); try again`);
}

function releaseIfOurs(path: string, holder: LockHolder): void {
  try {
    const current = JSON.parse(readFileSync(path, 'utf8')) as LockHolder;
    if (current.pid === holder.pid && current.started_at === holder.started_at) rmSync(path, { force: true });
  } catch {
    // already gone
  }
}

/** Runs fn while holding the lock; releases it however fn ends. */
export async function withLock<T>(dataDir: string, command: string, fn: () => Promise<T>): Promise<T> {
  const lock = acquireLock(dataDir, command);
  try {
    return await fn();
  } finally {
    lock.release();
  }
}
