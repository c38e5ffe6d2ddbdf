// One pipeline run, for `lakehouse run` and the scheduler alike: ingest (demo data with --demo; else
// the export inbox and, when listeners are connected, the Spotify API), silver, gold, the quality
// gates, and the publish to Trino when it is configured and no 'error' check failed. Every stage is
// its own transaction, so a failure keeps the previously published tables; the run's outcome, time
// per stage and tables written are recorded in ops.pipeline_runs whatever happens.
import { join } from 'node:path';
import type { Config } from '../lib/config.ts';
import type { Logger } from '../lib/logger.ts';
import { LakehouseError, errorMessage } from '../lib/errors.ts';
import { withWriter, newRunId } from '../lib/session.ts';
import { listTables, readCatalog } from '../lib/lake.ts';
import { publishLake } from '../lib/trino/publish.ts';
import { recordRun, type PublishStatus, type RunStatus } from '../ops/run-history.ts';
import { failures, runQualityChecks, type CheckResult } from '../ops/quality-checks.ts';
import { RunControl, RunInterruptedError, formatDuration } from './run-control.ts';
import { dataStages, stage, tablesWritten, type RunOptions, type RunState } from './run-stages.ts';
import type { StageResult } from './stages.ts';
import { ingestChecks } from './ingest-checks.ts';
import { runAlerts } from './run-alerts.ts';
import { checkStudy } from './study-scope.ts';
import { checkStudyId } from '../lib/study-id.ts';
import { DEMO_STUDIES } from '../lib/generator/index.ts';

export type { RunOptions, Publisher } from './run-stages.ts';

export interface RunSummary {
  run_id: string;
  trigger: string;
  status: RunStatus;
  started_at: string;
  finished_at: string;
  duration_ms: number;
  failed_stage: string | null;
  error: string | null;
  stages: StageResult[];
  quality: { checks: number; errors: number; warnings: number; failed: CheckResult[] };
  publish_status: PublishStatus;
  tables: { layer: string; table: string; rows: number; version: number; path: string }[];
}

/** A run ended failed or aborted (already recorded in ops.pipeline_runs). */
export class RunFailedError extends LakehouseError {
  constructor(readonly summary: RunSummary) {
    super(`run ${summary.run_id} ${summary.status} in stage ${summary.failed_stage}: ${summary.error}`);
  }
}

function fail(state: RunState, err: unknown): void {
  const stopped = state.control.stopping;
  state.status = stopped?.kind === 'shutdown' || (err instanceof RunInterruptedError && err.kind === 'shutdown') ? 'aborted' : 'failed';
  state.failedStage ??= err instanceof RunInterruptedError ? err.stage : 'run';
  state.error = state.control.aborted && stopped && !(err instanceof RunInterruptedError)
    ? `${state.failedStage}: interrupted (${stopped.detail}): ${errorMessage(err)}`
    : errorMessage(err);
  state.log.error({ stage: state.failedStage, error: state.error }, `run ${state.status}`);
}

async function gateAndPublish(state: RunState, config: Config, opts: RunOptions): Promise<void> {
  const publisher = opts.publish === undefined ? (config.trino.url ? publishLake : null) : opts.publish;
  if (state.status !== 'succeeded') {
    state.publishStatus = 'skipped';
    return;
  }
  const errors = failures(state.checks, 'error');
  if (errors.length > 0) {
    state.status = 'failed';
    state.failedStage = 'quality';
    state.error = `quality gate: ${errors.length} error check(s) failed: ${errors.map((c) => `${c.check_name} on ${c.table_name}${c.column_name ? `.${c.column_name}` : ''} (observed ${c.observed_value}, threshold ${c.threshold})`).join('; ')}; not published`;
    state.publishStatus = publisher ? 'blocked_by_quality' : 'not_configured';
    state.log.error({ errors: errors.length }, state.error);
    return;
  }
  if (!publisher) {
    state.publishStatus = 'not_configured';
    return;
  }
  try {
    await stage(state, 'publish', () => publisher(config, state.log));
    state.publishStatus = 'published';
  } catch (err) {
    state.publishStatus = 'failed';
    fail(state, err);
  }
}

function summaryOf(state: RunState, config: Config, finished: Date): RunSummary {
  const errors = failures(state.checks, 'error');
  return {
    run_id: state.session.runId, trigger: state.trigger, status: state.status,
    started_at: state.started.toISOString(), finished_at: finished.toISOString(), duration_ms: finished.getTime() - state.started.getTime(),
    failed_stage: state.status === 'succeeded' ? null : state.failedStage, error: state.status === 'succeeded' ? null : state.error,
    stages: state.stages,
    quality: { checks: state.checks.length, errors: errors.length, warnings: failures(state.checks, 'warn').length, failed: [...errors, ...failures(state.checks, 'warn')] },
    publish_status: state.publishStatus,
    tables: listTables(config.dataDir).map((t) => ({ layer: t.layer, table: t.table, rows: t.rows, version: t.version, path: join(config.dataDir, t.path) })),
  };
}

