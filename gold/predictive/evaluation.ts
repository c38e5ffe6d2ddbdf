// Honest evaluation, written once for both paths: test rows held in JS (the catalog hold-out) and
// test rows aggregated by DuckDB (listener events). Both reduce to sums per cluster (a track, or a
// feature vector of the catalog), from which the metrics, the baseline's metrics on the same rows and
// a clustered interval of the difference are computed.
//
// Difference and verdict: for every metric, diff = how much better the model is than its baseline,
// oriented so that a positive diff always means "model better": baseline − model for the error
// metrics (rmse, mae), model − baseline for r2, accuracy and macro_f1. Its 95 % interval comes from a
// cluster bootstrap (lib/ml/bootstrap.ts: the clusters are resampled with replacement, seeded,
// BOOTSTRAP_RESAMPLES times) because plays of one track share their error: 36 plays of 13 tracks are
// 13 pieces of evidence, not 36. verdict = better when the interval is above 0, worse when below,
// inconclusive otherwise (and when there are fewer than MIN_BOOTSTRAP_CLUSTERS clusters); macro_f1 is
// better only when accuracy is better too (a constant majority class is no bar for macro-F1).
// Per-class rows (precision_*, recall_*) describe the model and compare nothing: no interval, no verdict.
import { LakehouseError } from '../../lib/errors.ts';
import { BOOTSTRAP_RESAMPLES, clusterBootstrap, verdictOf, type Interval, type Verdict } from '../../lib/ml/bootstrap.ts';
import type { ConfusionCell } from '../../lib/ml/metrics.ts';
import { SEED } from './model-settings.ts';

export class LeakError extends LakehouseError {}

export interface MetricResult {
  metric_name: string;
  metric_value: number;
  baseline_value: number | null;
  /** 95 % cluster-bootstrap interval of the model's improvement over the baseline (positive = model better). */
  diff_ci_low: number | null;
  diff_ci_high: number | null;
  verdict: Verdict | null;
  /** verdict = better (kept for the dashboards); null where nothing is compared. */
  beats_baseline: boolean | null;
}

/** The cluster of a play in the listener-level intervals: its track (artist and name when a play has no track id; the play itself when it has neither). */
export const TRACK_CLUSTER_SQL = "coalesce(track_id, nullif(concat_ws(' - ', artist_name, track_name), ''), event_id)";

/** Groups rows keyed `${listener}\u0000${set}` into their clusters' vectors (rows come ordered by listener, set, cluster). */
export function groupClusters<R extends { listener_id: string; evaluation_set: string; cluster: string }>(rows: readonly R[], vector: (r: R) => number[]): Map<string, { listener: string; set: string; clusters: number[][] }> {
  const out = new Map<string, { listener: string; set: string; clusters: number[][]; last: string | null }>();
  for (const r of rows) {
    const k = `${r.listener_id}\u0000${r.evaluation_set}`;
    const g = out.get(k) ?? { listener: r.listener_id, set: r.evaluation_set, clusters: [], last: null };
    const v = vector(r);
    if (g.last === r.cluster) {
      const c = g.clusters[g.clusters.length - 1];
      v.forEach((x, j) => { c[j] += x; });
    } else {
      g.clusters.push(v);
    }
    g.last = r.cluster;
    out.set(k, g);
  }
  return new Map([...out].map(([k, { listener, set, clusters }]) => [k, { listener, set, clusters }]));
}

/** Sums of one cluster's test rows: a = actual, p = model prediction, b = baseline prediction. */
export const REGRESSION_SUMS = ['n', 'sum_a', 'sum_a2', 'sse', 'sae', 'sse_base', 'sae_base'] as const;
export type RegressionSums = Record<(typeof REGRESSION_SUMS)[number], number>;

/** The sums of REGRESSION_SUMS as DuckDB aggregates over columns a, p and b (group by the cluster). */
export function regressionSumsSql(a: string, p: string, b: string): string {
  return [
    'count(*)::double as n', `sum(${a}) as sum_a`, `sum(${a} * ${a}) as sum_a2`,
    `sum((${a} - ${p}) ^ 2) as sse`, `sum(abs(${a} - ${p})) as sae`, `sum((${a} - ${b}) ^ 2) as sse_base`, `sum(abs(${a} - ${b})) as sae_base`,
  ].join(', ');
}

/** Per-cluster sums in JS: rows grouped by `clusters[i]`, in the clusters' sorted order (so results do not depend on row order). */
export function regressionClusters(actual: readonly number[], predicted: readonly number[], baseline: readonly number[], clusters: readonly string[]): number[][] {
  if (actual.length !== predicted.length || actual.length !== baseline.length || actual.length !== clusters.length) throw new LakehouseError('regressionClusters: arrays differ in length');
  const by = new Map<string, number[]>();
  for (let i = 0; i < actual.length; i++) {
    const v = by.get(clusters[i]) ?? new Array<number>(REGRESSION_SUMS.length).fill(0);
    const a = actual[i];
    const ep = a - predicted[i];
    const eb = a - baseline[i];
    [1, a, a * a, ep * ep, Math.abs(ep), eb * eb, Math.abs(eb)].forEach((x, j) => { v[j] += x; });
    by.set(clusters[i], v);
  }
  return [...by].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)).map(([, v]) => v);
}

