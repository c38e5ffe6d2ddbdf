// The gold SQL agrees with an independent recomputation over the same silver rows, written another
// way: window functions and sums instead of group-by averages, the textbook Pearson formula instead
// of corr(), and the circular-linear correlation computed in TypeScript.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tempDir, testConfig } from '../test/helpers.ts';
import { silentLogger } from '../lib/logger.ts';
import { withWriter, type LakeSession } from '../lib/session.ts';
import { queryRows } from '../lib/duckdb.ts';
import { buildGold } from './build.ts';
import { writeSilverEvents, type Row } from './shared/fixture-runner.ts';
import { sampleEvents } from './shared/sample-events.ts';


async function withSampleLake(fn: (s: LakeSession) => Promise<void>): Promise<void> {
  const { dir, cleanup } = tempDir();
  try {
    await withWriter(testConfig(dir), silentLogger, 'test', async (s) => {
      await writeSilverEvents(s, [...sampleEvents('a', 150, 11), ...sampleEvents('b', 90, 12)]);
      for (const category of ['descriptive', 'diagnostic']) await buildGold(s, { category });
      await fn(s);
    });
  } finally {
    cleanup();
  }
}

/** Every gold row has an independent row with the same key; rounded values lie within half a unit of the last decimal. */
function assertAgree(table: string, gold: Row[], independent: Row[], key: string[], tolerances: Record<string, number>): void {
  const k = (r: Row) => key.map((c) => String(r[c])).join('|');
  const byKey = new Map(independent.map((r) => [k(r), r]));
  assert.equal(gold.length, independent.length, `${table}: row count`);
  assert.ok(gold.length > 0, `${table}: has rows`);
  for (const g of gold) {
    const i = byKey.get(k(g));
    assert.ok(i, `${table}: no independent row for ${k(g)}`);
    for (const [col, tol] of Object.entries(tolerances)) {
      const gv: unknown = g[col];
      const iv: unknown = i[col];
      if (gv === null || iv === null) assert.equal(gv, iv, `${table} ${k(g)} ${col}`);
      else assert.ok(Math.abs(Number(gv) - Number(iv)) <= tol + 1e-9, `${table} ${k(g)} ${col}: ${gv} vs ${iv}`);
    }
  }
}

test('listening_patterns_by_time and weekend_vs_weekday agree with window-function recomputations', async () => {
  await withSampleLake(async (s) => {
    const patterns = await queryRows<Row>(s.conn, `
      select distinct listener_id, hour_of_day, day_of_week,
        count(*) over w as play_count,
        sum(case when feature_source <> 'none' then valence end) over w / nullif(sum(case when feature_source <> 'none' then 1 end) over w, 0) as avg_valence,
        sum(case when feature_source <> 'none' then tempo end) over w / nullif(sum(case when feature_source <> 'none' then 1 end) over w, 0) as avg_tempo,
        sum(case when feature_source = 'none' then 1 else 0 end) over w as rows_without_features,
        sum(case when feature_source = 'synthetic' then 1 else 0 end) over w / nullif(sum(case when feature_source <> 'none' then 1 end) over w, 0) as synthetic_share
      from silver.listening_with_features
      window w as (partition by listener_id, hour_of_day, day_of_week)`);
    assertAgree('listening_patterns_by_time', await queryRows<Row>(s.conn, 'select * from gold.listening_patterns_by_time'), patterns,
      ['listener_id', 'hour_of_day', 'day_of_week'], { play_count: 0, avg_valence: 0.0005, avg_tempo: 0.05, rows_without_features: 0, synthetic_share: 0 });

    const periods = await queryRows<Row>(s.conn, `
      with f as (
        select listener_id, if(day_of_week >= 6, 'Weekend', 'Weekday') as period, valence,
               avg(valence) over (partition by listener_id, day_of_week >= 6) as m,
               count(*) over (partition by listener_id, day_of_week >= 6) as n
        from silver.listening_with_features where feature_source <> 'none'
      )
      select listener_id, period, sqrt(sum((valence - m) ^ 2) / (any_value(n) - 1)) as valence_stddev,
             sqrt(sum((valence - m) ^ 2) / (any_value(n) - 1)) as valence_variance, sum(valence) / any_value(n) as avg_valence
      from f group by listener_id, period`);
    assertAgree('weekend_vs_weekday', await queryRows<Row>(s.conn, 'select * from gold.weekend_vs_weekday'), periods,
      ['listener_id', 'period'], { valence_stddev: 0.0005, valence_variance: 0.0005, avg_valence: 0.0005 });
  });
});

