// The cluster job's SQL path (canonical order, scaling, standardising and nearest-centroid assignment
// in DuckDB; only the samples' fits in JavaScript) equals the all-JavaScript model, clusterPlays, on
// the real exports with the Kaggle sample, on the demo lake and on plays with heavy ties: the same
// cluster for every play, the same sample, the same scores.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { historyDir, kaggleSample, tempDir, testConfig } from '../../test/helpers.ts';
import type { BuildContext } from '../../lib/build-context.ts';
import type { Config } from '../../lib/config.ts';
import { silentLogger } from '../../lib/logger.ts';
import { withWriter, type LakeSession } from '../../lib/session.ts';
import { queryValues } from '../../lib/duckdb.ts';
import { ingestExportStage, ingestKaggleStage, silverStage } from '../../pipeline/stages.ts';
import { demoLake } from '../../pipeline/test-support.ts';
import { HAS_FEATURES } from '../shared/feature-sql.ts';
import { writeSilverEvents } from '../shared/fixture-runner.ts';
import { sampleEvents } from '../shared/sample-events.ts';
import { CLUSTER_FEATURES, CLUSTER_SETTINGS, canonicalOrder, clusterPlays, standardise } from './kmeans-model.ts';
import { MEMBERS_TABLE, SCORES_TABLE, clusterListeners, dropClusterTables, standardisedPointsSql } from './cluster-job.ts';

const FEATURES = CLUSTER_FEATURES.map((f) => f.name);

/** What the job computed before its per-play work moved to SQL: clusterPlays on each listener's plays in read order. */
async function jsClusters(s: LakeSession) {
  const listeners = await queryValues<{ l: string }>(s.conn, 'select distinct listener_id as l from silver.listening_with_features order by 1');
  const members: string[] = [];
  const scores: string[] = [];
  const points: string[] = [];
  for (const { l } of listeners) {
    const rows = await queryValues<Record<string, unknown>>(s.conn, `
      select event_id, ${FEATURES.join(', ')} from silver.listening_with_features
      where listener_id = $1 and ${HAS_FEATURES} and ${FEATURES.map((f) => `${f} is not null`).join(' and ')}
      order by played_at, play_seq, event_id`, [l]);
    const values = rows.map((r) => FEATURES.map((f) => Number(r[f])));
    const order = canonicalOrder(values);
    standardise(order.map((i) => values[i])).forEach((p, k) => points.push(`${l}|${String(rows[order[k]].event_id)}|${p.join('|')}`));
    const result = clusterPlays(values);
    if (!result) continue;
    const inSample = new Set(result.sample);
    rows.forEach((r, i) => members.push(`${l}|${String(r.event_id)}|${result.labels[i]}|${inSample.has(i)}`));
    for (const sc of result.scores) scores.push(`${l}|${sc.k}|${sc.silhouette}|${sc.wcss}|${sc.stability}|${sc.chosen}|${result.sampleSize}|${sc.nullSilhouette}|${sc.structure}`);
  }
  return { members: members.sort(), scores: scores.sort(), points: points.sort() };
}

async function sqlClusters(s: LakeSession, config: Config, batchPlays?: number) {
  const tx = s.begin();
  const ctx: BuildContext = { ...s.context(tx), config, log: silentLogger };
  try {
    await clusterListeners(ctx, CLUSTER_SETTINGS, batchPlays);
    const members = await queryValues<Record<string, unknown>>(s.conn, `select * from temp.main.${MEMBERS_TABLE}`);
    const scores = await queryValues<Record<string, unknown>>(s.conn, `select * from temp.main.${SCORES_TABLE}`);
    const points = await queryValues<Record<string, unknown>>(s.conn, standardisedPointsSql());
    return {
      points: points.map((p) => [p.listener_id, p.event_id, ...FEATURES.map((_, j) => p[`z${j}`])].map(String).join('|')).sort(),
      members: members.map((m) => `${String(m.listener_id)}|${String(m.event_id)}|${String(m.raw_cluster)}|${String(m.in_sample)}`).sort(),
      scores: scores.map((r) => `${String(r.listener_id)}|${String(r.k)}|${String(r.silhouette)}|${String(r.within_cluster_sum_of_squares)}|${String(r.stability)}|${String(r.chosen)}|${String(r.sample_size)}|${String(r.null_silhouette)}|${String(r.cluster_structure)}`).sort(),
    };
  } finally {
    await dropClusterTables(ctx);
    await tx.abort();
  }
}

