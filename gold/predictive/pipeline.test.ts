// The predictive tables on the real files in ../shared/data (the Kaggle sample and the four
// listeners' exports). Training is capped at 2,000 catalog tracks here to keep the suite short; the
// figures quoted in ACADEMIC_DISCLAIMER.md come from the default (uncapped) settings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { historyDir, kaggleSample, tempDir, testConfig } from '../../test/helpers.ts';
import { silentLogger } from '../../lib/logger.ts';
import { withWriter } from '../../lib/session.ts';
import { queryRows } from '../../lib/duckdb.ts';
import { ingestExportStage, ingestKaggleStage, silverStage } from '../../pipeline/stages.ts';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { buildGold } from '../build.ts';
import { loadCatalogData, splitCatalog } from './catalog-models.ts';
import { CV_CAP, CV_FOLDS, HOLDOUT_SHARE, SEED } from './model-settings.ts';
import { leakedTestRows } from './test-lake.ts';
import { featureKeySql } from '../../silver/catalog_tracks.ts';
import { part3Problems } from '../cognitive/part3-invariants.ts';

const TRAIN_CAP = 2000;

test('the predictive tables build on the real exports and the Kaggle sample, without leaks', async () => {
  const { dir, cleanup } = tempDir();
  try {
    await withWriter({ ...testConfig(dir), trainCap: TRAIN_CAP }, silentLogger, 'test', async (s) => {
      await ingestKaggleStage(s, kaggleSample);
      for (const [i, folder] of readdirSync(historyDir).sort().entries()) await ingestExportStage(s, [join(historyDir, folder)], `p${i + 1}`);
      await silverStage(s);
      const published = await buildGold(s, { category: 'predictive' });
      assert.deepEqual(published.map((m) => m.table).sort(), ['confusion_matrix', 'energy_forecasts', 'feature_importance', 'model_performance_metrics', 'mood_classifications', 'mood_predictions']);
      for (const m of published) assert.ok(m.rows > 0, `${m.table} has rows`);

      const [cat] = await queryRows<{ n: number; ids: number }>(s.conn, 'select count(*)::integer as n, count(distinct track_id)::integer as ids from silver.catalog_tracks');
      assert.equal(cat.n, cat.ids);
      assert.equal(cat.n, 9749, 'one row per distinct Kaggle track id of the sample');

      const silver = await queryRows(s.conn, 'select listener_id, count(*)::integer as n from silver.listening_with_features group by 1 order by 1');
      for (const table of ['mood_predictions', 'mood_classifications', 'energy_forecasts']) {
        assert.deepEqual(await queryRows(s.conn, `select listener_id, count(*)::integer as n from gold.${table} group by 1 order by 1`), silver, `${table}: every play once`);
      }
      for (const table of ['mood_predictions', 'mood_classifications']) assert.equal(await leakedTestRows(s, table), 0, table);

      // Independently of the labels in the tables: no test play carries a feature vector of the training split.
      const data = await loadCatalogData(s.conn);
      const split = splitCatalog(data.keys, data.moods, { holdoutShare: HOLDOUT_SHARE, folds: CV_FOLDS, cvCap: CV_CAP, trainCap: TRAIN_CAP, seed: SEED });
      await s.conn.run(`create temp table trained as select unnest(json_extract_string($1::json, '$[*]')) as k`, [JSON.stringify(split.train.map((i) => data.keys[i]))]);
      const [leak] = await queryRows<{ n: number }>(s.conn, `select count(*)::integer as n from gold.mood_predictions p join silver.listening_with_features e using (listener_id, event_id) where p.split = 'test' and ${featureKeySql('e')} in (select k from temp.main.trained)`);
      assert.equal(leak.n, 0, 'no test play was trained on');

      const catalogRows = await queryRows<{ model_name: string; train_rows: number; test_rows: number }>(s.conn, "select distinct model_name, train_rows::integer as train_rows, test_rows::integer as test_rows from gold.model_performance_metrics where evaluation_set = 'catalog_holdout' order by 1");
      assert.deepEqual(catalogRows.map((r) => [r.model_name, r.train_rows]), [['mood_forest', TRAIN_CAP], ['valence_forest', TRAIN_CAP]]);
      assert.equal(catalogRows[0].test_rows, split.holdout.length);
      const [shares] = await queryRows<{ bad: number }>(s.conn, "select count(*)::integer as bad from gold.model_performance_metrics where synthetic_target_share <> (case when evaluation_set like '%_synthetic' then 1 else 0 end)");
      assert.equal(shares.bad, 0, 'synthetic_target_share flags exactly the synthetic sets');
      const times = await queryRows<{ ok: boolean }>(s.conn, "select max(played_at) filter (where split = 'train') < min(played_at) filter (where split = 'test') as ok from gold.energy_forecasts group by listener_id");
      assert.ok(times.length === 4 && times.every((t) => t.ok), 'time split per listener');

      // optimal_listening_times (prescriptive) reads these predictions: it builds on them for every listener.
      await buildGold(s, { table: 'optimal_listening_times' });
      assert.deepEqual(await part3Problems(s.conn, ['optimal_listening_times']), []);
      const [hours] = await queryRows<{ n: number }>(s.conn, 'select count(distinct listener_id)::integer as n from gold.optimal_listening_times');
      assert.equal(hours.n, 4, 'optimal_listening_times has hours for each listener');
    });
  } finally {
    cleanup();
  }
});
