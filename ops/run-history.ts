// Writing and reading the run history (ops.pipeline_runs) and the quality results
// (ops.data_quality_checks). Both tables are small, so each run rewrites them whole (previous rows
// plus its own) in one transaction: one Parquet file per version, however many runs there were.
import type { DuckDBConnection } from '../lib/duckdb.ts';
import { quoteIdent, queryRows } from '../lib/duckdb.ts';
import { relationExists } from '../lib/lake.ts';
import type { LakeSession } from '../lib/session.ts';
import type { TableSpec } from '../lib/table-spec.ts';
import { loadRows, type AppendColumn, type AppendValue } from '../lib/appender.ts';
import pipelineRuns from './pipeline_runs.ts';
import dataQualityChecks from './data_quality_checks.ts';
import type { CheckResult } from './quality-checks.ts';

export type RunStatus = 'succeeded' | 'failed' | 'aborted';
export type PublishStatus = 'published' | 'not_configured' | 'blocked_by_quality' | 'skipped' | 'failed';

export interface TableWritten {
  version: number;
  rows: number;
  delta: number;
}

export interface RunRecord {
  run_id: string;
  trigger: string;
  status: RunStatus;
  started_at: string;
  finished_at: string;
  duration_ms: number;
  failed_stage: string | null;
  error: string | null;
  stage_durations: Record<string, number>;
  tables_written: Record<string, TableWritten>;
  rows_written: number;
  quality_errors: number;
  quality_warnings: number;
  publish_status: PublishStatus;
  summary: unknown;
}

const LOADABLE = new Set(['VARCHAR', 'DOUBLE', 'BIGINT', 'INTEGER', 'BOOLEAN']);

function loadColumns(spec: TableSpec): AppendColumn[] {
  return spec.columns.map((c) => ({ name: c.name, type: (LOADABLE.has(c.type) ? c.type : 'VARCHAR') as AppendColumn['type'] }));
}

/** Stages spec's table as its previous rows plus `rows` (values in declared column order); keepPrevious false: `rows` only. */
export async function appendWhole(session: LakeSession, tx: ReturnType<LakeSession['begin']>, spec: TableSpec, rows: AppendValue[][], keepPrevious = true): Promise<void> {
  const temp = `_${spec.name}_incoming`;
  await loadRows(session.conn, temp, loadColumns(spec), rows);
  const select = spec.columns.map((c) => `${quoteIdent(c.name)}::${c.type} as ${quoteIdent(c.name)}`).join(', ');
  const previous = keepPrevious && (await relationExists(session.conn, spec.layer, spec.name)) ? `select * from ${spec.layer}.${spec.name} union all ` : '';
  await tx.write(spec, { sql: `${previous}select ${select} from ${temp}`, mode: 'replace', orderBy: spec.grain.join(', ') });
  await session.conn.run(`drop table if exists ${temp}`);
}

/** An ISO-8601 UTC instant as a DuckDB TIMESTAMP literal. */
export const ts = (iso: string) => iso.replace('T', ' ').replace('Z', '');

function runRow(r: RunRecord): AppendValue[] {
  return [r.run_id, r.trigger, r.status, ts(r.started_at), ts(r.finished_at), r.duration_ms, r.failed_stage, r.error,
    JSON.stringify(r.stage_durations), JSON.stringify(r.tables_written), r.rows_written, r.quality_errors, r.quality_warnings,
    r.publish_status, JSON.stringify(r.summary ?? null)];
}

function checkRow(runId: string, checkedAt: string, c: CheckResult): AppendValue[] {
  const observed = c.observed_value === null || Number.isFinite(c.observed_value) ? c.observed_value : null;
  return [runId, c.check_name, c.table_name, c.column_name, c.level, c.status, observed, c.threshold, c.detail, ts(checkedAt)];
}

/** Publishes the run's row and its quality results in one transaction. */
export async function recordRun(session: LakeSession, run: RunRecord, checks: CheckResult[], checkedAt = run.finished_at): Promise<void> {
  const tx = session.begin();
  try {
    await appendWhole(session, tx, pipelineRuns, [runRow(run)]);
    if (checks.length > 0) await appendWhole(session, tx, dataQualityChecks, checks.map((c) => checkRow(run.run_id, checkedAt, c)));
    await tx.commit();
  } catch (err) {
    await tx.abort();
    throw err;
  }
}

export interface StoredRun extends Omit<RunRecord, 'stage_durations' | 'tables_written' | 'summary'> {
  stage_durations: string;
  tables_written: string;
  summary: string;
}

/** The newest runs first; [] when no run was recorded yet. */
export async function readRuns(conn: DuckDBConnection, limit = 20): Promise<StoredRun[]> {
  if (!(await relationExists(conn, 'ops', 'pipeline_runs'))) return [];
  const rows = await queryRows<StoredRun>(conn, `select * from ops.pipeline_runs order by started_at desc, run_id desc limit ${Math.max(1, Math.floor(limit))}`);
  return rows.map((r) => ({ ...r, started_at: isoOf(r.started_at), finished_at: isoOf(r.finished_at) }));
}

/** The newest run that succeeded, or null. */
export async function lastSuccess(conn: DuckDBConnection): Promise<StoredRun | null> {
  if (!(await relationExists(conn, 'ops', 'pipeline_runs'))) return null;
  const [row] = await queryRows<StoredRun>(conn, "select * from ops.pipeline_runs where status = 'succeeded' order by finished_at desc limit 1");
  return row ? { ...row, started_at: isoOf(row.started_at), finished_at: isoOf(row.finished_at) } : null;
}

export async function readChecks(conn: DuckDBConnection, runId: string): Promise<(CheckResult & { run_id: string })[]> {
  if (!(await relationExists(conn, 'ops', 'data_quality_checks'))) return [];
  return queryRows(conn, `select run_id, check_name, table_name, column_name, level, status, observed_value, threshold, detail
    from ops.data_quality_checks where run_id = $run
    order by case when status = 'fail' then 0 else 1 end, case when level = 'error' then 0 else 1 end, check_name, table_name, column_name`, { run: runId });
}

/** DuckDB's JSON rendering of a TIMESTAMP ("2026-01-02 03:04:05.678") as ISO-8601 UTC. */
export function isoOf(v: unknown): string {
  const s = String(v);
  if (/Z$/.test(s)) return s;
  return new Date(`${s.replace(' ', 'T')}Z`).toISOString();
}
