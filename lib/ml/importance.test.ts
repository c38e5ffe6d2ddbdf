import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { trainForestRegressor } from './forest.ts';
import { permutationImportance } from './importance.ts';
import { r2 } from './metrics.ts';
import { seededRng } from './rng.ts';

function data(rows: number, seed: string) {
  const rng = seededRng(seed, 'importance');
  const X = Array.from({ length: rows }, () => [rng(), rng(), rng()]);
  // feature 0 drives the target, feature 1 a little, feature 2 not at all
  return { X, y: X.map((r) => 2 * r[0] + 0.3 * r[1] + 0.05 * rng()) };
}

describe('permutationImportance', () => {
  it('ranks the driving feature first and the unused one last, on held-out rows', () => {
    const train = data(500, 'train');
    const test = data(200, 'test');
    const forest = trainForestRegressor(train.X, train.y, { nEstimators: 8, maxDepth: 6, seed: 1, progress: false });
    const importance = permutationImportance((X) => forest.predict(X), test.X, test.y, r2, { featureNames: ['signal', 'weak', 'noise'], seed: 1 });
    assert.deepEqual(importance.map((i) => i.feature), ['signal', 'weak', 'noise']);
    assert.ok(importance[0].importance > importance[1].importance);
    assert.ok(importance[1].importance > importance[2].importance);
    assert.ok(Math.abs(importance[2].importance) < 0.02);
    // the input rows are left untouched
    assert.deepEqual(test.X, data(200, 'test').X);
  });
});
