// The catalog forests scored by DuckDB from their compiled SQL equal the JavaScript forests'
// predictions, on the real Kaggle sample with the real exports (every catalog feature vector and every
// play, built with LAKEHOUSE_FOREST_SCORING=sql) and on the demo lake: classes exactly, valence bit
// for bit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { historyDir, kaggleSample, tempDir, testConfig } from '../../test/helpers.ts';
import type { Config } from '../../lib/config.ts';
import { silentLogger } from '../../lib/logger.ts';
import { withWriter, type LakeSession } from '../../lib/session.ts';
import { queryRows } from '../../lib/duckdb.ts';
import { ingestExportStage, ingestKaggleStage, silverStage } from '../../pipeline/stages.ts';
import { demoLake } from '../../pipeline/test-support.ts';
import { HAS_ANY_FEATURES } from '../shared/feature-sql.ts';
import { buildGold } from '../build.ts';
import { VECTOR_FEATURES, loadForestNodes, vectorPredictionSql } from './catalog-job.ts';
import { MOOD_MODEL, VALENCE_MODEL } from './model-settings.ts';
import { jsPredictions, savedModels, type Vector } from './scoring-test-support.ts';

function assertSame(what: string, sql: Vector[], js: { valence: number[]; mood: string[] }): void {
  assert.ok(sql.length > 0, `${what}: rows to compare`);
  const badValence = sql.filter((r, i) => !Object.is(r.predicted_valence, js.valence[i]));
  const badMood = sql.filter((r, i) => r.predicted_mood !== js.mood[i]);
  assert.deepEqual(badValence.slice(0, 3), [], `${what}: valence bit for bit (${badValence.length} of ${sql.length} differ)`);
  assert.deepEqual(badMood.slice(0, 3), [], `${what}: mood class exactly (${badMood.length} of ${sql.length} differ)`);
}

const complete = VECTOR_FEATURES.map((f) => `${f} is not null`).join(' and ');

async function checkParity(s: LakeSession, config: Config): Promise<number> {
  const cm = await savedModels(s, config);
  // every feature vector of the catalog, held-out and trained alike
  const catalog = `(select distinct feature_key, ${VECTOR_FEATURES.join(', ')} from silver.catalog_tracks where ${complete})`;
  const nodes = {
    valence: await loadForestNodes(s, 'test_valence_nodes', cm.models.get(VALENCE_MODEL.name)!),
    mood: await loadForestNodes(s, 'test_mood_nodes', cm.models.get(MOOD_MODEL.name)!),
  };
  const fromSql = await queryRows<Vector>(s.conn, `select * from (${vectorPredictionSql(cm, nodes, catalog)}) order by feature_key`);
  const vectors = await queryRows<Vector>(s.conn, `select distinct feature_key, ${VECTOR_FEATURES.join(', ')} from silver.catalog_tracks where ${complete} order by feature_key`);
  assertSame('catalog vectors', fromSql, jsPredictions(cm, vectors));
  // every play of the published tables (built with LAKEHOUSE_FOREST_SCORING=sql)
  const plays = await queryRows<Vector>(s.conn, `
    select e.*, p.predicted_valence, c.predicted_mood
    from silver.listening_with_features e
    join gold.mood_predictions p using (listener_id, event_id)
    join gold.mood_classifications c using (listener_id, event_id)
    where ${complete} and ${HAS_ANY_FEATURES.replace('feature_source', 'e.feature_source')}
    order by listener_id, event_id`);
  assertSame('plays', plays, jsPredictions(cm, plays));
  const [missing] = await queryRows<{ n: number }>(s.conn, `
    select count(*)::integer as n from gold.mood_predictions p join silver.listening_with_features e using (listener_id, event_id)
    where p.predicted_valence is not null and not (${VECTOR_FEATURES.map((f) => `e.${f} is not null`).join(' and ')})`);
  assert.equal(missing.n, 0, 'a play with a missing feature has no prediction');
  return plays.length;
}

test('compiled forests = JS forests on the real Kaggle sample and exports (every catalog vector and every play)', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const config: Config = { ...testConfig(dir), trainCap: 2000, forestScoring: 'sql' };
    await withWriter(config, silentLogger, 'test', async (s) => {
      await ingestKaggleStage(s, kaggleSample);
      for (const [i, folder] of readdirSync(historyDir).sort().entries()) await ingestExportStage(s, [join(historyDir, folder)], `p${i + 1}`);
      await silverStage(s);
      await buildGold(s, { category: 'predictive' });
      assert.ok(await checkParity(s, config) > 100);
    });
  } finally {
    cleanup();
  }
});

test('compiled forests = JS forests on the demo lake', async () => {
  const demo = await demoLake();
  const config: Config = { ...demo.config, forestScoring: 'sql' };
  const cleanup = demo.cleanup;
  try {
    await withWriter(config, silentLogger, 'test', async (s) => {
      await buildGold(s, { category: 'predictive' });
      assert.ok(await checkParity(s, config) > 100);
    });
  } finally {
    cleanup();
  }
});
