// The cluster job under --engine trino: against the real Trino of scripts/test-stack.sh, the demo
// lake is clustered once by DuckDB and once by Trino (the per-play work in Trino, the fits in Node),
// and every play's standardised coordinates (bit for bit), every play's cluster and sample flag, every
// score, and the rows of mood_state_clusters and cluster_model_selection are the same; the two tables
// are computed by Trino (its part files), and its scratch tables are gone after the transaction. A
// lake where no listener has enough plays leaves Trino empty relations: both tables empty, no error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { testConfig } from '../../test/helpers.ts';
import type { Config } from '../../lib/config.ts';
import { queryRows } from '../../lib/duckdb.ts';
import { readCatalog } from '../../lib/lake.ts';
import { silentLogger } from '../../lib/logger.ts';
import { withWriter } from '../../lib/session.ts';
import { trinoEnv } from '../../lib/trino/stack-test-support.ts';
import { demoLake } from '../../pipeline/test-support.ts';
import { buildGold } from '../build.ts';
import { sqlVariables } from '../shared/feature-sql.ts';
import { writeSilverEvents } from '../shared/fixture-runner.ts';
import { sampleEvents } from '../shared/sample-events.ts';
import { CLUSTER_SETTINGS } from './kmeans-model.ts';
import { MEMBERS_TABLE, SCORES_TABLE, clusterListeners, dropClusterTables, standardisedPointsSql } from './cluster-job.ts';

const servedDir = process.env.LAKEHOUSE_DATA_DIR ?? '';
/** The audio features sampleEvents() fills. */
const FEATURE_COLUMNS = ['valence', 'energy', 'danceability', 'acousticness', 'instrumentalness', 'speechiness', 'liveness', 'loudness', 'tempo'];

type Row = Record<string, unknown>;

/** Rows as sorted lines; doubles as their shortest round-trip text, so equal lines mean equal bits. */
const lines = (rows: Row[]) => rows.map((r) => Object.keys(r).sort().map((k) => `${k}=${String(r[k])}`).join('|')).sort();

/** The job's relations, read back through the engine that computed them (scratch tables on Trino). */
async function jobRelations(config: Config): Promise<{ points: string[]; members: string[]; scores: string[] }> {
  return withWriter(config, silentLogger, 'test', async (s) => {
    await s.conn.run('set variable min_play_ms = $1', [config.minPlayMs]);
    const tx = s.begin();
    const ctx = s.context(tx);
    try {
      await clusterListeners(ctx);
      // read back through the engine (on Trino a scratch table, zero rows included)
      const read = async (name: string, sql: string) => lines(await tx.scratch(name, sql, { variables: sqlVariables(config), read: true }));
      return {
        points: await read('check_points', standardisedPointsSql()),
        members: await read('check_members', `select * from temp.${MEMBERS_TABLE}`),
        scores: await read('check_scores', `select * from temp.${SCORES_TABLE}`),
      };
    } finally {
      await dropClusterTables(ctx);
      await tx.abort();
    }
  });
}

async function tables(config: Config): Promise<{ clusters: string[]; selection: string[]; files: string[] }> {
  return withWriter(config, silentLogger, 'test', async (s) => {
    await buildGold(s, { table: 'mood_state_clusters' });
    const files = ['gold.mood_state_clusters', 'gold.cluster_model_selection'].flatMap((k) => readCatalog(config.dataDir).tables[k].files);
    return {
      clusters: lines(await queryRows<Row>(s.conn, 'select * from gold.mood_state_clusters')),
      selection: lines(await queryRows<Row>(s.conn, 'select * from gold.cluster_model_selection')),
      files,
    };
  });
}

test('the stack provides Trino and the data dir it serves', () => {
  assert.ok(process.env.TRINO_URL && servedDir, 'TRINO_URL and LAKEHOUSE_DATA_DIR must be set (scripts/test-stack.sh sets them)');
});

test('demo: the cluster job on Trino gives DuckDB\'s coordinates, clusters, scores and tables', { timeout: 20 * 60_000 }, async (t) => {
  const demo = await demoLake();
  try {
    cpSync(demo.dir, servedDir, { recursive: true });
  } finally {
    demo.cleanup();
  }
  const onDuckDB = testConfig(servedDir, {}, trinoEnv());
  const onTrino = testConfig(servedDir, { engine: 'trino' }, trinoEnv());

  const duck = await jobRelations(onDuckDB);
  const trino = await jobRelations(onTrino);
  const listeners = new Set(duck.members.map((m) => m.split('|')[0]));
  assert.ok(listeners.size >= 3 && duck.members.length > 1000, `${listeners.size} listeners, ${duck.members.length} plays clustered`);
  t.diagnostic(`${duck.points.length} plays standardised, ${duck.members.length} clustered, ${duck.scores.length} scores`);
  const moved = trino.points.filter((p, i) => p !== duck.points[i]);
  assert.equal(trino.points.length, duck.points.length);
  assert.deepEqual(moved.slice(0, 3), [], `standardised coordinates bit for bit (${moved.length} differ)`);
  const differ = trino.members.filter((m, i) => m !== duck.members[i]);
  assert.equal(trino.members.length, duck.members.length);
  assert.deepEqual(differ.slice(0, 3), [], `every play in the same cluster and sample (${differ.length} differ)`);
  assert.deepEqual(trino.scores, duck.scores);

  const a = await tables(onDuckDB);
  const b = await tables(onTrino);
  // Trino's materialise names its parts part-<run>-<n>; DuckDB writes part-<n>-<run>
  assert.ok(b.files.every((f) => /^part-run-.*-\d{5}\.parquet$/.test(f)), `computed by Trino: ${b.files.join(', ')}`);
  assert.ok(a.clusters.length >= 6, `${a.clusters.length} clusters`);
  assert.deepEqual(b.clusters, a.clusters, 'mood_state_clusters');
  assert.deepEqual(b.selection, a.selection, 'cluster_model_selection');
  const scratch = join(servedDir, '_tmp', 'trino');
  assert.deepEqual(existsSync(scratch) ? readdirSync(scratch) : [], [], 'the scratch folders are gone');
});

test('too few plays, or none with features: on Trino the job\'s relations are empty and both tables are built without rows, as on DuckDB', { timeout: 10 * 60_000 }, async () => {
  const onDuckDB = testConfig(servedDir, {}, trinoEnv());
  const onTrino = testConfig(servedDir, { engine: 'trino' }, trinoEnv());
  await withWriter(onDuckDB, silentLogger, 'test', (s) => writeSilverEvents(s, sampleEvents('few', CLUSTER_SETTINGS.minPlays - 1, 4)));
  const a = await tables(onDuckDB);
  const b = await tables(onTrino);
  assert.deepEqual([a.clusters, a.selection], [[], []]);
  assert.deepEqual([b.clusters, b.selection], [[], []]);
  const duck = await jobRelations(onDuckDB);
  const trino = await jobRelations(onTrino);
  assert.ok(duck.points.length > 0, 'the plays with features are standardised');
  assert.deepEqual(trino.points, duck.points);
  assert.deepEqual([trino.members, trino.scores], [[], []]);

  // no play with the seven features at all: not even points to standardise
  const featureless = sampleEvents('bare', 40, 5).map((e) => ({ ...e, feature_source: 'none', feature_match: 'none', ...Object.fromEntries(FEATURE_COLUMNS.map((f) => [f, null])) }));
  await withWriter(onDuckDB, silentLogger, 'test', (s) => writeSilverEvents(s, featureless));
  const bare = await tables(onTrino);
  assert.deepEqual([bare.clusters, bare.selection], [[], []]);
});
