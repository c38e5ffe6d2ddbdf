// The time model: the fit from (hour, weekend) counts and means equals ml-regression on every row,
// and the SQL features equal the JS ones, so the forecasts in the table are the model's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { openDuckDB, queryRows } from '../../lib/duckdb.ts';
import { seededRng } from '../../lib/ml/rng.ts';
import { exactMeanSql, fitTimeModel, predictTime, timePredictionSql, type HourGroup } from './time-model.ts';
import { TIME_FEATURES_SQL, timeFeatures } from './model-settings.ts';

const require = createRequire(import.meta.url);
const { MultivariateLinearRegression } = require('ml-regression') as {
  MultivariateLinearRegression: new (x: number[][], y: number[][]) => { predict(x: number[][]): number[][] };
};

test('the grouped least-squares fit equals the regression on every play', () => {
  const rnd = seededRng('time', 'fit');
  const plays = Array.from({ length: 400 }, () => {
    const hour = Math.floor(rnd() * 24);
    const weekend = rnd() < 0.3;
    return { hour, weekend, energy: 0.5 + 0.2 * Math.sin((2 * Math.PI * hour) / 24) + (weekend ? 0.05 : 0) + 0.2 * (rnd() - 0.5) };
  });
  const groups = new Map<string, HourGroup & { sum: number }>();
  for (const p of plays) {
    const k = `${p.hour}|${p.weekend}`;
    const g = groups.get(k) ?? { hour: p.hour, weekend: p.weekend, n: 0, mean: 0, sum: 0 };
    g.n++;
    g.sum += p.energy;
    g.mean = g.sum / g.n;
    groups.set(k, g);
  }
  const model = fitTimeModel('a', [...groups.values()]);
  assert.equal(model.trainRows, 400);
  const full = new MultivariateLinearRegression(plays.map((p) => timeFeatures(p.hour, p.weekend)), plays.map((p) => [p.energy]));
  for (let hour = 0; hour < 24; hour++) {
    for (const weekend of [false, true]) {
      const expected = full.predict([timeFeatures(hour, weekend)])[0][0];
      assert.ok(Math.abs(predictTime(model, hour, weekend) - expected) < 1e-9, `${hour} ${weekend}`);
    }
  }
  assert.ok(model.importance[0] > model.importance[2], 'the planted daily wave weighs more than the second harmonic');
});

test('the SQL forecast equals the JS one for every hour and weekend flag', async () => {
  const coefficients = [0.4, 0.1, -0.2, 0.05, 0.03, 0.07];
  const { instance, connection } = await openDuckDB({});
  try {
    const rows = await queryRows<{ hour_of_day: number; is_weekend: boolean; f: number; x: number[] }>(connection, `
      with m as (select ${coefficients.map((c, j) => `${c}::double as b${j}`).join(', ')}),
      t as (select h::integer as hour_of_day, w as is_weekend from range(24) r(h), (values (true), (false)) v(w))
      select hour_of_day, is_weekend, ${timePredictionSql('m')} as f, [${TIME_FEATURES_SQL.join(', ')}]::double[] as x from t, m`);
    assert.equal(rows.length, 48);
    for (const r of rows) {
      const js = timeFeatures(r.hour_of_day, r.is_weekend);
      js.forEach((v, j) => assert.ok(Math.abs(Number(r.x[j]) - v) < 1e-12, `feature ${j} at ${r.hour_of_day}`));
      assert.ok(Math.abs(r.f - predictTime({ coefficients }, r.hour_of_day, r.is_weekend)) < 1e-12);
    }
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
});

test('the exact mean does not depend on the order the rows are summed in', async () => {
  // 0.1 + 0.2 + 0.3 and 0.3 + 0.2 + 0.1 differ in the last bit as doubles: a plain avg() shows it.
  const { instance, connection } = await openDuckDB({ threads: 1 });
  try {
    const mean = async (order: number[], expr: string) => {
      const rows = await queryRows<{ m: number }>(connection, `select ${expr} as m from (values ${order.map((v, i) => `(${i}, ${v}::double)`).join(', ')}) t(i, v)`);
      return rows[0].m;
    };
    assert.notEqual(await mean([0.1, 0.2, 0.3], 'avg(v)'), await mean([0.3, 0.2, 0.1], 'avg(v)'), 'the sample no longer shows order dependence of a plain avg');
    assert.equal(await mean([0.1, 0.2, 0.3], exactMeanSql('v')), await mean([0.3, 0.2, 0.1], exactMeanSql('v')));
    assert.equal(await mean([0.1, 0.2, 0.3], exactMeanSql('v')), 0.6 / 3, 'the exact sum 0.6, divided as a double');
    assert.equal(await mean([0.25, 0.5], exactMeanSql('case when i = 0 then null else v end')), 0.5, 'nulls are neither summed nor counted');
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
});