async function record(state: RunState, summary: RunSummary, before: ReturnType<typeof readCatalog>): Promise<void> {
  const written = tablesWritten(before, state.session.config.dataDir);
  try {
    await recordRun(state.session, {
      ...summary, stage_durations: state.durations, tables_written: written,
      rows_written: Object.values(written).reduce((n, t) => n + Math.max(0, t.delta), 0),
      quality_errors: summary.quality.errors, quality_warnings: summary.quality.warnings,
      summary: { ...state.notes, ...Object.fromEntries(state.stages.filter((s) => s.detail !== undefined).map((s) => [s.stage, s.detail])) },
    }, state.checks);
  } catch (err) {
    state.log.error({ error: errorMessage(err) }, 'could not record the run in ops.pipeline_runs');
  }
}

/** Runs the pipeline and records it; never throws for a failed stage (see status). Throws LockHeldError when another writer runs. */
export async function executeRun(config: Config, log: Logger, opts: RunOptions = {}): Promise<RunSummary> {
  const control = opts.control ?? new RunControl();
  const runId = newRunId();
  const timeoutMs = opts.timeoutMs ?? config.ops.runTimeoutMs;
  if (opts.study !== undefined) checkStudyId(opts.study);
  const command = opts.study !== undefined ? `run${opts.demo ? ' --demo' : ''} --study ${opts.study}` : opts.demo ? 'run --demo' : opts.trigger === 'schedule' || opts.trigger === 'startup' ? `schedule (${opts.trigger} run)` : 'run';
  const runLog = log.child({ run_id: runId });
  return withWriter(config, runLog, command, async (session) => {
    // An unknown study is a usage error before anything runs (nothing recorded, exit code 2).
    if (opts.study !== undefined) await checkStudy(session.conn, opts.study, opts.demo ? DEMO_STUDIES : []);
    const state: RunState = {
      session, log: runLog, control, trigger: opts.trigger ?? 'cli', started: new Date(),
      stages: [], durations: {}, checks: [], status: 'succeeded', failedStage: null, error: null, publishStatus: 'skipped', notes: {},
    };
    const timer = setTimeout(() => control.abort('timeout', `the run's time limit of ${formatDuration(timeoutMs)} passed`), timeoutMs);
    const before = readCatalog(config.dataDir);
    runLog.info({ trigger: state.trigger, demo: Boolean(opts.demo), study: opts.study ?? null }, 'run started');
    const recovered = session.lock?.recovered;
    if (recovered) {
      state.notes.recovered_lock = recovered.holder ?? 'unreadable lock file';
      state.notes.recovered_lock_reason = recovered.reason;
      runLog.warn({ previous: recovered.holder, reason: recovered.reason }, 'took over a stale lock (its writer was killed or stopped renewing it); its unfinished transaction was discarded');
    }
    try {
      await dataStages(state, opts);
      const checks = await stage(state, 'quality', () => runQualityChecks(session.conn, config.dataDir, { allowSynthetic: config.allowSynthetic }));
      state.checks = [...checks, ...ingestChecks(state.stages)];
      for (const c of state.checks.filter((x) => x.status === 'fail' && x.check_name === 'default_timezone')) runLog.warn({ check: c.check_name }, c.detail);
    } catch (err) {
      fail(state, err);
    }
    await gateAndPublish(state, config, opts);
    clearTimeout(timer);
    const summary = summaryOf(state, config, new Date());
    await record(state, summary, before);
    await runAlerts(session, summary, state.checks, runLog); // alerts and drift checks (pipeline/run-alerts.ts); never throws
    if (summary.publish_status === 'published') await republishOps(state, config, opts);
    runLog.info({ status: summary.status, duration_ms: summary.duration_ms, publish: summary.publish_status, quality_errors: summary.quality.errors, quality_warnings: summary.quality.warnings }, `run ${summary.status}`);
    return summary;
  }, runId);
}

/** The run's own ops rows reach Trino too (only the two ops views change, so this is quick). */
async function republishOps(state: RunState, config: Config, opts: RunOptions): Promise<void> {
  const publisher = opts.publish ?? publishLake;
  try {
    await publisher(config, state.log);
  } catch (err) {
    state.log.warn({ error: errorMessage(err) }, 'run history not published to Trino; the next run publishes it');
  }
}

/** `lakehouse run`: executeRun, throwing RunFailedError (exit code 1) when the run did not succeed. */
export async function runPipeline(config: Config, log: Logger, opts: RunOptions = {}): Promise<RunSummary> {
  const summary = await executeRun(config, log, opts);
  if (summary.status !== 'succeeded') throw new RunFailedError(summary);
  return summary;
}