const r2Of = (sse: number, sst: number) => (sst === 0 ? (sse === 0 ? 1 : 0) : 1 - sse / sst);

function regressionValues(v: ArrayLike<number>) {
  const [n, sumA, sumA2, sse, sae, sseBase, saeBase] = Array.from(v);
  const sst = Math.max(0, sumA2 - (sumA * sumA) / n);
  return {
    rmse: [Math.sqrt(sse / n), Math.sqrt(sseBase / n)], mae: [sae / n, saeBase / n], r2: [r2Of(sse, sst), r2Of(sseBase, sst)],
  } as Record<string, [number, number]>;
}

/**
 * improvement() of rmse, mae and r2 from a resample's sums, without regressionValues' objects: the
 * bootstrap calls it a thousand times per listener and set. Same operations, so the same doubles.
 */
function regressionImprovements(v: Float64Array): number[] {
  const n = v[0];
  const sse = v[3];
  const sseBase = v[5];
  const sst = Math.max(0, v[2] - (v[1] * v[1]) / n);
  return [Math.sqrt(sseBase / n) - Math.sqrt(sse / n), v[6] / n - v[4] / n, r2Of(sse, sst) - r2Of(sseBase, sst)];
}

/** Positive = model better: baseline − model for errors, model − baseline for scores. */
const LOWER_IS_BETTER = new Set(['rmse', 'mae']);
const improvement = (metric: string, model: number, base: number) => (LOWER_IS_BETTER.has(metric) ? base - model : model - base);

function compared(metric: string, model: number, base: number, ci: Interval): MetricResult {
  const verdict = verdictOf(ci);
  return { metric_name: metric, metric_value: model, baseline_value: base, diff_ci_low: ci.low, diff_ci_high: ci.high, verdict, beats_baseline: verdict === 'better' };
}

/** rmse, mae and r2 of the model and the baseline, with clustered intervals of the difference. `salt` names the bootstrap stream. */
export function regressionMetrics(clusters: readonly (readonly number[])[], salt: string, resamples = BOOTSTRAP_RESAMPLES): MetricResult[] {
  const total = REGRESSION_SUMS.map((_, j) => clusters.reduce((s, c) => s + c[j], 0));
  const names = ['rmse', 'mae', 'r2'];
  const point = regressionValues(total);
  const ci = clusterBootstrap(clusters, regressionImprovements, { seed: SEED, salt, resamples });
  return names.map((m, k) => compared(m, point[m][0], point[m][1], ci[k]));
}

/** Confusion cells of one cluster → a flat count vector (actual-major, in `labels` order). */
export function confusionVector<L>(cells: readonly ConfusionCell<L>[], labels: readonly L[]): number[] {
  const v = new Array<number>(labels.length * labels.length).fill(0);
  for (const c of cells) {
    const a = labels.indexOf(c.actual);
    const p = labels.indexOf(c.predicted);
    if (a < 0 || p < 0) throw new LakehouseError(`confusionVector: label ${a < 0 ? String(c.actual) : String(c.predicted)} is not one of ${labels.join(', ')}`);
    v[a * labels.length + p] += c.count;
  }
  return v;
}

/** Per-class precision, recall and F1 from a flat confusion vector. */
function perClass(v: ArrayLike<number>, L: number): { precision: number; recall: number; f1: number }[] {
  return Array.from({ length: L }, (_, k) => {
    let tp = 0;
    let predicted = 0;
    let actual = 0;
    for (let j = 0; j < L; j++) {
      predicted += v[j * L + k];
      actual += v[k * L + j];
    }
    tp = v[k * L + k];
    const precision = predicted === 0 ? 0 : tp / predicted;
    const recall = actual === 0 ? 0 : tp / actual;
    return { precision, recall, f1: precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall) };
  });
}

/** accuracy and macro-F1 of the model and of always predicting the class with index `majority`. */
function classificationValues(v: ArrayLike<number>, L: number, majority: number): Record<string, [number, number]> {
  let n = 0;
  let hits = 0;
  const base = new Array<number>(L * L).fill(0);
  for (let a = 0; a < L; a++) {
    for (let p = 0; p < L; p++) {
      const c = v[a * L + p];
      n += c;
      if (a === p) hits += c;
      base[a * L + majority] += c;
    }
  }
  const macro = (x: ArrayLike<number>) => perClass(x, L).reduce((s, r) => s + r.f1, 0) / L;
  return { accuracy: [hits / n, base[majority * L + majority] / n], macro_f1: [macro(v), macro(base)] };
}

/** The mean of perClass(x, L)'s F1, summed in class order as perClass's rows are, without its objects. */
function macroF1(x: ArrayLike<number>, L: number): number {
  let total = 0;
  for (let k = 0; k < L; k++) {
    let predicted = 0;
    let actual = 0;
    for (let j = 0; j < L; j++) {
      predicted += x[j * L + k];
      actual += x[k * L + j];
    }
    const tp = x[k * L + k];
    const precision = predicted === 0 ? 0 : tp / predicted;
    const recall = actual === 0 ? 0 : tp / actual;
    total += precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  }
  return total / L;
}

