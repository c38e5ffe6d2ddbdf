// Metric rows, baselines and the clustered verdict, by hand and against lib/ml's metrics; the SQL sums
// agree with the JS ones; the leak guards throw on planted leaks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openDuckDB, queryRows } from '../../lib/duckdb.ts';
import { mae, macroF1, r2, rmse } from '../../lib/ml/metrics.ts';
import { seededRng } from '../../lib/ml/rng.ts';
import { clusterBootstrap } from '../../lib/ml/bootstrap.ts';
import { SEED } from './model-settings.ts';
import {
  LeakError, REGRESSION_SUMS, assertNoLeak, assertTargetNotFeature, classificationClusters, classificationMetrics, confusionVector, groupClusters,
  meanStd, regressionClusters, regressionMetrics, regressionSumsSql, type RegressionSums,
} from './evaluation.ts';

const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) < 1e-9, `${what}: ${a} vs ${b}`);
const byName = <T extends { metric_name: string }>(rows: T[]) => Object.fromEntries(rows.map((r) => [r.metric_name, r]));

test('regression rows: model and baseline metrics equal lib/ml metrics on the same rows; a clear gain is better', () => {
  const rnd = seededRng('eval', 'reg');
  const actual = Array.from({ length: 200 }, () => rnd());
  const predicted = actual.map((a) => a + 0.1 * (rnd() - 0.5));
  const base = actual.map(() => 0.45);
  const by = byName(regressionMetrics(regressionClusters(actual, predicted, base, actual.map((_, i) => `t${i % 40}`)), 'reg'));
  close(by.rmse.metric_value, rmse(actual, predicted), 'rmse');
  close(by.mae.metric_value, mae(actual, predicted), 'mae');
  close(by.r2.metric_value, r2(actual, predicted), 'r2');
  close(by.rmse.baseline_value!, rmse(actual, base), 'baseline rmse');
  close(by.r2.baseline_value!, r2(actual, base), 'baseline r2');
  for (const m of ['rmse', 'mae', 'r2']) {
    assert.equal(by[m].verdict, 'better', m);
    assert.equal(by[m].beats_baseline, true, m);
    const diff = m === 'r2' ? by[m].metric_value - by[m].baseline_value! : by[m].baseline_value! - by[m].metric_value;
    assert.ok(by[m].diff_ci_low! > 0 && by[m].diff_ci_low! <= diff && diff <= by[m].diff_ci_high!, `${m}: point diff inside its interval`);
  }
});

test('the sign: a model worse than its baseline is worse on every metric (lower error and higher r2 mean better)', () => {
  const rnd = seededRng('eval', 'worse');
  const actual = Array.from({ length: 200 }, () => rnd());
  const wild = actual.map(() => rnd());
  const by = byName(regressionMetrics(regressionClusters(actual, wild, actual.map(() => 0.5), actual.map((_, i) => `t${i % 50}`)), 'worse'));
  for (const m of ['rmse', 'mae', 'r2']) {
    assert.equal(by[m].verdict, 'worse', `${m}: ${JSON.stringify(by[m])}`);
    assert.ok(by[m].diff_ci_high! < 0);
  }
});

test('clustered by track: a gain that is significant play by play but rests on 6 tracks is inconclusive', () => {
  // 6 tracks played 30 times each. The model is right on 4 tracks and wrong on 2 by more: per play
  // (180 "independent" rows) the mean gain is many standard errors above 0; per track it is not.
  const actual: number[] = [];
  const predicted: number[] = [];
  const tracks: string[] = [];
  const rnd = seededRng('eval', 'cluster');
  for (let t = 0; t < 6; t++) {
    const a = 0.2 + 0.1 * t;
    for (let k = 0; k < 30; k++) {
      actual.push(a + 0.01 * (rnd() - 0.5));
      predicted.push(t < 4 ? a : a + (t === 4 ? 0.35 : -0.32));
      tracks.push(`t${t}`);
    }
  }
  const base = actual.map(() => 0.45);
  const clustered = byName(regressionMetrics(regressionClusters(actual, predicted, base, tracks), 'c'));
  const perPlay = byName(regressionMetrics(regressionClusters(actual, predicted, base, actual.map((_, i) => `p${i}`)), 'c'));
  assert.equal(perPlay.mae.verdict, 'better', 'treating plays as independent claims a gain');
  assert.equal(clustered.mae.verdict, 'inconclusive', JSON.stringify(clustered.mae));
  assert.ok(clustered.mae.diff_ci_low! < 0 && clustered.mae.diff_ci_high! > 0);
});

