// Seeded splits for honest evaluation: grouped k-fold and hold-out (a group, e.g. a track_id, never
// has rows on both sides) and a stratified sample with a cap. Inputs are one key per row; outputs are
// row indexes in ascending order.
import { LakehouseError } from '../errors.ts';
import { seededRng, shuffleInPlace } from './rng.ts';

export class FoldError extends LakehouseError {}

export interface Fold {
  index: number;
  train: number[];
  test: number[];
}

function groupRows(groups: readonly string[]): Map<string, number[]> {
  const rows = new Map<string, number[]>();
  groups.forEach((g, i) => {
    const list = rows.get(g);
    if (list) list.push(i);
    else rows.set(g, [i]);
  });
  return rows;
}

/** Distinct groups in a seeded order (sorted first, so the order does not depend on row order). */
function shuffledGroups(rows: Map<string, number[]>, seed: number | string, salt: string): string[] {
  const keys = [...rows.keys()].sort();
  return shuffleInPlace(keys, seededRng(seed, salt));
}

/**
 * k folds over the groups: groups are taken in a seeded order and each goes to the fold with the
 * fewest rows so far, so fold sizes stay balanced. Every row is in exactly one test set.
 */
export function groupedKFold(groups: readonly string[], k: number, seed: number | string): Fold[] {
  if (!Number.isInteger(k) || k < 2) throw new FoldError(`groupedKFold: k must be an integer ≥ 2, got ${k}`);
  const rows = groupRows(groups);
  if (rows.size < k) throw new FoldError(`groupedKFold: ${rows.size} groups cannot fill ${k} folds`);
  const sizes = new Array<number>(k).fill(0);
  const foldOf = new Int32Array(groups.length);
  for (const g of shuffledGroups(rows, seed, 'kfold')) {
    let f = 0;
    for (let j = 1; j < k; j++) if (sizes[j] < sizes[f]) f = j;
    const members = rows.get(g)!;
    for (const i of members) foldOf[i] = f;
    sizes[f] += members.length;
  }
  return sizes.map((_, f) => {
    const train: number[] = [];
    const test: number[] = [];
    for (let i = 0; i < groups.length; i++) (foldOf[i] === f ? test : train).push(i);
    return { index: f, train, test };
  });
}

/** A seeded hold-out split by group with about `testShare` of the rows in test. */
export function groupedHoldout(groups: readonly string[], testShare: number, seed: number | string): { train: number[]; test: number[] } {
  if (!(testShare > 0 && testShare < 1)) throw new FoldError(`groupedHoldout: testShare must be in (0, 1), got ${testShare}`);
  const rows = groupRows(groups);
  if (rows.size < 2) throw new FoldError(`groupedHoldout: ${rows.size} group(s) cannot be split`);
  const target = Math.max(1, Math.round(groups.length * testShare));
  const inTest = new Uint8Array(groups.length);
  let taken = 0;
  for (const g of shuffledGroups(rows, seed, 'holdout')) {
    if (taken >= target) break;
    for (const i of rows.get(g)!) inTest[i] = 1;
    taken += rows.get(g)!.length;
  }
  const train: number[] = [];
  const test: number[] = [];
  for (let i = 0; i < groups.length; i++) (inTest[i] ? test : train).push(i);
  if (train.length === 0) throw new FoldError('groupedHoldout: the test share left no training rows');
  return { train, test };
}

/** Throws when a group has rows in both train and test (a leak). */
export function assertNoGroupLeak(groups: readonly string[], split: { train: readonly number[]; test: readonly number[] }): void {
  const trainGroups = new Set(split.train.map((i) => groups[i]));
  for (const i of split.test) {
    if (trainGroups.has(groups[i])) throw new FoldError(`group leak: group ${groups[i]} (row ${i}) is in both train and test`);
  }
}

/**
 * At most `cap` row indexes, each stratum keeping its share of the rows (largest remainders get
 * the rounding, ties by stratum), drawn with a seeded shuffle inside each stratum. All rows when
 * there are no more than `cap`.
 */
export function stratifiedSample(strata: readonly (string | number)[], cap: number, seed: number | string): number[] {
  if (!Number.isInteger(cap) || cap < 1) throw new FoldError(`stratifiedSample: cap must be a positive integer, got ${cap}`);
  const n = strata.length;
  if (n <= cap) return Array.from({ length: n }, (_, i) => i);
  const rows = groupRows(strata.map(String));
  const keys = [...rows.keys()].sort();
  const exact = keys.map((key) => (rows.get(key)!.length * cap) / n);
  const quota = exact.map(Math.floor);
  let left = cap - quota.reduce((a, b) => a + b, 0);
  const byRemainder = keys.map((_, k) => k).sort((a, b) => (exact[b] - quota[b]) - (exact[a] - quota[a]) || a - b);
  for (const k of byRemainder) {
    if (left === 0) break;
    quota[k]++;
    left--;
  }
  const out: number[] = [];
  keys.forEach((key, k) => {
    const members = shuffleInPlace([...rows.get(key)!], seededRng(seed, `stratum:${key}`));
    out.push(...members.slice(0, quota[k]));
  });
  return out.sort((a, b) => a - b);
}
