// The catalog split: feature-vector groups (duplicates of a recording under several track ids) never
// straddle the hold-out split or a fold, the cap samples the training side only, and it is seeded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FoldError } from '../../lib/ml/folds.ts';
import { assertSplitHonest, splitCatalog } from './catalog-split.ts';

// 1,000 rows in 700 groups: every 10th group has four rows (one recording under four ids).
const groups = Array.from({ length: 1000 }, (_, i) => `g${i % 10 === 0 ? Math.floor(i / 4) : i}`);
const strata = groups.map((_, i) => ['Happy_Calm', 'Neutral', 'Sad_Calm'][i % 3]);
const options = { holdoutShare: 0.2, folds: 5, cvCap: 400, seed: 42 };

function sidesOf(idx: number[]): Set<string> {
  return new Set(idx.map((i) => groups[i]));
}

test('no feature-vector group straddles the hold-out split or any fold', () => {
  const s = splitCatalog(groups, strata, options);
  const train = sidesOf(s.train);
  assert.ok(s.holdout.length > 150 && s.holdout.length < 260, `hold-out size ${s.holdout.length}`);
  for (const i of s.holdout) assert.ok(!train.has(groups[i]), `group ${groups[i]} on both sides`);
  assert.equal(s.folds.length, 5);
  const tested = s.folds.flatMap((f) => f.test);
  assert.equal(new Set(tested).size, tested.length, 'every CV row is tested once');
  assert.ok(tested.length <= 400);
  for (const f of s.folds) {
    const ft = sidesOf(f.train);
    for (const i of f.test) assert.ok(!ft.has(groups[i]), `fold ${f.index}: group ${groups[i]} on both sides`);
    for (const i of [...f.train, ...f.test]) assert.ok(!sidesOf(s.holdout).has(groups[i]), 'CV uses training-side rows only');
  }
});

test('a planted leak (a hold-out row moved into training) is refused', () => {
  const s = splitCatalog(groups, strata, options);
  const leaked = { ...s, train: [...s.train, s.holdout[0]] };
  assert.throws(() => assertSplitHonest(groups, leaked), FoldError);
});

test('the training cap samples the training side only, keeps the strata shares, and is seeded', () => {
  const full = splitCatalog(groups, strata, options);
  const capped = splitCatalog(groups, strata, { ...options, trainCap: 300 });
  assert.deepEqual(capped.holdout, full.holdout, 'the hold-out does not depend on the cap');
  assert.equal(capped.train.length, 300);
  assert.deepEqual([...capped.train, ...capped.unused].sort((a, b) => a - b), full.train, 'cap + unused = the training side');
  const share = (idx: number[], k: string) => idx.filter((i) => strata[i] === k).length / idx.length;
  for (const k of ['Happy_Calm', 'Neutral', 'Sad_Calm']) assert.ok(Math.abs(share(capped.train, k) - share(full.train, k)) < 0.01, k);
  assert.deepEqual(splitCatalog(groups, strata, { ...options, trainCap: 300 }), capped, 'same inputs and seed, same split');
  assert.notDeepEqual(splitCatalog(groups, strata, { ...options, seed: 7 }).holdout, full.holdout, 'another seed, another split');
});
