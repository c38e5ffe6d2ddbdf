import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertNoGroupLeak, FoldError, groupedHoldout, groupedKFold, stratifiedSample } from './folds.ts';
import { seededRng } from './rng.ts';

// 300 rows over 120 track ids, some ids repeated up to 5 times (like ids listed under several genres)
const rng = seededRng(1, 'folds-test');
const groups = Array.from({ length: 300 }, (_, i) => `track-${i < 120 ? i : Math.floor(rng() * 40)}`);

describe('groupedKFold', () => {
  const folds = groupedKFold(groups, 5, 7);

  it('puts every row in exactly one test set', () => {
    const seen = folds.flatMap((f) => f.test).sort((a, b) => a - b);
    assert.deepEqual(seen, Array.from({ length: 300 }, (_, i) => i));
    for (const f of folds) assert.equal(f.train.length + f.test.length, 300);
  });

  it('never lets a group straddle train and test', () => {
    for (const f of folds) assertNoGroupLeak(groups, f);
  });

  it('keeps fold sizes balanced', () => {
    const sizes = folds.map((f) => f.test.length);
    assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 6, `sizes ${sizes}`);
  });

  it('is deterministic for a seed, different for another, and independent of row order', () => {
    assert.deepEqual(groupedKFold(groups, 5, 7), folds);
    assert.notDeepEqual(groupedKFold(groups, 5, 8), folds);
    const reversed = [...groups].reverse();
    const foldOfGroup = (gs: string[], fs: typeof folds) => new Map(fs.flatMap((f) => f.test.map((i) => [gs[i], f.index] as const)));
    assert.deepEqual(foldOfGroup(reversed, groupedKFold(reversed, 5, 7)), foldOfGroup(groups, folds));
  });

  it('refuses too few groups', () => {
    assert.throws(() => groupedKFold(['a', 'a', 'b'], 3, 1), FoldError);
  });
});

describe('assertNoGroupLeak', () => {
  it('detects a planted leak', () => {
    const [f] = groupedKFold(groups, 5, 7);
    const leaked = { train: f.train, test: [...f.test, f.train[0]] };
    assert.throws(() => assertNoGroupLeak(groups, leaked), /group leak/);
  });
});

describe('groupedHoldout', () => {
  it('holds out about the requested share by group', () => {
    const split = groupedHoldout(groups, 0.2, 3);
    assertNoGroupLeak(groups, split);
    assert.equal(split.train.length + split.test.length, 300);
    assert.ok(split.test.length >= 60 && split.test.length <= 70, `test ${split.test.length}`);
    assert.deepEqual(groupedHoldout(groups, 0.2, 3), split);
  });
});

describe('stratifiedSample', () => {
  const strata = Array.from({ length: 1000 }, (_, i) => (i % 10 < 6 ? 'Neutral' : i % 10 < 9 ? 'Happy' : 'Sad'));

  it('caps the rows and keeps each stratum share', () => {
    const sample = stratifiedSample(strata, 100, 1);
    assert.equal(sample.length, 100);
    assert.equal(new Set(sample).size, 100);
    const count = (s: string) => sample.filter((i) => strata[i] === s).length;
    assert.deepEqual([count('Neutral'), count('Happy'), count('Sad')], [60, 30, 10]);
    assert.deepEqual(sample, [...sample].sort((a, b) => a - b));
  });

  it('is seeded and returns everything under the cap', () => {
    assert.deepEqual(stratifiedSample(strata, 100, 1), stratifiedSample(strata, 100, 1));
    assert.notDeepEqual(stratifiedSample(strata, 100, 1), stratifiedSample(strata, 100, 2));
    assert.equal(stratifiedSample(strata, 5000, 1).length, 1000);
  });
});
