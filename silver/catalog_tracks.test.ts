// silver.catalog_tracks on the real Kaggle sample: one row per track id, the features of the id's
// first record (as silver.listening_with_features gives a Kaggle-matched play, so the key of a play's
// vector equals its track's key), all genres, and equal keys exactly for identical vectors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { historyDir, kaggleSample, tempDir, testConfig } from '../test/helpers.ts';
import { silentLogger } from '../lib/logger.ts';
import { withWriter } from '../lib/session.ts';
import { queryRows } from '../lib/duckdb.ts';
import { ingestExportStage, ingestKaggleStage, silverStage } from '../pipeline/stages.ts';
import { featureKeySql } from './catalog_tracks.ts';

test('catalog_tracks: one row per Kaggle id, first record wins, keys match the plays and group identical vectors', async () => {
  const { dir, cleanup } = tempDir();
  try {
    await withWriter(testConfig(dir), silentLogger, 'test', async (s) => {
      await ingestKaggleStage(s, kaggleSample);
      await ingestExportStage(s, [join(historyDir, 'Efrrowini__spotify-music-analysis')], 'p1');
      await silverStage(s);
      const [c] = await queryRows<Record<string, number>>(s.conn, `
        select count(*)::integer as n, count(distinct track_id)::integer as ids, count(distinct feature_key)::integer as keys,
          sum(kaggle_records)::integer as records, max(len(genres))::integer as most_genres
        from silver.catalog_tracks`);
      assert.deepEqual(c, { n: 9749, ids: 9749, keys: 9386, records: 10000, most_genres: c.most_genres });
      assert.ok(c.most_genres > 1, 'an id collected under several genres keeps them all');
      const [first] = await queryRows<{ bad: number }>(s.conn, `
        with firsts as (select track_id, arg_min(valence, kaggle_index) as v, arg_min(tempo, kaggle_index) as t from bronze.kaggle_tracks group by 1)
        select count(*)::integer as bad from silver.catalog_tracks c join firsts f using (track_id) where c.valence <> f.v or c.tempo <> f.t`);
      assert.equal(first.bad, 0, 'the first record by kaggle_index gives the features');
      const [keys] = await queryRows<{ matched: number; differ: number }>(s.conn, `
        select count(*)::integer as matched, count(*) filter (where ${featureKeySql('e')} <> c.feature_key)::integer as differ
        from silver.listening_with_features e join silver.catalog_tracks c using (track_id) where e.feature_source = 'kaggle'`);
      assert.ok(keys.matched > 100, `${keys.matched} Kaggle-matched plays`);
      assert.equal(keys.differ, 0, "a Kaggle-matched play's vector key is its track's key");
      const [groups] = await queryRows<{ bad: number }>(s.conn, `
        select count(*)::integer as bad from (select feature_key from silver.catalog_tracks
          group by 1 having count(distinct (danceability, energy, valence, acousticness, instrumentalness, speechiness, liveness, loudness, tempo, key, mode, time_signature)) > 1)`);
      assert.equal(groups.bad, 0, 'one key, one vector');
    });
  } finally {
    cleanup();
  }
});
