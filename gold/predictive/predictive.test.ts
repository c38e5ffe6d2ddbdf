// The predictive job end to end on a small seeded lake: every play gets one row per prediction
// table, no test row shares a feature vector with the training set (a planted leak is caught),
// metrics are recomputed from the test rows alone, the time split is respected, synthetic targets
// stay in their own set, and the trained models are reused while the catalog does not change.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir, testConfig } from '../../test/helpers.ts';
import { silentLogger } from '../../lib/logger.ts';
import { withWriter, type LakeSession } from '../../lib/session.ts';
import { queryRows } from '../../lib/duckdb.ts';
import { buildGold } from '../build.ts';
import { leakedTestRows, testCatalog, testEvents, seedLake } from './test-lake.ts';
import { eventSql } from './catalog-job.ts';

type Row = Record<string, unknown>;
const catalog = testCatalog({ tracks: 400, seed: 'predictive-test' });
const events = [...testEvents('a', 260, catalog, 1), ...testEvents('b', 200, catalog, 2)];
const cap = { trainCap: 200 };

async function withLake<T>(fn: (s: LakeSession, dataDir: string) => Promise<T>, cat = catalog, dataDir?: string, plays = events): Promise<T> {
  const own = dataDir ? null : tempDir();
  const dir = dataDir ?? own!.dir;
  try {
    return await withWriter({ ...testConfig(dir), ...cap }, silentLogger, 'test', async (s) => {
      await seedLake(s, cat, plays);
      await buildGold(s, { category: 'predictive' });
      return fn(s, dir);
    });
  } finally {
    own?.cleanup();
  }
}

async function checkSplits(s: LakeSession): Promise<void> {
  {
    for (const table of ['mood_predictions', 'mood_classifications', 'energy_forecasts']) {
      const [c] = await queryRows<{ n: number; d: number }>(s.conn, `select count(*)::integer as n, count(distinct (listener_id, event_id))::integer as d from gold.${table}`);
      assert.deepEqual(c, { n: events.length, d: events.length }, `${table}: one row per play`);
    }
    for (const table of ['mood_predictions', 'mood_classifications']) {
      assert.equal(await leakedTestRows(s, table), 0, `${table}: no test row has a trained-on feature vector`);
      const [splits] = await queryRows<{ train: number; test: number }>(s.conn, `select count(*) filter (where split = 'train')::integer as train, count(*) filter (where split = 'test')::integer as test from gold.${table}`);
      assert.ok(splits.train > 0 && splits.test > 0, `${table}: both splits present`);
    }
    // Plant a leak: relabel a trained-on play as test in a copy of the table; the check must see it.
    await s.conn.run(`create temp table planted as select * replace (case when event_id = (select min(event_id) from gold.mood_predictions where split = 'train') then 'test' else split end as split) from gold.mood_predictions`);
    await s.conn.run('create or replace view gold.mood_predictions as select * from temp.main.planted');
    assert.ok(await leakedTestRows(s, 'mood_predictions') > 0, 'the planted leak is detected');
  }
}

async function checkMetrics(s: LakeSession): Promise<void> {
  {
    const metrics = await queryRows<Row>(s.conn, 'select * from gold.model_performance_metrics');
    const listenerRmse = await queryRows<{ listener_id: string; evaluation_set: string; rmse: number; n: number }>(s.conn, `
      select listener_id, evaluation_set, sqrt(avg((actual_valence - predicted_valence) ^ 2)) as rmse, count(*)::integer as n
      from gold.mood_predictions where split = 'test' group by all`);
    assert.ok(listenerRmse.length >= 2);
    for (const r of listenerRmse) {
      const m = metrics.find((x) => x.listener_id === r.listener_id && x.evaluation_set === r.evaluation_set && x.model_name === 'valence_forest' && x.metric_name === 'rmse');
      assert.ok(m, `metric row for ${r.listener_id} ${r.evaluation_set}`);
      assert.ok(Math.abs(Number(m.metric_value) - r.rmse) < 1e-9 && Number(m.test_rows) === r.n, `${r.listener_id} ${r.evaluation_set}: rmse of the test rows`);
      assert.equal(m.synthetic_target_share, r.evaluation_set.endsWith('_synthetic') ? 1 : 0);
    }
    const [mixed] = await queryRows<{ n: number }>(s.conn, `select count(*)::integer as n from gold.mood_predictions where (evaluation_set = 'listener_events' and feature_source not in ('kaggle', 'spotify_api')) or (evaluation_set = 'listener_events_synthetic' and feature_source <> 'synthetic')`);
    assert.equal(mixed.n, 0, 'real and synthetic targets never mixed');
    const split = await queryRows<{ listener_id: string; last_train: string; first_test: string; synthetic_train: number }>(s.conn, `
      select listener_id, max(played_at) filter (where split = 'train')::varchar as last_train, min(played_at) filter (where split = 'test')::varchar as first_test,
        count(*) filter (where split = 'train' and feature_source not in ('kaggle', 'spotify_api'))::integer as synthetic_train
      from gold.energy_forecasts group by all order by all`);
    assert.equal(split.length, 2);
    for (const r of split) {
      assert.ok(r.last_train < r.first_test, `${r.listener_id}: every training play is earlier than every test play`);
      assert.equal(r.synthetic_train, 0, `${r.listener_id}: synthetic energies are never trained on`);
    }
    const baseline = await queryRows<{ n: number }>(s.conn, `
      with hourly as (select listener_id, hour_of_day, avg(actual_energy) as m from gold.energy_forecasts where split = 'train' group by all),
      overall as (select listener_id, avg(actual_energy) as m from gold.energy_forecasts where split = 'train' group by all),
      kind as (select distinct listener_id, baseline_name like 'per-hour%' as per_hour from gold.model_performance_metrics where model_name = 'energy_time_linear')
      select count(*)::integer as n from gold.energy_forecasts f join kind k using (listener_id) join overall o using (listener_id)
      left join hourly h using (listener_id, hour_of_day)
      where f.split = 'test' and abs(f.baseline_energy - case when k.per_hour then coalesce(h.m, o.m) else o.m end) > 1e-12`);
    assert.equal(baseline[0].n, 0, 'the baseline is the mean of the training plays (of that hour when the per-hour mean was chosen)');
    const verdicts = metrics.filter((m) => m.listener_id !== null && ['rmse', 'r2', 'accuracy'].includes(String(m.metric_name)));
    assert.ok(verdicts.length > 0);
    for (const m of verdicts) {
      assert.ok(Number(m.n_tracks) >= 1 && Number(m.n_tracks) <= Number(m.n_plays) && Number(m.n_plays) === Number(m.test_rows), `${m.listener_id} ${m.model_name}: n_tracks, n_plays`);
      assert.ok(['better', 'worse', 'inconclusive'].includes(String(m.verdict)));
      assert.equal(m.beats_baseline, m.verdict === 'better');
      if (m.diff_ci_low !== null) assert.ok(Number(m.diff_ci_low) <= Number(m.diff_ci_high));
    }
  }
}

