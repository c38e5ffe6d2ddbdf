// The rows of model_performance_metrics, feature_importance and confusion_matrix, collected in JS
// while the job runs and written at the end through temp tables (the appender) and the writer.
import type { BuildContext } from '../../lib/build-context.ts';
import { loadRows, type AppendColumn, type AppendValue } from '../../lib/appender.ts';
import { quoteIdent } from '../../lib/duckdb.ts';
import type { TableSpec } from '../../lib/table-spec.ts';
import type { MetricResult } from './evaluation.ts';

export interface MetricContext {
  listener_id: string | null;
  model_name: string;
  evaluation_set: string;
  model_type: string;
  target: string;
  features: string;
  train_source: string;
  test_source: string;
  train_rows: number;
  test_rows: number;
  /** Plays behind a listener-level metric (null for catalog sets, which have tracks, not plays). */
  n_plays: number | null;
  /** Distinct tracks (catalog: held-out tracks) in the evaluation set: the clusters of the interval. */
  n_tracks: number;
  synthetic_target_share: number;
  seed: number | null;
  training_seconds: number | null;
  trained_at: string | null;
  baseline_name: string;
  scope: 'catalog' | 'listener';
  model_id: string | null;
}

export interface MetricRow extends MetricContext, MetricResult {
  cv_mean: number | null;
  cv_std: number | null;
}

export interface ImportanceRow {
  listener_id: string | null;
  model_name: string;
  feature: string;
  importance: number;
  importance_std: number | null;
  method: string;
  evaluation_set: string;
  model_id: string | null;
}

export interface ConfusionRow {
  listener_id: string | null;
  model_name: string;
  evaluation_set: string;
  actual: string;
  predicted: string;
  count: number;
  model_id: string | null;
}

export class Report {
  readonly metrics: MetricRow[] = [];
  readonly importance: ImportanceRow[] = [];
  readonly confusion: ConfusionRow[] = [];

  addMetrics(context: MetricContext, results: readonly (MetricResult & { cv_mean?: number | null; cv_std?: number | null })[]): void {
    for (const r of results) this.metrics.push({ ...context, ...r, cv_mean: r.cv_mean ?? null, cv_std: r.cv_std ?? null });
  }
}

const TYPE: Record<string, AppendColumn['type']> = { VARCHAR: 'VARCHAR', DOUBLE: 'DOUBLE', BIGINT: 'BIGINT', INTEGER: 'INTEGER', BOOLEAN: 'BOOLEAN', TIMESTAMP: 'VARCHAR' };

/**
 * Writes JS rows as the table of `spec`: appended into a temp table typed like the declaration
 * (timestamps travel as ISO strings and are cast back), then published through the writer.
 */
export async function writeRows(ctx: BuildContext, spec: TableSpec, rows: readonly object[], computed: Record<string, string> = {}): Promise<void> {
  const stored = spec.columns.filter((c) => !(c.name in computed));
  const temp = `predictive_${spec.name}`;
  await loadRows(ctx.conn, temp, stored.map((c) => ({ name: c.name, type: TYPE[c.type] })),
    rows.map((r) => stored.map((c) => ((r as Record<string, unknown>)[c.name] ?? null) as AppendValue)));
  const select = spec.columns.map((c) => {
    const q = quoteIdent(c.name);
    if (c.name in computed) return `${computed[c.name]} as ${q}`;
    return c.type === 'TIMESTAMP' ? `cast(${q} as timestamp) as ${q}` : q;
  });
  await ctx.tx.write(spec, { sql: `select ${select.join(', ')} from temp.main.${temp}`, orderBy: spec.orderBy, inputs: spec.inputs });
}
