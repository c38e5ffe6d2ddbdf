// Reading the data-dir writer lock and judging whether its holder is still there. The lock file holds
// the holder as JSON; its modification time is the holder's heartbeat (see lock.ts).
import { closeSync, fstatSync, openSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

export const LOCK_FILE = '.lakehouse.lock';
/** How long a holder may go without a heartbeat before its lock is stale (LAKEHOUSE_LOCK_LEASE). */
export const DEFAULT_LEASE_MS = 60_000;
/** A lock file that is not (yet) valid JSON counts as held this long; only older versions wrote such files. */
const UNREADABLE_GRACE_MS = 5_000;

export interface LockHolder {
  pid: number;
  host: string;
  command: string;
  started_at: string;
  /** Random per acquisition: tells this holding from any earlier one with the same pid. */
  token?: string;
  /** The lease the holder promised to renew (its heartbeat runs every lease / 6). */
  lease_ms?: number;
}

/** The lock file as one read saw it: raw bytes, inode and heartbeat belong together. */
export interface LockSnapshot {
  raw: string;
  ino: number;
  heartbeatMs: number;
  holder: LockHolder | null;
}

export interface Staleness {
  stale: boolean;
  reason: string;
}

/** Tokens of the locks this process holds now (a pid alone cannot tell us from an earlier process). */
export const heldTokens = new Set<string>();
const processStartedMs = Date.now() - process.uptime() * 1000;

export function lockPath(dataDir: string): string {
  return join(dataDir, LOCK_FILE);
}

function parseHolder(raw: string): LockHolder | null {
  try {
    const h = JSON.parse(raw) as LockHolder;
    return h && typeof h === 'object' && typeof h.pid === 'number' ? h : null;
  } catch {
    return null;
  }
}

/** One consistent read of the lock file; null when there is none. */
export function readLockSnapshot(path: string): LockSnapshot | null {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  try {
    const st = fstatSync(fd);
    const raw = readFileSync(fd, 'utf8');
    return { raw, ino: st.ino, heartbeatMs: st.mtimeMs, holder: parseHolder(raw) };
  } finally {
    closeSync(fd);
  }
}

export function readLockHolder(dataDir: string): LockHolder | null {
  try {
    return readLockSnapshot(lockPath(dataDir))?.holder ?? null;
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

const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;

/**
 * Whether a lock is stale. The lease decides first: no heartbeat for longer than the holder's lease
 * (from any host) is stale, a fresh heartbeat from another host is held. On this host a holder whose
 * process is gone is stale at once, and so is one with our own pid that is neither ours nor younger
 * than this process (an earlier process of a restarted container, where Node is pid 1 every time).
 */
export function judgeLock(snap: LockSnapshot, defaultLeaseMs = DEFAULT_LEASE_MS, now = Date.now()): Staleness {
  const age = now - snap.heartbeatMs;
  const h = snap.holder;
  if (!h) {
    return age > UNREADABLE_GRACE_MS
      ? { stale: true, reason: `the lock file is unreadable and ${seconds(age)} old` }
      : { stale: false, reason: 'the lock file is being written' };
  }
  const lease = typeof h.lease_ms === 'number' && h.lease_ms > 0 ? h.lease_ms : defaultLeaseMs;
  if (age > lease) return { stale: true, reason: `no heartbeat for ${seconds(age)} (lease ${seconds(lease)})` };
  if (h.host !== hostname()) return { stale: false, reason: `heartbeat ${seconds(age)} ago from host ${h.host}` };
  if (!isProcessAlive(h.pid)) return { stale: true, reason: `process ${h.pid} on this host is gone` };
  const earlier = Date.parse(h.started_at) < processStartedMs;
  if (h.pid === process.pid && !(h.token && heldTokens.has(h.token)) && earlier) {
    return { stale: true, reason: `pid ${h.pid} is this process now; the holder was an earlier process (restarted container)` };
  }
  return { stale: false, reason: `process ${h.pid} is running, heartbeat ${seconds(age)} ago` };
}
