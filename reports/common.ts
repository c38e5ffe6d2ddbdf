// Pieces both reports share: the participants of a study, the feature-source statement and the
// reproducibility footer.
import { UsageError } from '../lib/errors.ts';
import { dataTable, esc, val } from './html.ts';
import type { ReportLake, Row, TableResult } from './lake-data.ts';

import { DEFAULT_STUDY } from '../lib/study-id.ts';

export { DEFAULT_STUDY };

/** Colours of the feature sources, fixed so every chart agrees (synthetic in the warning colour). */
export const SOURCE_COLOURS: Record<string, string> = { spotify_api: '#0072B2', kaggle: '#009E73', synthetic: '#D55E00', none: '#999999' };
/** A score column's personality: night_owl_score → Night Owl. */
export function personalityName(column: string): string {
  return column.replace(/_score$/, '').split('_').map((w) => w[0].toUpperCase() + w.slice(1)).join(' ');
}

export const SOURCE_ORDER = ['spotify_api', 'kaggle', 'synthetic', 'none'];

export interface Participants {
  study: string;
  /** True when bronze.listeners has a study_id column (else every listener is in 'default'). */
  studyColumn: boolean;
  result: TableResult;
  ids: string[];
  /** SQL condition on listener_id selecting the study's listeners (binds $study). */
  filter: string;
}

/**
 * The listeners of a study from bronze.listeners. Before studies exist (no study_id column) every
 * listener is in the study 'default', and any other study id is a usage error that says so.
 */
export async function participants(lake: ReportLake, study = DEFAULT_STUDY): Promise<Participants> {
  const studyColumn = lake.hasColumn('bronze.listeners', 'study_id');
  if (!studyColumn && study !== DEFAULT_STUDY) {
    throw new UsageError(`--study ${study}: this lake has no studies yet (bronze.listeners has no study_id column), so every listener is in the study '${DEFAULT_STUDY}'; use --study ${DEFAULT_STUDY} or leave --study out`);
  }
  lake.params.study = study;
  const where = studyColumn ? `where coalesce(study_id, '${DEFAULT_STUDY}') = $study` : '';
  const studyCol = studyColumn ? `coalesce(study_id, '${DEFAULT_STUDY}')` : `'${DEFAULT_STUDY}'`;
  const result = await lake.select('bronze.listeners', ['listener_id', 'timezone'],
    `select listener_id, timezone, ${studyCol} as study_id from bronze.listeners ${where} order by listener_id`);
  if (studyColumn && result.rows.length === 0) {
    const known = await lake.select('bronze.listeners', ['study_id'], `select distinct coalesce(study_id, '${DEFAULT_STUDY}') as s from bronze.listeners order by 1`);
    throw new UsageError(`--study ${study}: no listener of this lake is in that study; studies: ${known.rows.map((r) => r.s).join(', ') || '(none)'}`);
  }
  const filter = result.status === 'missing' ? 'false' : `listener_id in (select listener_id from bronze.listeners ${where})`;
  return { study, studyColumn, result, ids: result.rows.map((r) => String(r.listener_id)), filter };
}

/** The listener's feature-source rows (gold.feature_source_coverage). */
export async function featureCoverage(lake: ReportLake, filter: string): Promise<TableResult> {
  return lake.select('gold.feature_source_coverage', ['listener_id', 'feature_source', 'record_count', 'percentage'],
    `select listener_id, feature_source, record_count, percentage from gold.feature_source_coverage where ${filter}
     order by listener_id, list_position(${JSON.stringify(SOURCE_ORDER).replace(/"/g, "'")}, feature_source) nulls last, feature_source`);
}

/**
 * The warning every feature-based chart carries: the synthetic share of the rows it draws, as the
 * lowest and highest value of the table's own synthetic column over those rows.
 */
export function syntheticBadge(rows: Row[], column: string, table: string, key: string[], what: string): string {
  const shares = rows.map((r) => r[column]).filter((v): v is number => typeof v === 'number');
  if (shares.length === 0) return `<p class="synthetic" role="note">Synthetic audio features: none of the ${esc(what)} drawn here rests on audio features.</p>`;
  const shown = (r: Row) => val(r[column], 'pct', { table, col: column, key: Object.fromEntries(key.map((k) => [k, r[k] ?? null])) });
  const lo = rows.find((r) => r[column] === Math.min(...shares))!;
  const hi = rows.find((r) => r[column] === Math.max(...shares))!;
  const range = lo[column] === hi[column] ? shown(lo) : `between ${shown(lo)} and ${shown(hi)}`;
  return `<p class="synthetic" role="note">Synthetic audio features: ${range} of the ${esc(what)} behind each row drawn here have generated (synthetic) features, not measured ones (column ${esc(column)} of ${esc(table)}).</p>`;
}

export function footer(lake: ReportLake, opts: { runId: string | null; generatedAt: Date; version: string }): string {
  const rows = [...lake.used.values()].sort((a, b) => `${a.layer}.${a.table}`.localeCompare(`${b.layer}.${b.table}`))
    .map((m) => `<tr><td>${esc(`${m.layer}.${m.table}`)}</td><td>${m.version}</td><td>${m.rows.toLocaleString('en-US')}</td><td>${esc(m.built_at)}</td><td>${esc(m.run_id)}</td></tr>`).join('\n');
  return `<footer id="reproducibility" aria-labelledby="reproducibility-h">
<h2 id="reproducibility-h">Reproducibility</h2>
<p>Built on ${esc(opts.generatedAt.toISOString())} by lakehouse ${esc(opts.version)} from the lake versions below${opts.runId ? `; the last pipeline run was <code data-run-id="${esc(opts.runId)}">${esc(opts.runId)}</code>` : ' (no pipeline run recorded in ops.pipeline_runs)'}. Every number in this report is a value of one of these tables (or a sum over its rows, as labelled); the report computes no statistic of its own.</p>
<table class="versions"><caption>Tables read</caption><thead><tr><th scope="col">table</th><th scope="col">version</th><th scope="col">rows</th><th scope="col">built at (UTC)</th><th scope="col">run id</th></tr></thead><tbody>
${rows}
</tbody></table>
</footer>`;
}

/** The run the lake was last built by (ops.pipeline_runs), or null. */
export async function lastRun(lake: ReportLake): Promise<TableResult> {
  return lake.select('ops.pipeline_runs', ['run_id', 'started_at', 'status', 'quality_errors', 'quality_warnings'],
    'select run_id, trigger, status, started_at, finished_at, duration_ms, quality_errors, quality_warnings, publish_status from ops.pipeline_runs order by started_at desc, run_id desc limit 1');
}

export { dataTable };
