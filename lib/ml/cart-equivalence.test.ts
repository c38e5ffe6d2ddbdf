// The patched ml-cart (presorted split search, patches/ml-cart+2.1.1.patch) must grow exactly the
// trees of the original library: same splits, thresholds, gains and leaves, compared as JSON
// against the unpatched package rebuilt by reverse-applying the patch.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DecisionTreeClassifier, DecisionTreeRegression, isCartPatched, RandomForestRegression, type DecisionTreeClass } from './ml-libs.ts';
import { requirePristine } from './pristine-libs.ts';
import { makeTestData } from './test-data.ts';

const pristineCart = requirePristine('ml-cart') as { DecisionTreeRegression: DecisionTreeClass; DecisionTreeClassifier: DecisionTreeClass };
const pristineForest = requirePristine('ml-random-forest') as { RandomForestRegression: typeof RandomForestRegression };

function treeJSON(Tree: DecisionTreeClass, X: number[][], y: number[], options: Record<string, unknown>): string {
  const tree = new Tree(options);
  tree.train(X, y);
  return JSON.stringify(tree);
}

describe('patched ml-cart', () => {
  it('is what node_modules holds, and the pristine copy is not patched', () => {
    assert.equal(isCartPatched(), true);
    const tree = new pristineCart.DecisionTreeRegression({ minNumSamples: 1 });
    tree.train([[0], [1], [2]], [0, 1, 2]);
    assert.equal(typeof (tree.root as { trainByPartition?: unknown }).trainByPartition, 'undefined');
  });

  it('grows the same regression trees as the original', () => {
    for (let seed = 1; seed <= 12; seed++) {
      const { X, y } = makeTestData(80 + seed * 10, seed, seed % 2 === 0);
      const options = { maxDepth: seed % 4 === 0 ? Infinity : 6, minNumSamples: 1 + (seed % 5) };
      const expected = treeJSON(pristineCart.DecisionTreeRegression, X, y, options);
      assert.equal(treeJSON(DecisionTreeRegression, X, y, options), expected, `seed ${seed}`);
    }
  });

  it('grows the same classification trees as the original', () => {
    for (let seed = 1; seed <= 12; seed++) {
      const { X, classes } = makeTestData(80 + seed * 10, `c${seed}`);
      const options = { maxDepth: seed % 4 === 0 ? Infinity : 6, minNumSamples: 1 + (seed % 5), gainThreshold: seed % 3 === 0 ? 0 : 0.01 };
      const expected = treeJSON(pristineCart.DecisionTreeClassifier, X, classes, options);
      assert.equal(treeJSON(DecisionTreeClassifier, X, classes, options), expected, `seed ${seed}`);
    }
  });

  it('keeps a forest identical to the original forest (bagging patch included)', () => {
    const { X, y } = makeTestData(250, 'forest');
    const options = { nEstimators: 4, seed: 11, maxFeatures: 0.8, replacement: false, useSampleBagging: true, noOOB: true, treeOptions: { maxDepth: 5, minNumSamples: 3 } };
    const ours = new RandomForestRegression(options);
    ours.train(X, y);
    const original = new pristineForest.RandomForestRegression(options);
    original.train(X, y);
    assert.equal(JSON.stringify(ours.toJSON()), JSON.stringify(original.toJSON()));
    assert.deepEqual(ours.predict(X.slice(0, 20)), original.predict(X.slice(0, 20)));
  });
});
