// `lakehouse status`: the last run, the next one, table freshness and the lock holder, and whether
// the lake is healthy (the last run did not fail and the last successful run is recent enough), so
// that the command can serve as the container's healthcheck.
import { hostname } from 'node:os';
import schedule from 'node-schedule';
import type { Config } from '../lib/config.ts';
import type { Logger } from '../lib/logger.ts';
import { withReader } from '../lib/session.ts';
import { listTables } from '../lib/lake.ts';
import { isProcessAlive, judgeLock, lockPath, readLockSnapshot, type LockHolder } from '../lib/lock.ts';
import { lastSuccess, readRuns, type StoredRun } from '../ops/run-history.ts';
import { nextCronRun, readSchedulerState, type SchedulerState } from './scheduler.ts';

export interface StatusReport {
  data_dir: string;
  healthy: boolean;
  problems: string[];
  last_run: Pick<StoredRun, 'run_id' | 'trigger' | 'status' | 'started_at' | 'finished_at' | 'duration_ms' | 'failed_stage' | 'error' | 'quality_errors' | 'quality_warnings' | 'publish_status'> | null;
  last_success_at: string | null;
  stale_after_hours: number;
  next_run: string | null;
  scheduler: (SchedulerState & { alive: boolean }) | null;
  /** alive: the holder still counts (fresh lease, process not known to be gone); state says why. */
  lock: (LockHolder & { alive: boolean; heartbeat_at: string; state: string }) | null;
  tables: { table: string; version: number; rows: number; built_at: string; age_hours: number }[];
}

/** Default staleness: two schedule intervals plus the run time limit. */
export function defaultStaleAfterMs(config: Config): number {
  const first = nextCronRun(config.schedule.cron, config.schedule.timezone);
  let interval = 6 * 3_600_000;
  if (first) {
    const job = schedule.scheduleJob({ start: new Date(first.getTime() + 1000), rule: config.schedule.cron, tz: config.schedule.timezone }, () => undefined);
    const second = job?.nextInvocation();
    job?.cancel();
    if (second) interval = Math.max(1000, second.getTime() - first.getTime());
  }
  return 2 * interval + config.ops.runTimeoutMs;
}

const hours = (ms: number) => Math.round((ms / 3_600_000) * 100) / 100;

function alive(holder: { pid: number; host: string }): boolean {
  return holder.host !== hostname() || isProcessAlive(holder.pid);
}

function lockReport(config: Config): StatusReport['lock'] {
  const snap = readLockSnapshot(lockPath(config.dataDir));
  if (!snap) return null;
  const verdict = judgeLock(snap, config.ops.lockLeaseMs);
  const holder = snap.holder ?? { pid: 0, host: 'unknown', command: 'unknown (unreadable lock file)', started_at: '' };
  return { ...holder, alive: !verdict.stale, heartbeat_at: new Date(snap.heartbeatMs).toISOString(), state: verdict.reason };
}

export async function lakeStatus(config: Config, log: Logger, now = new Date()): Promise<StatusReport> {
  const { runs, success } = await withReader(config, log, async (s) => ({ runs: await readRuns(s.conn, 1), success: await lastSuccess(s.conn) }));
  const staleAfter = config.ops.staleAfterMs ?? defaultStaleAfterMs(config);
  const last = runs[0] ?? null;
  const problems: string[] = [];
  if (last?.status === 'failed') problems.push(`the last run (${last.run_id}) failed in stage ${last.failed_stage}: ${last.error}`);
  const successAt = success ? new Date(success.finished_at) : null;
  if (last && !successAt) problems.push('no run has succeeded yet');
  if (successAt && now.getTime() - successAt.getTime() > staleAfter) {
    problems.push(`stale: the last successful run finished ${hours(now.getTime() - successAt.getTime())} h ago (limit ${hours(staleAfter)} h)`);
  }
  const state = readSchedulerState(config.dataDir);
  const scheduler = state ? { ...state, alive: alive(state) } : null;
  const lock = lockReport(config);
  return {
    data_dir: config.dataDir, healthy: problems.length === 0, problems,
    last_run: last && {
      run_id: last.run_id, trigger: last.trigger, status: last.status, started_at: last.started_at, finished_at: last.finished_at, duration_ms: last.duration_ms,
      failed_stage: last.failed_stage, error: last.error, quality_errors: last.quality_errors, quality_warnings: last.quality_warnings, publish_status: last.publish_status,
    },
    last_success_at: successAt?.toISOString() ?? null,
    stale_after_hours: hours(staleAfter),
    next_run: scheduler?.alive ? scheduler.next_run : null,
    scheduler,
    lock,
    tables: listTables(config.dataDir).map((t) => ({
      table: `${t.layer}.${t.table}`, version: t.version, rows: t.rows, built_at: t.built_at, age_hours: hours(now.getTime() - Date.parse(t.built_at)),
    })),
  };
}
