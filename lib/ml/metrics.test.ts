import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { accuracy, confusionMatrix, macroF1, mae, majorityLabel, MetricError, perClassReport, r2, rmse } from './metrics.ts';

describe('regression metrics', () => {
  const actual = [1, 2, 3, 4];
  const predicted = [1.5, 2, 2, 5];

  it('rmse, mae and r2 match hand-computed values', () => {
    // errors 0.5, 0, -1, 1: squares 0.25 + 0 + 1 + 1 = 2.25
    assert.equal(rmse(actual, predicted), Math.sqrt(2.25 / 4));
    assert.equal(mae(actual, predicted), 2.5 / 4);
    // total sum of squares around 2.5: 2.25 + 0.25 + 0.25 + 2.25 = 5
    assert.equal(r2(actual, predicted), 1 - 2.25 / 5);
  });

  it('r2 of predicting the test mean is 0 and of a perfect fit is 1', () => {
    assert.equal(r2(actual, [2.5, 2.5, 2.5, 2.5]), 0);
    assert.equal(r2(actual, actual), 1);
  });

  it('refuses mismatched or empty inputs', () => {
    assert.throws(() => rmse([1, 2], [1]), MetricError);
    assert.throws(() => r2([], []), /no rows/);
  });
});

describe('classification metrics', () => {
  const actual = ['a', 'a', 'a', 'b', 'b', 'c'];
  const predicted = ['a', 'a', 'b', 'b', 'c', 'c'];

  it('accuracy and per-class precision/recall', () => {
    assert.equal(accuracy(actual, predicted), 4 / 6);
    const report = perClassReport(actual, predicted);
    assert.deepEqual(report.map((r) => [r.label, r.precision, r.recall, r.support]), [
      ['a', 1, 2 / 3, 3],
      ['b', 1 / 2, 1 / 2, 2],
      ['c', 1 / 2, 1, 1],
    ]);
  });

  it('macro-F1 is the unweighted mean of the class F1 scores', () => {
    const f1a = (2 * 1 * (2 / 3)) / (1 + 2 / 3);
    const f1b = 0.5;
    const f1c = (2 * 0.5 * 1) / 1.5;
    assert.ok(Math.abs(macroF1(actual, predicted) - (f1a + f1b + f1c) / 3) < 1e-12);
    // a class never predicted nor present still counts when listed (F1 0)
    assert.ok(Math.abs(macroF1(actual, predicted, ['a', 'b', 'c', 'd']) - (f1a + f1b + f1c) / 4) < 1e-12);
  });

  it('confusion matrix lists every pair with counts summing to the rows', () => {
    const cells = confusionMatrix(actual, predicted);
    assert.equal(cells.length, 9);
    assert.equal(cells.reduce((s, c) => s + c.count, 0), 6);
    assert.equal(cells.find((c) => c.actual === 'a' && c.predicted === 'b')?.count, 1);
    assert.equal(cells.find((c) => c.actual === 'c' && c.predicted === 'a')?.count, 0);
  });

  it('majority label breaks ties by the smallest label', () => {
    assert.equal(majorityLabel(['b', 'a', 'b', 'a', 'c']), 'a');
    assert.equal(majorityLabel([3, 1, 3]), 3);
  });
});