async function assertSame(s: LakeSession, config: Config, minListeners: number, batchPlays?: number): Promise<void> {
  const js = await jsClusters(s);
  const sql = await sqlClusters(s, config, batchPlays);
  const listeners = new Set(js.members.map((m) => m.split('|')[0]));
  assert.ok(listeners.size >= minListeners, `${listeners.size} listeners clustered`);
  assert.equal(sql.members.length, js.members.length, 'one row per clustered play');
  const differ = sql.members.filter((m, i) => m !== js.members[i]);
  assert.deepEqual(differ.slice(0, 5), [], `every play in the same cluster and sample (${differ.length} differ)`);
  assert.deepEqual(sql.scores, js.scores);
  // bit for bit: the standardised coordinates of every play with all seven features (the temp
  // tables hold the last batch only, so this part is checked in one batch)
  if (batchPlays !== undefined) return;
  const moved = sql.points.filter((p, i) => p !== js.points[i]);
  assert.equal(sql.points.length, js.points.length);
  assert.deepEqual(moved.slice(0, 3), [], `standardised coordinates equal (${moved.length} differ)`);
}

test('SQL assignment = clusterPlays on the real exports with the Kaggle sample', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const config = testConfig(dir);
    await withWriter(config, silentLogger, 'test', async (s) => {
      await ingestKaggleStage(s, kaggleSample);
      for (const [i, folder] of readdirSync(historyDir).sort().entries()) await ingestExportStage(s, [join(historyDir, folder)], `p${i + 1}`);
      await silverStage(s);
      await assertSame(s, config, 2);
    });
  } finally {
    cleanup();
  }
});

test('SQL assignment = clusterPlays on the demo lake', async () => {
  const { config, cleanup } = await demoLake();
  try {
    await withWriter(config, silentLogger, 'test', async (s) => {
      await assertSame(s, config, 3);
    });
  } finally {
    cleanup();
  }
});

test('listeners clustered in batches of a few hundred plays: the same clusters, samples and scores as clusterPlays', async () => {
  const { config, cleanup } = await demoLake();
  try {
    await withWriter(config, silentLogger, 'test', async (s) => {
      const [{ n }] = await queryValues<{ n: number }>(s.conn, 'select count(distinct listener_id)::integer as n from silver.listening_with_features');
      assert.ok(n >= 3, `${n} listeners`);
      await assertSame(s, config, 3, 300);
    });
  } finally {
    cleanup();
  }
});

test('SQL assignment = clusterPlays with tied plays, a constant feature, more plays than the sample and too few plays', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const config = testConfig(dir);
    await withWriter(config, silentLogger, 'test', async (s) => {
      const many = sampleEvents('big', CLUSTER_SETTINGS.sampleSize + 150, 3).map((e, i, all) => ({
        ...e, listener_id: 'big', session_id: `big-${String(e.session_id)}`, played_at: all[i - (i % 4)].played_at,
        // duplicated feature vectors (ties in the canonical order) and a feature without spread
        ...(i % 3 === 0 && i > 0 ? Object.fromEntries(FEATURES.map((f) => [f, all[i - 1][f]])) : {}), instrumentalness: 0,
      }));
      const few = sampleEvents('few', CLUSTER_SETTINGS.minPlays - 1, 4).map((e) => ({ ...e, listener_id: 'few', session_id: `few-${String(e.session_id)}` }));
      await writeSilverEvents(s, [...many, ...few]);
      await assertSame(s, config, 1);
    });
  } finally {
    cleanup();
  }
});