test('feature_correlations agrees with the textbook Pearson formula', async () => {
  await withSampleLake(async (s) => {
    const features = ['valence', 'energy', 'danceability', 'acousticness', 'instrumentalness', 'tempo', 'loudness'];
    const pairs = features.flatMap((a, i) => features.slice(i + 1).map((b) => `
      select listener_id, '${a}' as feature_1, '${b}' as feature_2, count(*) as n,
        (count(*) * sum(${a} * ${b}) - sum(${a}) * sum(${b}))
          / sqrt((count(*) * sum(${a} * ${a}) - sum(${a}) ^ 2) * (count(*) * sum(${b} * ${b}) - sum(${b}) ^ 2)) as correlation
      from silver.listening_with_features where feature_source <> 'none' group by listener_id`));
    const independent = await queryRows<Row>(s.conn, pairs.join(' union all '));
    const gold = await queryRows<Row>(s.conn, 'select * from gold.feature_correlations');
    assertAgree('feature_correlations', gold, independent.map((r) => ({ ...r, sample_size: r.n })), ['listener_id', 'feature_1', 'feature_2'],
      { correlation: 0.0005, sample_size: 0 });
    for (const g of gold) {
      const r = Math.abs(Number(g.correlation));
      assert.equal(g.strength, r > 0.7 ? 'Strong' : r > 0.4 ? 'Moderate' : 'Weak');
    }
  });
});

function pearson(x: number[], y: number[]): number {
  const mx = x.reduce((a, b) => a + b, 0) / x.length;
  const my = y.reduce((a, b) => a + b, 0) / y.length;
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < x.length; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
    syy += (y[i] - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}

test('mood_time_correlations: cyclic-hour and circular-linear correlations agree with a TypeScript computation', async () => {
  await withSampleLake(async (s) => {
    const events = await queryRows<{ listener_id: string; hour_of_day: number; valence: number; energy: number }>(s.conn,
      "select listener_id, hour_of_day, valence, energy from silver.listening_with_features where feature_source <> 'none'");
    const gold = await queryRows<Row>(s.conn, 'select * from gold.mood_time_correlations');
    for (const listener of ['a', 'b']) {
      const mine = events.filter((e) => e.listener_id === listener);
      const c = mine.map((e) => Math.cos((2 * Math.PI * e.hour_of_day) / 24));
      const sn = mine.map((e) => Math.sin((2 * Math.PI * e.hour_of_day) / 24));
      const row = gold.find((g) => g.listener_id === listener)!;
      for (const feature of ['valence', 'energy'] as const) {
        const x = mine.map((e) => e[feature]);
        const [rxc, rxs, rcs] = [pearson(x, c), pearson(x, sn), pearson(c, sn)];
        const circular = Math.sqrt((rxc ** 2 + rxs ** 2 - 2 * rxc * rxs * rcs) / (1 - rcs ** 2));
        assert.ok(Math.abs(Number(row[`${feature}_hour_cos_r`]) - rxc) <= 0.0005 + 1e-9, `${listener} ${feature} cos`);
        assert.ok(Math.abs(Number(row[`${feature}_hour_sin_r`]) - rxs) <= 0.0005 + 1e-9, `${listener} ${feature} sin`);
        assert.ok(Math.abs(Number(row[`${feature}_hour_circular_r`]) - circular) <= 0.0005 + 1e-9, `${listener} ${feature} circular: ${row[`${feature}_hour_circular_r`]} vs ${circular}`);
      }
      // Repeated on every hour row of the listener.
      assert.equal(new Set(gold.filter((g) => g.listener_id === listener).map((g) => g.valence_hour_circular_r)).size, 1);
    }
  });
});
