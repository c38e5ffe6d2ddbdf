import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ForestError, loadForest, trainForestClassifier, trainForestRegressor, type ForestArtifact } from './forest.ts';
import { RandomForestRegression } from './ml-libs.ts';
import { requirePristine } from './pristine-libs.ts';
import { accuracy, r2 } from './metrics.ts';
import { makeTestData } from './test-data.ts';

const train = makeTestData(600, 'forest-train');
const test = makeTestData(200, 'forest-test');
const small = { nEstimators: 8, maxDepth: 6, minNumSamples: 5, progress: false };

describe('trainForestRegressor', () => {
  it('learns a learnable target and beats the mean on unseen rows', () => {
    const forest = trainForestRegressor(train.X, train.y, { ...small, seed: 1 });
    assert.ok(r2(test.y, forest.predict(test.X)) > 0.6);
  });

  it('is deterministic for a seed and changes with the seed', () => {
    const a = trainForestRegressor(train.X, train.y, { ...small, seed: 5 }).predict(test.X);
    const b = trainForestRegressor(train.X, train.y, { ...small, seed: 5 }).predict(test.X);
    const c = trainForestRegressor(train.X, train.y, { ...small, seed: 6 }).predict(test.X);
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
  });

  it('round-trips through a versioned JSON artifact with identical predictions', () => {
    const forest = trainForestRegressor(train.X, train.y, { ...small, seed: 2, featureNames: ['a', 'b', 'c', 'd', 'e'] });
    const artifact = JSON.parse(JSON.stringify(forest)) as ForestArtifact;
    assert.equal(artifact.format, 'lakehouse.random-forest');
    assert.equal(artifact.version, 1);
    assert.equal(artifact.trainRows, 600);
    const loaded = loadForest(artifact);
    assert.equal(loaded.kind, 'regressor');
    assert.deepEqual(loaded.featureNames, ['a', 'b', 'c', 'd', 'e']);
    assert.deepEqual(loaded.predict(test.X), forest.predict(test.X));
    assert.throws(() => loadForest({ ...artifact, version: 2 as 1 }), ForestError);
  });

  it('refuses non-finite inputs and ragged rows, naming the row', () => {
    assert.throws(() => trainForestRegressor([[1, 2], [NaN, 1]], [1, 2], small), /row 1, feature 0/);
    assert.throws(() => trainForestRegressor([[1, 2], [1]], [1, 2], small), /row 1 has 1 features/);
    assert.throws(() => trainForestRegressor([[1], [2]], [1, Infinity], small), /target 1/);
  });
});

describe('trainForestClassifier', () => {
  it('predicts labels, beats the majority class and round-trips', () => {
    const labels = train.classes.map((k) => `class-${k}`);
    const forest = trainForestClassifier(train.X, labels, { ...small, seed: 3 });
    assert.deepEqual(forest.classes, ['class-0', 'class-1', 'class-2', 'class-3']);
    const predicted = forest.predict(test.X);
    const actual = test.classes.map((k) => `class-${k}`);
    assert.ok(accuracy(actual, predicted) > 0.6);
    const loaded = loadForest(JSON.parse(JSON.stringify(forest)));
    assert.deepEqual(loaded.predict(test.X), predicted);
  });
});

describe('out-of-bag guard (patches/ml-random-forest+2.1.0.patch)', () => {
  // With one tree every in-bag row is "in every bootstrap sample": no out-of-bag prediction exists.
  const options = { nEstimators: 1, seed: 4, maxFeatures: 1, replacement: false, useSampleBagging: true, noOOB: false, treeOptions: { maxDepth: 3 } };

  it('the original library crashes on such a row', () => {
    const Original = (requirePristine('ml-random-forest') as { RandomForestRegression: typeof RandomForestRegression }).RandomForestRegression;
    assert.throws(() => new Original(options).train(train.X.slice(0, 50), train.y.slice(0, 50)), /input must not be empty/);
  });

  it('the patched library gives NaN for it and a prediction for out-of-bag rows', () => {
    const forest = new RandomForestRegression(options);
    forest.train(train.X.slice(0, 50), train.y.slice(0, 50));
    const oob = forest.predictOOB();
    assert.equal(oob.length, 50);
    assert.ok(oob.some((v) => Number.isNaN(v)));
    assert.ok(oob.some((v) => Number.isFinite(v)));
  });
});
