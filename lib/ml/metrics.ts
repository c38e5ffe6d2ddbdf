// Evaluation metrics (same definitions as scikit-learn's r2_score, f1_score(average='macro') etc.).
import { LakehouseError } from '../errors.ts';

export class MetricError extends LakehouseError {}

function check(actual: readonly unknown[], predicted: readonly unknown[], what: string): void {
  if (actual.length !== predicted.length) throw new MetricError(`${what}: ${actual.length} actual values but ${predicted.length} predictions`);
  if (actual.length === 0) throw new MetricError(`${what}: no rows`);
}

export function mean(values: readonly number[]): number {
  if (values.length === 0) throw new MetricError('mean: no values');
  let s = 0;
  for (const v of values) s += v;
  return s / values.length;
}

export function rmse(actual: readonly number[], predicted: readonly number[]): number {
  check(actual, predicted, 'rmse');
  let s = 0;
  for (let i = 0; i < actual.length; i++) s += (actual[i] - predicted[i]) ** 2;
  return Math.sqrt(s / actual.length);
}

export function mae(actual: readonly number[], predicted: readonly number[]): number {
  check(actual, predicted, 'mae');
  let s = 0;
  for (let i = 0; i < actual.length; i++) s += Math.abs(actual[i] - predicted[i]);
  return s / actual.length;
}

/** Coefficient of determination against the mean of `actual` (0 for a constant prediction of it). */
export function r2(actual: readonly number[], predicted: readonly number[]): number {
  check(actual, predicted, 'r2');
  const m = mean(actual);
  let res = 0;
  let tot = 0;
  for (let i = 0; i < actual.length; i++) {
    res += (actual[i] - predicted[i]) ** 2;
    tot += (actual[i] - m) ** 2;
  }
  if (tot === 0) return res === 0 ? 1 : 0;
  return 1 - res / tot;
}

export function accuracy<L>(actual: readonly L[], predicted: readonly L[]): number {
  check(actual, predicted, 'accuracy');
  let hits = 0;
  for (let i = 0; i < actual.length; i++) if (actual[i] === predicted[i]) hits++;
  return hits / actual.length;
}

export interface ClassReport<L> {
  label: L;
  precision: number;
  recall: number;
  f1: number;
  /** Rows whose actual class is `label`. */
  support: number;
}

function sortedLabels<L>(values: readonly L[]): L[] {
  return [...new Set(values)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * Precision, recall and F1 per class, for `labels` (default: every label seen in either list,
 * sorted). An undefined ratio (no predictions or no rows of a class) counts as 0, as scikit-learn's
 * zero_division=0.
 */
export function perClassReport<L>(actual: readonly L[], predicted: readonly L[], labels?: readonly L[]): ClassReport<L>[] {
  check(actual, predicted, 'perClassReport');
  const classes = labels ? [...labels] : sortedLabels([...actual, ...predicted]);
  return classes.map((label) => {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (let i = 0; i < actual.length; i++) {
      const a = actual[i] === label;
      const p = predicted[i] === label;
      if (a && p) tp++;
      else if (p) fp++;
      else if (a) fn++;
    }
    const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
    const recall = tp + fn === 0 ? 0 : tp / (tp + fn);
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    return { label, precision, recall, f1, support: tp + fn };
  });
}

/** Unweighted mean of the per-class F1 scores (scikit-learn's f1_score(average='macro')). */
export function macroF1<L>(actual: readonly L[], predicted: readonly L[], labels?: readonly L[]): number {
  return mean(perClassReport(actual, predicted, labels).map((r) => r.f1));
}

export interface ConfusionCell<L> {
  actual: L;
  predicted: L;
  count: number;
}

/** Every (actual, predicted) pair of `labels` (default: all seen, sorted), zeros included. */
export function confusionMatrix<L>(actual: readonly L[], predicted: readonly L[], labels?: readonly L[]): ConfusionCell<L>[] {
  check(actual, predicted, 'confusionMatrix');
  const classes = labels ? [...labels] : sortedLabels([...actual, ...predicted]);
  const index = new Map(classes.map((c, k) => [c, k]));
  const counts = classes.map(() => new Array<number>(classes.length).fill(0));
  for (let i = 0; i < actual.length; i++) {
    const a = index.get(actual[i]);
    const p = index.get(predicted[i]);
    if (a === undefined || p === undefined) throw new MetricError(`confusionMatrix: row ${i} has a label outside the given labels`);
    counts[a][p]++;
  }
  return classes.flatMap((a, i) => classes.map((p, j) => ({ actual: a, predicted: p, count: counts[i][j] })));
}

/** The most frequent label (ties: the smallest label), e.g. a majority-class baseline from training rows. */
export function majorityLabel<L>(values: readonly L[]): L {
  if (values.length === 0) throw new MetricError('majorityLabel: no values');
  const counts = new Map<L, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best = sortedLabels(values)[0];
  for (const [label, n] of counts) {
    const bn = counts.get(best)!;
    if (n > bn || (n === bn && label < best)) best = label;
  }
  return best;
}
