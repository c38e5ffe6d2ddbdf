// Metric rows, baselines and the verdict, by hand and against lib/ml's metrics; the SQL aggregates
// agree with the JS ones; the leak guards throw on planted leaks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openDuckDB, queryRows } from '../../lib/duckdb.ts';
import { mae, r2, rmse } from '../../lib/ml/metrics.ts';
import { seededRng } from '../../lib/ml/rng.ts';
import {
  LeakError, assertNoLeak, assertTargetNotFeature, classificationMetrics, meanStd, pairedGainSignificant, regressionMetrics, regressionStats,
  regressionStatsSql, type RegressionStats,
} from './evaluation.ts';

const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) < 1e-9, `${what}: ${a} vs ${b}`);

test('regression rows: model and baseline metrics equal lib/ml metrics on the same rows', () => {
  const rnd = seededRng('eval', 'reg');
  const actual = Array.from({ length: 200 }, () => rnd());
  const predicted = actual.map((a) => a + 0.1 * (rnd() - 0.5));
  const base = actual.map(() => 0.45);
  const rows = regressionMetrics(regressionStats(actual, predicted, base));
  const by = Object.fromEntries(rows.map((r) => [r.metric_name, r]));
  close(by.rmse.metric_value, rmse(actual, predicted), 'rmse');
  close(by.mae.metric_value, mae(actual, predicted), 'mae');
  close(by.r2.metric_value, r2(actual, predicted), 'r2');
  close(by.rmse.baseline_value!, rmse(actual, base), 'baseline rmse');
  close(by.r2.baseline_value!, r2(actual, base), 'baseline r2');
  assert.equal(by.rmse.beats_baseline, true);
  assert.equal(by.r2.beats_baseline, true);
});

test('the verdict: a prediction no better than the baseline does not beat it; a small positive gain within its noise is no verdict either', () => {
  const rnd = seededRng('eval', 'noise');
  const actual = Array.from({ length: 300 }, () => rnd());
  const lucky = actual.map((a) => 0.5 + 0.02 * (a - 0.5) + 0.3 * (rnd() - 0.5));
  const rows = regressionMetrics(regressionStats(actual, lucky, actual.map(() => 0.5)));
  assert.ok(rows.every((r) => r.beats_baseline === false), JSON.stringify(rows));
  assert.equal(pairedGainSignificant(10, 10 * 10 / 5 + 1e-9, 5), true, 'constant positive gain');
  assert.equal(pairedGainSignificant(0.1, 100, 50), false, 'tiny mean, large spread');
  assert.equal(pairedGainSignificant(1, 1, 1), false, 'one row is never evidence');
});

test('classification rows by hand: accuracy, macro-F1, per-class precision and recall, majority baseline', () => {
  const L = ['A', 'B', 'C'] as const;
  // actual A: 4 rows (3 predicted A, 1 B); actual B: 2 (both B); actual C: 2 (1 C, 1 A). Majority of training: A.
  const cells = [
    { actual: 'A', predicted: 'A', count: 3 }, { actual: 'A', predicted: 'B', count: 1 },
    { actual: 'B', predicted: 'B', count: 2 }, { actual: 'C', predicted: 'C', count: 1 }, { actual: 'C', predicted: 'A', count: 1 },
  ] as { actual: 'A' | 'B' | 'C'; predicted: 'A' | 'B' | 'C'; count: number }[];
  const by = Object.fromEntries(classificationMetrics(cells, 'A', L).map((r) => [r.metric_name, r]));
  close(by.accuracy.metric_value, 6 / 8, 'accuracy');
  close(by.accuracy.baseline_value!, 4 / 8, 'majority accuracy');
  // precision A 3/4, recall A 3/4; B 2/3, 1; C 1, 1/2 → F1 0.75, 0.8, 2/3
  close(by.precision_A.metric_value, 3 / 4, 'precision A');
  close(by.recall_B.metric_value, 1, 'recall B');
  close(by.recall_C.metric_value, 1 / 2, 'recall C');
  close(by.macro_f1.metric_value, (0.75 + 0.8 + 2 / 3) / 3, 'macro F1');
  // baseline predicts A always: precision A 1/2, recall A 1 → F1 2/3; B, C 0
  close(by.macro_f1.baseline_value!, (2 / 3) / 3, 'baseline macro F1');
  close(by.recall_A.baseline_value!, 1, 'baseline recall A');
  assert.equal(by.precision_B.beats_baseline, null);
});

test('the SQL aggregates give the same statistics as the JS ones', async () => {
  const rnd = seededRng('eval', 'sql');
  const rows = Array.from({ length: 50 }, () => [rnd(), rnd(), rnd()]);
  const js = regressionStats(rows.map((r) => r[0]), rows.map((r) => r[1]), rows.map((r) => r[2]));
  const { instance, connection } = await openDuckDB({});
  try {
    await connection.run(`create table t as select r[1] as a, r[2] as p, r[3] as b from (select unnest(json_extract($1::json, '$[*]')::double[][]) as r)`, [JSON.stringify(rows)]);
    const [sql] = await queryRows<RegressionStats>(connection, `select ${regressionStatsSql('a', 'p', 'b')} from t`);
    for (const k of Object.keys(js) as (keyof RegressionStats)[]) close(Number(sql[k]), js[k], k);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
});

test('leak guards: a planted shared key or a target among the features throws', () => {
  assert.doesNotThrow(() => assertNoLeak(new Set(['a', 'b']), ['c', 'd'], 'clean'));
  assert.throws(() => assertNoLeak(new Set(['a', 'b']), ['c', 'b'], 'planted'), LeakError);
  assert.throws(() => assertTargetNotFeature('valence', ['danceability', 'valence']), LeakError);
  assert.throws(() => assertTargetNotFeature('mood', ['energy', 'tempo'], ['valence', 'energy', 'mood']), /energy/);
  assert.doesNotThrow(() => assertTargetNotFeature('mood', ['tempo'], ['valence', 'energy', 'mood']));
  const { mean, std } = meanStd([1, 2, 3]);
  assert.equal(mean, 2);
  close(std, 1, 'sample std');
});
