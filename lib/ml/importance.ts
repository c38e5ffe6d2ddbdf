// Permutation feature importance on held-out rows: how much a score drops when one feature's
// column is shuffled (breaking its link with the target), averaged over seeded repeats. Unlike
// split-count or impurity importances it is measured on data the model did not train on and works
// for any model with a predict function.
import { LakehouseError } from '../errors.ts';
import { seededRng, shuffleInPlace } from './rng.ts';

export interface FeatureImportance {
  feature: string;
  /** Mean drop of the score (baseline − permuted); larger is more important, ≤ 0 means useless. */
  importance: number;
  /** Standard deviation of the drop over the repeats (0 with one repeat). */
  std: number;
}

export interface PermutationOptions {
  featureNames: readonly string[];
  seed: number | string;
  /** Shuffles per feature (default 3). */
  repeats?: number;
}

export function permutationImportance<T>(
  predict: (X: number[][]) => T[],
  X: readonly (readonly number[])[],
  actual: readonly T[],
  score: (actual: readonly T[], predicted: readonly T[]) => number,
  options: PermutationOptions,
): FeatureImportance[] {
  const repeats = options.repeats ?? 3;
  if (X.length !== actual.length || X.length === 0) throw new LakehouseError(`permutationImportance: ${X.length} rows for ${actual.length} targets`);
  const rows = X.map((r) => [...r]);
  const baseline = score(actual, predict(rows));
  return options.featureNames.map((feature, j) => {
    const original = rows.map((r) => r[j]);
    const drops: number[] = [];
    for (let k = 0; k < repeats; k++) {
      const column = shuffleInPlace([...original], seededRng(options.seed, `perm:${j}:${k}`));
      rows.forEach((r, i) => { r[j] = column[i]; });
      drops.push(baseline - score(actual, predict(rows)));
    }
    rows.forEach((r, i) => { r[j] = original[i]; });
    const m = drops.reduce((a, b) => a + b, 0) / repeats;
    const v = drops.reduce((a, b) => a + (b - m) ** 2, 0) / repeats;
    return { feature, importance: m, std: Math.sqrt(v) };
  });
}
