// Opening the lake for reading or writing. Writers hold the data-dir lock for their whole run, clear
// staging folders left by killed runs, and get a connection with every current table attached.
import { randomBytes } from 'node:crypto';
import type { Config } from './config.ts';
import { openDuckDB, settingsFromConfig, type DuckDBConnection } from './duckdb.ts';
import { acquireLock, type HeldLock } from './lock.ts';
import { attachLake } from './lake.ts';
import { removeStaleStaging, LakeTransaction } from './table-writer.ts';
import type { ListenerScope } from './listener-scope.ts';
import type { Logger } from './logger.ts';
import type { BuildContext } from './build-context.ts';
import { InterruptedError } from './errors.ts';
import { registerWriter } from './writer-registry.ts';
import { requireDataDir } from './files.ts';
import type { RemoteTableEngine } from './trino/engine.ts';

export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `run-${stamp}-${randomBytes(3).toString('hex')}`;
}

export interface LakeSession {
  config: Config;
  conn: DuckDBConnection;
  runId: string;
  log: Logger;
  lock: HeldLock | null;
  /** A fresh transaction; commit it to publish. */
  begin(): LakeTransaction;
  /**
   * Checked by every transaction of this session just before it publishes; throws to refuse. The
   * pipeline sets it so that a run aborted (time limit, shutdown) publishes nothing more, even when
   * the abort came between two queries and interrupted none.
   */
  commitGuard: () => void;
  /**
   * When set, transactions begun from now on build silver and gold for these listeners only and carry
   * every other listener's rows over from the current versions (lib/listener-scope.ts).
   */
  listenerScope: ListenerScope | null;
  /** Re-points every view at the catalog's current versions (after another writer's commit). */
  refresh(): Promise<void>;
  context(tx: LakeTransaction): BuildContext;
  close(): void;
}

async function open(config: Config, log: Logger, lock: HeldLock | null, runId: string, onClose: () => void = () => {}): Promise<LakeSession> {
  let db: Awaited<ReturnType<typeof openDuckDB>>;
  try {
    db = await openDuckDB(settingsFromConfig(config));
    await attachLake(db.connection, config.dataDir);
  } catch (err) {
    lock?.release();
    throw err;
  }
  const { instance, connection } = db;
  // --engine trino: each transaction gets its own Trino engine (its own _staging tables). Loaded only
  // then, so that DuckDB-only runs never load the Trino client.
  let engine: (() => RemoteTableEngine) | null = null;
  if (config.engine === 'trino' && lock) {
    const { TrinoTableEngine } = await import('./trino/engine.ts');
    engine = () => new TrinoTableEngine(config, log, runId);
  }
  const session: LakeSession = {
    config, conn: connection, runId, log, lock,
    // A writer that lost its lock (its lease ran out and another writer took over) publishes nothing.
    begin: () => new LakeTransaction(connection, config.dataDir, runId, config.retainVersions, () => {
      lock?.assertHeld();
      session.commitGuard();
    }, session.listenerScope, engine?.() ?? null),
    commitGuard: () => {},
    listenerScope: null,
    refresh: async () => void (await attachLake(connection, config.dataDir)),
    context: (tx) => ({ config, conn: connection, runId, log, tx }),
    close: () => {
      onClose();
      connection.closeSync();
      instance.closeSync();
      lock?.release();
    },
  };
  return session;
}

export async function openWriter(config: Config, log: Logger, command: string, runId = newRunId()): Promise<LakeSession> {
  const lock = acquireLock(config.dataDir, command, { leaseMs: config.ops.lockLeaseMs });
  const removed = removeStaleStaging(config.dataDir);
  if (removed > 0) log.warn({ removed }, 'removed staging folders left by an interrupted run');
  let reason: string | null = null;
  let timer: NodeJS.Timeout | undefined;
  const unregister = () => {
    clearInterval(timer);
    off();
  };
  const session = await open(config, log, lock, runId, unregister);
  const off = registerWriter({
    // The query running now is interrupted, and again every 200 ms any query started later.
    interrupt: (why) => {
      if (reason) return;
      reason = why;
      session.conn.interrupt();
      timer = setInterval(() => session.conn.interrupt(), 200);
      timer.unref();
    },
    abandon: () => {
      removeStaleStaging(config.dataDir);
      lock.release();
    },
  });
  session.commitGuard = () => {
    if (reason) throw new InterruptedError(`${command}: ${reason}; nothing more was published`);
  };
  return session;
}

export async function openReader(config: Config, log: Logger): Promise<LakeSession> {
  requireDataDir(config.dataDir);
  return open(config, log, null, 'read-only');
}

export async function withWriter<T>(config: Config, log: Logger, command: string, fn: (s: LakeSession) => Promise<T>, runId?: string): Promise<T> {
  const session = await openWriter(config, log, command, runId);
  try {
    return await fn(session);
  } finally {
    session.close();
  }
}

export async function withReader<T>(config: Config, log: Logger, fn: (s: LakeSession) => Promise<T>): Promise<T> {
  const session = await openReader(config, log);
  try {
    return await fn(session);
  } finally {
    session.close();
  }
}
