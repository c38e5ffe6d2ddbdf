// The whole pipeline on the real files in ../shared/data: the Kaggle sample and the four listeners'
// exports are ingested, silver is built, and the eleven descriptive and diagnostic tables are built once
// and checked for the invariants every gold table keeps (then part 3 and the behaviour tables).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { historyDir, kaggleSample, tempDir, testConfig } from '../test/helpers.ts';
import { silentLogger } from '../lib/logger.ts';
import { withWriter } from '../lib/session.ts';
import { queryRows } from '../lib/duckdb.ts';
import { grainDuplicates } from '../lib/table-loader.ts';
import { ingestExportStage, ingestKaggleStage, silverStage } from '../pipeline/stages.ts';
import { buildGold, loadGoldTables } from './build.ts';
import { PART3_TABLES, part3Problems } from './cognitive/part3-invariants.ts';
import { behaviourProblems } from './behaviour/behaviour-invariants.ts';
import { HAS_FEATURES } from './shared/feature-sql.ts';

type Count = { listener_id: string; n: number };

test('the eleven descriptive and diagnostic tables build on the real exports and keep their invariants', async () => {
  const { dir, cleanup } = tempDir();
  try {
    await withWriter(testConfig(dir), silentLogger, 'test', async (s) => {
      await ingestKaggleStage(s, kaggleSample);
      for (const [i, folder] of readdirSync(historyDir).sort().entries()) {
        await ingestExportStage(s, [join(historyDir, folder)], `p${i + 1}`);
      }
      await silverStage(s);
      const specs = (await loadGoldTables()).map((t) => t.spec).filter((t) => ['descriptive', 'diagnostic'].includes(t.category!));
      const published = [...await buildGold(s, { category: 'descriptive' }), ...await buildGold(s, { category: 'diagnostic' })];
      assert.equal(published.length, 11, "the eleven descriptive and diagnostic tables (feature_correlation_matrix included)");

      const num = (rows: Record<string, unknown>[]) => rows.map((r) => ({ listener_id: String(r.listener_id), n: Number(r.n) }));
      const silver = num(await queryRows(s.conn, 'select listener_id, count(*) as n from silver.listening_with_features group by 1 order by 1'));
      assert.equal(silver.length, 4);
      for (const spec of specs) {
        const meta = published.find((m) => m.table === spec.name)!;
        assert.ok(meta.rows > 0, `${spec.name} has rows`);
        assert.deepEqual(await grainDuplicates(s.conn, spec), [], `${spec.name}: grain is unique`);
        assert.ok(meta.columns.every((c) => c.description), `${spec.name}: every column described`);
        if (spec.columns.some((c) => c.name === 'synthetic_share')) {
          const [bad] = await queryRows<{ n: number }>(s.conn, `select count(*)::integer as n from gold.${spec.name} where synthetic_share < 0 or synthetic_share > 1 or isnan(synthetic_share)`);
          assert.equal(bad.n, 0, `${spec.name}: synthetic_share in [0, 1] or null`);
        }
      }

      // Play counts reconcile with silver, per listener, in every table that counts plays.
      const sums: [string, string][] = [
        ['listening_patterns_by_time', 'play_count'], ['temporal_trends', 'total_plays'], ['weekend_vs_weekday', 'total_plays'],
        ['part_of_day_drivers', 'total_plays'], ['feature_source_coverage', 'record_count'],
      ];
      for (const [table, expr] of sums) {
        const got = num(await queryRows(s.conn, `select listener_id, sum(${expr}) as n from gold.${table} group by 1 order by 1`));
        assert.deepEqual(got, silver, `${table}: plays per listener reconcile with silver`);
      }
      // sample_size counts streams with features, rows_without_features plays without features: a
      // play shorter than LAKEHOUSE_MIN_PLAY_MS with features is in neither.
      const streamsOrBare = num(await queryRows(s.conn, `select listener_id, count(*) filter (where ${HAS_FEATURES} or feature_source = 'none') as n from silver.listening_with_features group by 1 order by 1`));
      assert.ok(streamsOrBare.every((r, i) => r.n < silver[i].n), 'the real exports have short plays with features');
      assert.deepEqual(num(await queryRows(s.conn, 'select listener_id, sum(sample_size + rows_without_features) as n from gold.mood_time_correlations group by 1 order by 1')), streamsOrBare,
        'mood_time_correlations: streams with features + plays without features reconcile with silver');
      const pct = await queryRows<{ listener_id: string; p: number }>(s.conn, 'select listener_id, sum(percentage) as p from gold.feature_source_coverage group by 1');
      for (const r of pct) assert.ok(Math.abs(r.p - 100) < 0.05, `coverage of ${r.listener_id} sums to 100 (${r.p})`);
      const featured = num(await queryRows(s.conn, `select listener_id, count(*) as n from silver.listening_with_features where ${HAS_FEATURES} group by 1 order by 1`));
      const dist = num(await queryRows(s.conn, "select listener_id, sample_size as n from gold.audio_feature_distributions where feature_name = 'valence' order by 1"));
      assert.deepEqual(dist, featured, 'audio_feature_distributions: sample size = streams with features');
      const top = await queryRows<Count>(s.conn, 'select listener_id, max(rank_in_category)::integer as n from gold.top_tracks_by_mood group by 1');
      assert.ok(top.every((r) => r.n <= 50), 'at most 50 tracks per mood category');

      // Part 3 on the same lake: the cognitive tables and the prescriptive ones that do not read the
      // predictive tables (optimal_listening_times: gold/predictive/pipeline.test.ts and, on the demo, part3-pipeline.test.ts).
      const part3 = PART3_TABLES.filter((t) => t !== 'optimal_listening_times');
      await buildGold(s, { category: 'cognitive' });
      for (const table of part3.filter((t) => t.startsWith('mood_i') || t.startsWith('personalized'))) await buildGold(s, { table });
      assert.deepEqual(await part3Problems(s.conn, part3), []);
      for (const table of ['behavioral_segments', 'sequential_patterns', 'mood_state_clusters', 'cluster_model_selection', 'listening_anomalies', 'personalized_playlist_suggestions', 'mood_improvement_recommendations']) {
        const [r] = await queryRows<{ n: number }>(s.conn, `select count(distinct listener_id)::integer as n from gold.${table}`);
        assert.equal(r.n, 4, `${table}: rows for each of the four real listeners`);
      }

      // The behaviour tables (real events only) on the same lake: every listener gets a profile, a
      // rhythm, a cohort position and recommendations; account data (p2, p4) has no skips: null, not 0.
      await buildGold(s, { category: 'behaviour' });
      assert.deepEqual(await behaviourProblems(s.conn), []);
      for (const table of ['listener_profiles', 'circadian_profile', 'cohort_comparison', 'track_recommendations', 'listener_monthly_behavior']) {
        const [r] = await queryRows<{ n: number }>(s.conn, `select count(distinct listener_id)::integer as n from gold.${table}`);
        assert.equal(r.n, 4, `${table}: rows for each of the four real listeners`);
      }
      const skips = await queryRows<{ listener_id: string; known: boolean }>(s.conn, 'select listener_id, skip_rate is not null as known from gold.listener_profiles order by 1');
      assert.deepEqual(skips.map((r) => [r.listener_id, r.known]), [['p1', true], ['p2', false], ['p3', true], ['p4', false]]);
    });
  } finally {
    cleanup();
  }
});
