// The node-table scorer in Node against ml-random-forest's predict: regression values bit for bit,
// classes exactly (tied votes included), with NaN and infinite inputs.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadForest, trainForestClassifier, trainForestRegressor, type ForestArtifact } from './forest.ts';
import { forestNodes } from './forest-node-sql.ts';
import { flattenForest, predictClassifier, predictRegressor } from './forest-node-js.ts';
import { edgeRows, makeTestData } from './test-data.ts';

const small = { nEstimators: 9, maxDepth: 6, minNumSamples: 5, progress: false };
const columnsOf = (X: number[][]) => X[0].map((_, j) => X.map((r) => r[j]));

describe('forests scored from their node tables in Node equal ml-random-forest', () => {
  const train = makeTestData(500, 'node-js-train');
  const X = [...makeTestData(400, 'node-js-test').X, ...edgeRows(5)] as number[][];

  it('regressor: every prediction bit for bit', () => {
    const forest = trainForestRegressor(train.X, train.y, { ...small, seed: 3, maxFeatures: 0.8 });
    const artifact = JSON.parse(JSON.stringify(forest)) as ForestArtifact;
    const js = loadForest(artifact).predict(X) as number[];
    const got = predictRegressor(flattenForest(forestNodes(artifact.model)), columnsOf(X), X.length);
    js.forEach((v, i) => assert.ok(Object.is(got[i], v), `row ${i}: ${got[i]} vs ${v}`));
  });

  it('classifier: every class, with an even number of trees so that votes tie', () => {
    const labels = train.classes.map((c) => ['a', 'b', 'c', 'd'][c]);
    const forest = trainForestClassifier(train.X, labels, { ...small, nEstimators: 6, maxDepth: 3, seed: 11, maxFeatures: 0.6 });
    const artifact = JSON.parse(JSON.stringify(forest)) as ForestArtifact;
    const js = loadForest(artifact).predict(X);
    const got = predictClassifier(flattenForest(forestNodes(artifact.model)), artifact.classes!.length, columnsOf(X), X.length);
    assert.deepEqual([...got].map((k) => artifact.classes![k]), js);
  });
});