test('fewer than 5 tracks: no interval and no verdict beyond inconclusive; the interval is seeded and independent of row order', () => {
  const few = byName(regressionMetrics(regressionClusters([0.1, 0.9, 0.2, 0.8], [0.1, 0.9, 0.2, 0.8], [0.5, 0.5, 0.5, 0.5], ['a', 'b', 'c', 'd']), 'f'));
  assert.deepEqual([few.rmse.diff_ci_low, few.rmse.diff_ci_high, few.rmse.verdict], [null, null, 'inconclusive']);
  const rnd = seededRng('eval', 'order');
  const rows = Array.from({ length: 60 }, (_, i) => ({ a: rnd(), p: rnd(), t: `t${i % 12}` }));
  const run = (rs: typeof rows) => regressionMetrics(regressionClusters(rs.map((r) => r.a), rs.map((r) => r.p), rs.map(() => 0.5), rs.map((r) => r.t)), 'o');
  const [x, y] = [run([...rows].reverse()), run(rows)];
  x.forEach((r, i) => {
    assert.equal(r.verdict, y[i].verdict);
    for (const k of ['metric_value', 'baseline_value', 'diff_ci_low', 'diff_ci_high'] as const) close(r[k]!, y[i][k]!, `${r.metric_name} ${k}`);
  });
});

test('classification rows by hand: accuracy, macro-F1, per-class precision and recall, majority baseline', () => {
  const L = ['A', 'B', 'C'];
  // actual A: 4 rows (3 predicted A, 1 B); actual B: 2 (both B); actual C: 2 (1 C, 1 A). Majority of training: A.
  const actual = ['A', 'A', 'A', 'A', 'B', 'B', 'C', 'C'];
  const predicted = ['A', 'A', 'A', 'B', 'B', 'B', 'C', 'A'];
  const clusters = classificationClusters(actual, predicted, L, actual.map((_, i) => `t${i}`));
  const by = byName(classificationMetrics(clusters, 'A', L, 'cls'));
  close(by.accuracy.metric_value, 6 / 8, 'accuracy');
  close(by.accuracy.baseline_value!, 4 / 8, 'majority accuracy');
  // precision A 3/4, recall A 3/4; B 2/3, 1; C 1, 1/2 → F1 0.75, 0.8, 2/3
  close(by.precision_A.metric_value, 3 / 4, 'precision A');
  close(by.recall_B.metric_value, 1, 'recall B');
  close(by.recall_C.metric_value, 1 / 2, 'recall C');
  close(by.macro_f1.metric_value, (0.75 + 0.8 + 2 / 3) / 3, 'macro F1');
  close(by.macro_f1.metric_value, macroF1(actual, predicted, L), 'macro F1 = lib/ml');
  // baseline predicts A always: precision A 1/2, recall A 1 → F1 2/3; B, C 0
  close(by.macro_f1.baseline_value!, (2 / 3) / 3, 'baseline macro F1');
  close(by.recall_A.baseline_value!, 1, 'baseline recall A');
  assert.deepEqual([by.precision_B.verdict, by.precision_B.diff_ci_low, by.precision_B.beats_baseline], [null, null, null], 'per-class rows compare nothing');
  assert.ok(['better', 'worse', 'inconclusive'].includes(by.accuracy.verdict!));
  assert.deepEqual(confusionVector([{ actual: 'B', predicted: 'C', count: 2 }], L), [0, 0, 0, 0, 0, 2, 0, 0, 0]);
});