/** improvement() of accuracy and macro-F1 as classificationValues computes them, with `base` as reused scratch (the bootstrap's hot path). */
function classificationImprovements(v: ArrayLike<number>, L: number, majority: number, base: Float64Array): number[] {
  let n = 0;
  let hits = 0;
  base.fill(0);
  for (let a = 0; a < L; a++) {
    for (let p = 0; p < L; p++) {
      const c = v[a * L + p];
      n += c;
      if (a === p) hits += c;
      base[a * L + majority] += c;
    }
  }
  return [hits / n - base[majority * L + majority] / n, macroF1(v, L) - macroF1(base, L)];
}

/**
 * Accuracy and macro-F1 with clustered intervals, and per-class precision and recall (descriptive), each
 * beside the value of the baseline that always predicts `majority` (the training rows' majority class).
 * `clusters` are flat confusion vectors (confusionVector), one per cluster.
 */
export function classificationMetrics<L>(clusters: readonly (readonly number[])[], majority: L, labels: readonly L[], salt: string, resamples = BOOTSTRAP_RESAMPLES): MetricResult[] {
  const L = labels.length;
  const maj = labels.indexOf(majority);
  if (maj < 0) throw new LakehouseError(`classificationMetrics: majority class ${String(majority)} is not one of the labels`);
  const total = new Array<number>(L * L).fill(0).map((_, j) => clusters.reduce((s, c) => s + c[j], 0));
  const names = ['accuracy', 'macro_f1'];
  const point = classificationValues(total, L, maj);
  const scratch = new Float64Array(L * L);
  const ci = clusterBootstrap(clusters, (sum) => classificationImprovements(sum, L, maj, scratch), { seed: SEED, salt, resamples });
  const rows = names.map((m, k) => compared(m, point[m][0], point[m][1], ci[k]));
  // A constant majority class has a macro-F1 that even a guessing model beats (it scores on the
  // other classes at all): macro-F1 is only called better when accuracy is better too.
  if (rows[1].verdict === 'better' && rows[0].verdict !== 'better') Object.assign(rows[1], { verdict: 'inconclusive', beats_baseline: false });
  const base = new Array<number>(L * L).fill(0);
  for (let a = 0; a < L; a++) for (let p = 0; p < L; p++) base[a * L + maj] += total[a * L + p];
  const model = perClass(total, L);
  const baseline = perClass(base, L);
  const none = { diff_ci_low: null, diff_ci_high: null, verdict: null, beats_baseline: null };
  labels.forEach((label, k) => {
    rows.push({ metric_name: `precision_${String(label)}`, metric_value: model[k].precision, baseline_value: baseline[k].precision, ...none });
    rows.push({ metric_name: `recall_${String(label)}`, metric_value: model[k].recall, baseline_value: baseline[k].recall, ...none });
  });
  return rows;
}

/** Per-cluster flat confusion vectors in JS, in the clusters' sorted order. */
export function classificationClusters<L>(actual: readonly L[], predicted: readonly L[], labels: readonly L[], clusters: readonly string[]): number[][] {
  if (actual.length !== predicted.length || actual.length !== clusters.length) throw new LakehouseError('classificationClusters: arrays differ in length');
  const L = labels.length;
  const by = new Map<string, number[]>();
  actual.forEach((a, i) => {
    const v = by.get(clusters[i]) ?? new Array<number>(L * L).fill(0);
    const ai = labels.indexOf(a);
    const pi = labels.indexOf(predicted[i]);
    if (ai < 0 || pi < 0) throw new LakehouseError(`classificationClusters: label ${String(ai < 0 ? a : predicted[i])} is not one of ${labels.join(', ')}`);
    v[ai * L + pi]++;
    by.set(clusters[i], v);
  });
  return [...by].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)).map(([, v]) => v);
}

/** Throws when any test key is also a training key: no metric is computed on trained-on rows. */
export function assertNoLeak(trainKeys: ReadonlySet<string>, testKeys: Iterable<string>, what: string): void {
  for (const k of testKeys) {
    if (trainKeys.has(k)) throw new LeakError(`${what}: test row with key ${k} was also a training row`);
  }
}

/** Throws when the target, or a column derived from it, is among the features. */
export function assertTargetNotFeature(target: string, features: readonly string[], derivedFrom: readonly string[] = [target]): void {
  const bad = features.filter((f) => derivedFrom.includes(f));
  if (bad.length > 0) throw new LeakError(`model of ${target}: feature(s) ${bad.join(', ')} are the target or define it`);
}

/** Mean and sample standard deviation of a metric over folds. */
export function meanStd(values: readonly number[]): { mean: number; std: number } {
  const n = values.length;
  const mean = values.reduce((s, v) => s + v, 0) / n;
  const std = n > 1 ? Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, std };
}
