// Honest evaluation, written once for both paths: test rows held in JS (the catalog hold-out) and
// test rows aggregated by DuckDB (listener events). Both reduce to the same sufficient statistics,
// from which the metrics, the baseline's metrics on the same rows and a paired verdict are computed.
//
// Verdict ("beats_baseline"): the model beats its baseline when its mean per-row gain over the
// baseline (squared error for RMSE and R², absolute error for MAE, correctness for accuracy) exceeds
// two standard errors of that gain. On noise the gain hovers around zero or below, so no verdict is
// claimed from luck.
import { LakehouseError } from '../../lib/errors.ts';
import { perClassReport, type ConfusionCell } from '../../lib/ml/metrics.ts';

export class LeakError extends LakehouseError {}

export interface MetricResult {
  metric_name: string;
  metric_value: number;
  baseline_value: number | null;
  beats_baseline: boolean | null;
}

/** Sums over the test rows: a = actual, p = model prediction, b = baseline prediction. */
export interface RegressionStats {
  n: number;
  sum_a: number;
  /** n × population variance of a (the total sum of squares). */
  sst: number;
  sse: number;
  sae: number;
  sse_base: number;
  sae_base: number;
  /** Sum and sum of squares of (a-b)² - (a-p)². */
  gain_sq: number;
  gain_sq2: number;
  /** Sum and sum of squares of |a-b| - |a-p|. */
  gain_abs: number;
  gain_abs2: number;
}

export function regressionStats(actual: readonly number[], predicted: readonly number[], baseline: readonly number[]): RegressionStats {
  if (actual.length !== predicted.length || actual.length !== baseline.length) throw new LakehouseError('regressionStats: arrays differ in length');
  const n = actual.length;
  const m = actual.reduce((s, v) => s + v, 0) / (n || 1);
  const s: RegressionStats = { n, sum_a: 0, sst: 0, sse: 0, sae: 0, sse_base: 0, sae_base: 0, gain_sq: 0, gain_sq2: 0, gain_abs: 0, gain_abs2: 0 };
  for (let i = 0; i < n; i++) {
    const a = actual[i];
    const ep = a - predicted[i];
    const eb = a - baseline[i];
    const gq = eb * eb - ep * ep;
    const ga = Math.abs(eb) - Math.abs(ep);
    s.sum_a += a;
    s.sst += (a - m) ** 2;
    s.sse += ep * ep;
    s.sae += Math.abs(ep);
    s.sse_base += eb * eb;
    s.sae_base += Math.abs(eb);
    s.gain_sq += gq;
    s.gain_sq2 += gq * gq;
    s.gain_abs += ga;
    s.gain_abs2 += ga * ga;
  }
  return s;
}

/** The same statistics as DuckDB aggregates over columns a, p and b (names as in RegressionStats). */
export function regressionStatsSql(a: string, p: string, b: string): string {
  const gq = `((${a} - ${b}) ^ 2 - (${a} - ${p}) ^ 2)`;
  const ga = `(abs(${a} - ${b}) - abs(${a} - ${p}))`;
  return [
    'count(*)::double as n', `sum(${a}) as sum_a`, `var_pop(${a}) * count(*) as sst`,
    `sum((${a} - ${p}) ^ 2) as sse`, `sum(abs(${a} - ${p})) as sae`, `sum((${a} - ${b}) ^ 2) as sse_base`, `sum(abs(${a} - ${b})) as sae_base`,
    `sum(${gq}) as gain_sq`, `sum(${gq} ^ 2) as gain_sq2`, `sum(${ga}) as gain_abs`, `sum(${ga} ^ 2) as gain_abs2`,
  ].join(', ');
}

/** True when the mean paired gain exceeds two standard errors (needs at least two rows). */
export function pairedGainSignificant(sum: number, sumSq: number, n: number): boolean {
  if (n < 2) return false;
  const mean = sum / n;
  const variance = Math.max(0, (sumSq - n * mean * mean) / (n - 1));
  const se = Math.sqrt(variance / n);
  return mean > 0 && mean > 2 * se;
}

const r2Of = (sse: number, sst: number) => (sst === 0 ? (sse === 0 ? 1 : 0) : 1 - sse / sst);

export function regressionMetrics(s: RegressionStats): MetricResult[] {
  const sq = pairedGainSignificant(s.gain_sq, s.gain_sq2, s.n);
  return [
    { metric_name: 'rmse', metric_value: Math.sqrt(s.sse / s.n), baseline_value: Math.sqrt(s.sse_base / s.n), beats_baseline: sq },
    { metric_name: 'mae', metric_value: s.sae / s.n, baseline_value: s.sae_base / s.n, beats_baseline: pairedGainSignificant(s.gain_abs, s.gain_abs2, s.n) },
    { metric_name: 'r2', metric_value: r2Of(s.sse, s.sst), baseline_value: r2Of(s.sse_base, s.sst), beats_baseline: sq },
  ];
}

/** Confusion cells of the test rows (any order, zeros optional) → per-row labels, for lib/ml's metrics. */
function expand<L>(cells: readonly ConfusionCell<L>[]): { actual: L[]; predicted: L[] } {
  const actual: L[] = [];
  const predicted: L[] = [];
  for (const c of cells) {
    for (let k = 0; k < c.count; k++) {
      actual.push(c.actual);
      predicted.push(c.predicted);
    }
  }
  return { actual, predicted };
}

/**
 * Accuracy, macro-F1 and per-class precision and recall of the model, each beside the value of the
 * baseline that always predicts `majority` (the training rows' majority class) on the same rows.
 */
export function classificationMetrics<L extends string>(cells: readonly ConfusionCell<L>[], majority: L, labels: readonly L[]): MetricResult[] {
  const { actual, predicted } = expand(cells);
  const n = actual.length;
  const baseline = actual.map(() => majority);
  const model = perClassReport(actual, predicted, labels);
  const base = perClassReport(actual, baseline, labels);
  let gain = 0;
  let gain2 = 0;
  let hits = 0;
  let baseHits = 0;
  for (let i = 0; i < n; i++) {
    const g = Number(actual[i] === predicted[i]) - Number(actual[i] === majority);
    gain += g;
    gain2 += g * g;
    hits += Number(actual[i] === predicted[i]);
    baseHits += Number(actual[i] === majority);
  }
  const macro = (r: { f1: number }[]) => r.reduce((s, x) => s + x.f1, 0) / r.length;
  const rows: MetricResult[] = [
    { metric_name: 'accuracy', metric_value: hits / n, baseline_value: baseHits / n, beats_baseline: pairedGainSignificant(gain, gain2, n) },
    { metric_name: 'macro_f1', metric_value: macro(model), baseline_value: macro(base), beats_baseline: macro(model) > macro(base) && pairedGainSignificant(gain, gain2, n) },
  ];
  model.forEach((r, k) => {
    rows.push({ metric_name: `precision_${r.label}`, metric_value: r.precision, baseline_value: base[k].precision, beats_baseline: null });
    rows.push({ metric_name: `recall_${r.label}`, metric_value: r.recall, baseline_value: base[k].recall, beats_baseline: null });
  });
  return rows;
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