test('the SQL sums per cluster give the same statistics as the JS ones, and groupClusters merges a cluster\'s rows', async () => {
  const rnd = seededRng('eval', 'sql');
  const rows = Array.from({ length: 50 }, (_, i) => [rnd(), rnd(), rnd(), i % 7]);
  const js = regressionClusters(rows.map((r) => r[0]), rows.map((r) => r[1]), rows.map((r) => r[2]), rows.map((r) => `c${r[3]}`));
  const { instance, connection } = await openDuckDB({});
  try {
    await connection.run(`create table t as select r[1] as a, r[2] as p, r[3] as b, 'c' || r[4]::integer as cluster from (select unnest(json_extract($1::json, '$[*]')::double[][]) as r)`, [JSON.stringify(rows)]);
    const sql = await queryRows<RegressionSums & { cluster: string; listener_id: string; evaluation_set: string }>(connection,
      `select 'x' as listener_id, 's' as evaluation_set, cluster, ${regressionSumsSql('a', 'p', 'b')} from t group by cluster order by cluster`);
    const grouped = [...groupClusters(sql, (r) => REGRESSION_SUMS.map((k) => Number(r[k]))).values()];
    assert.equal(grouped.length, 1);
    assert.equal(grouped[0].clusters.length, 7);
    grouped[0].clusters.forEach((c, i) => c.forEach((v, j) => close(v, js[i][j], `cluster ${i} ${REGRESSION_SUMS[j]}`)));
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

test('the intervals come from the metrics as defined: rmse, mae, r2, accuracy and macro-F1 recomputed plainly give the same doubles', () => {
  const rnd = seededRng('eval', 'same');
  const actual = Array.from({ length: 300 }, () => rnd());
  const predicted = actual.map((a) => a + 0.2 * (rnd() - 0.5));
  const reg = regressionClusters(actual, predicted, actual.map(() => 0.5), actual.map((_, i) => `t${i % 60}`));
  const r2Of = (sse: number, sst: number) => (sst === 0 ? (sse === 0 ? 1 : 0) : 1 - sse / sst);
  const regStat = (s: Float64Array) => {
    const [n, sumA, sumA2, sse, sae, sseBase, saeBase] = Array.from(s);
    const sst = Math.max(0, sumA2 - (sumA * sumA) / n);
    return [Math.sqrt(sseBase / n) - Math.sqrt(sse / n), saeBase / n - sae / n, r2Of(sse, sst) - r2Of(sseBase, sst)];
  };
  const regCi = clusterBootstrap(reg, regStat, { seed: SEED, salt: 'same:reg' });
  assert.deepEqual(regressionMetrics(reg, 'same:reg').map((m) => [m.diff_ci_low, m.diff_ci_high]), regCi.map((c) => [c.low, c.high]));
  const labels = ['a', 'b', 'c'];
  const act = actual.map((a) => labels[Math.floor(a * 3)]);
  const pred = actual.map((a, i) => labels[Math.floor((rnd() < 0.7 ? a : rnd()) * 3)] ?? labels[i % 3]);
  const cls = classificationClusters(act, pred, labels, actual.map((_, i) => `t${i % 60}`));
  const f1s = (v: number[]) => labels.map((_, k) => {
    const tp = v[k * 3 + k];
    const p = v[k] + v[3 + k] + v[6 + k];
    const r = v[k * 3] + v[k * 3 + 1] + v[k * 3 + 2];
    const precision = p === 0 ? 0 : tp / p;
    const recall = r === 0 ? 0 : tp / r;
    return precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  }).reduce((x, y) => x + y, 0) / 3;
  const clsStat = (s: Float64Array) => {
    const v = Array.from(s);
    const n = v.reduce((x, y) => x + y, 0);
    const base = [0, 0, 0, 0, 0, 0, 0, 0, 0];
    for (let a = 0; a < 3; a++) for (let p = 0; p < 3; p++) base[a * 3 + 1] += v[a * 3 + p];
    return [(v[0] + v[4] + v[8]) / n - base[4] / n, f1s(v) - f1s(base)];
  };
  const clsCi = clusterBootstrap(cls, clsStat, { seed: SEED, salt: 'same:cls' });
  const rows = classificationMetrics(cls, 'b', labels, 'same:cls');
  for (const [k, name] of ['accuracy', 'macro_f1'].entries()) {
    const row = rows.find((r) => r.metric_name === name)!;
    for (const side of ['low', 'high'] as const) close(row[`diff_ci_${side}`]!, clsCi[k][side]!, `${name} ${side}`);
  }
});