test('one row per play; no leak between train and test (a planted leak is caught); metrics from test rows only; synthetic targets apart; time split respected', async () => {
  await withLake(async (s) => {
    await checkMetrics(s);
    await checkSplits(s);
  });
});

test('same inputs and seed give identical predictions; the models are reused until the catalog changes', async () => {
  const { dir, cleanup } = tempDir();
  const { dir: other, cleanup: cleanupOther } = tempDir();
  try {
    const read = (s: LakeSession) => queryRows<Row>(s.conn, `
      select p.event_id, p.predicted_valence, c.predicted_mood, f.predicted_energy, f.baseline_energy, p.model_id
      from gold.mood_predictions p join gold.mood_classifications c using (listener_id, event_id) join gold.energy_forecasts f using (listener_id, event_id) order by all`);
    const first = await withLake(read, catalog, dir);
    const files = readdirSync(join(dir, 'models', 'valence_forest'));
    const mtime = statSync(join(dir, 'models', 'valence_forest', files[0])).mtimeMs;
    const again = await withLake(read, catalog, dir);
    assert.deepEqual(again, first, 'reused model: identical predictions');
    assert.equal(statSync(join(dir, 'models', 'valence_forest', files[0])).mtimeMs, mtime, 'the artifact was reused, not rewritten');
    const fresh = await withLake(read, catalog, other);
    assert.deepEqual(fresh, first, 'a fresh lake with the same inputs and seed: identical predictions');
    const changed = await withLake(read, catalog.slice(0, 390), dir);
    assert.notEqual(changed[0].model_id, first[0].model_id, 'a changed catalog trains a new model');
    assert.equal(readdirSync(join(dir, 'models', 'valence_forest')).length, 2);
    assert.ok(existsSync(join(dir, 'models', 'mood_forest')));
  } finally {
    cleanup();
    cleanupOther();
  }
});

test("a listener's predictions and metrics are the same with and without another listener in the lake", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const readA = (s: LakeSession) => Promise.all([
      ...['mood_predictions', 'mood_classifications', 'energy_forecasts'].map((t) => queryRows<Row>(s.conn, `select * from gold.${t} where listener_id = 'a' order by event_id`)),
      queryRows<Row>(s.conn, "select * exclude (training_seconds, trained_at) from gold.model_performance_metrics where listener_id = 'a' order by all"),
      queryRows<Row>(s.conn, "select * from gold.confusion_matrix where listener_id = 'a' order by all"),
    ]);
    const together = await withLake(readA, catalog, dir);
    const alone = await withLake(readA, catalog, dir, events.filter((e) => e.listener_id === 'a'));
    assert.ok(together[0].length === 260 && together[3].length > 0);
    assert.deepEqual(alone, together);
  } finally {
    cleanup();
  }
});

test('the play-level prediction SQL joins by hash only (no nested-loop join over the plays)', async () => {
  await withLake(async (s) => {
    const plan = (await queryRows<Row>(s.conn, `explain ${eventSql('valence as actual_valence', 'predicted_valence', undefined, 'valence_model')}`))
      .map((r) => String(r.explain_value)).join('\n');
    assert.match(plan, /HASH_JOIN/);
    for (const slow of ['NESTED_LOOP_JOIN', 'PIECEWISE_MERGE_JOIN', 'IE_JOIN', 'BLOCKWISE_NL_JOIN', 'CROSS_PRODUCT']) assert.ok(!plan.includes(slow), `${slow} in the plan:\n${plan}`);
  });
});
