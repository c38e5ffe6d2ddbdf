// Scoring in Trino (issue 23, "ML where the data is"): the project's real models, trained in Node on
// the real Kaggle sample and listening exports (../shared/data), scored by Trino from the SQL they
// compile to, equal the JavaScript models on every row: the catalog forests (node tables, one join per
// two tree levels) on every distinct feature vector of the catalog and the plays, and through it on every
// play; the per-listener energy linear models on every play (within 1e-9 relative: Trino's sin/cos
// are Java's); the per-listener k-means assignment (nearest centroid) on every play with the seven
// clustering features. The inputs reach Trino as Parquet written by DuckDB into the data dir Trino
// serves (lib/trino/scratch-table.ts). The same SQL also runs on DuckDB, and both engines' times are
// reported as test diagnostics.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { historyDir, kaggleSample, tempDir, testConfig } from '../../test/helpers.ts';
import type { Config } from '../../lib/config.ts';
import { silentLogger } from '../../lib/logger.ts';
import { withWriter, type LakeSession } from '../../lib/session.ts';
import { queryRows, type DuckDBConnection } from '../../lib/duckdb.ts';
import { loadRows } from '../../lib/appender.ts';
import { nearestCentroidSelect } from '../../lib/ml/sql-compile.ts';
import { stageForTrino, type ScratchTable } from '../../lib/trino/scratch-table.ts';
import { pipelineTrino } from '../../lib/trino/stack-test-support.ts';
import { ingestExportStage, ingestKaggleStage, silverStage } from '../../pipeline/stages.ts';
import { featureKeySql } from '../../silver/catalog_tracks.ts';
import { HAS_ANY_FEATURES, HAS_FEATURES } from '../shared/feature-sql.ts';
import { CLUSTER_FEATURES, CLUSTER_SETTINGS, canonicalOrder, clusterPlays, fitSample, seededSample, standardise } from '../cognitive/kmeans-model.ts';
import { buildGold } from '../build.ts';
import { VECTOR_FEATURES, loadForestNodes, vectorPredictionSql } from './catalog-job.ts';
import { MOOD_MODEL, VALENCE_MODEL } from './model-settings.ts';
import { fitTimeModels, predictTime, timePredictionSql } from './time-model.ts';
import { jsPredictions, savedModels, type Vector } from './scoring-test-support.ts';

const servedDir = process.env.LAKEHOUSE_DATA_DIR ?? '';
const trino = pipelineTrino();

/** Trino's JSON protocol sends NaN and infinities as strings. */
const num = (v: unknown): unknown => (v === 'NaN' ? NaN : v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : v);

interface Timed {
  rows: Record<string, unknown>[];
  line: string;
}

/** The query on Trino with its CPU time (all tasks), elapsed time and the coordinator's planning time. */
async function onTrino(sql: string): Promise<Timed> {
  const r = await trino.query(sql);
  const rows = r.rows.map((row) => Object.fromEntries(r.columns.map((c, i) => [c.name, num(row[i])])));
  const id = r.stats?.queryId ?? '';
  const [info] = await trino.rows(`select analysis_time_ms, planning_time_ms from system.runtime.queries where query_id = '${id.replace(/'/g, '')}'`);
  const line = `trino cpu ${r.stats?.cpuTimeMillis} ms, elapsed ${r.stats?.elapsedTimeMillis} ms (analysis ${String(info?.analysis_time_ms)} ms, planning ${String(info?.planning_time_ms)} ms)`;
  return { rows, line };
}

/** The query on DuckDB with the process's CPU time (DuckDB's threads included) and wall time. */
async function onDuckDB(conn: DuckDBConnection, sql: string): Promise<Timed> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const rows = await queryRows<Record<string, unknown>>(conn, sql);
  const used = process.cpuUsage(cpu);
  return { rows, line: `duckdb cpu ${Math.round((used.user + used.system) / 1000)} ms, elapsed ${Math.round(performance.now() - started)} ms` };
}

/** Relative difference with an absolute floor of 1e-12 (values near 0). */
const close = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b), 1e-3);

const complete = (features: readonly string[]) => features.map((f) => `${f} is not null`).join(' and ');

async function forestsOnTrino(t: TestContext, s: LakeSession, config: Config, stage: (name: string, sql: string) => Promise<ScratchTable>): Promise<void> {
  const cm = await savedModels(s, config);
  // every distinct feature vector of the plays (the job's predictive vectors) and of the catalog
  await s.conn.run(`create or replace temp table score_vectors as
    select distinct ${featureKeySql()} as feature_key, ${VECTOR_FEATURES.join(', ')} from silver.listening_with_features
    where ${HAS_ANY_FEATURES} and ${complete(VECTOR_FEATURES)}
    union
    select distinct feature_key, ${VECTOR_FEATURES.join(', ')} from silver.catalog_tracks where ${complete(VECTOR_FEATURES)}`);
  const duck = {
    valence: await loadForestNodes(s, 'score_valence_nodes', cm.models.get(VALENCE_MODEL.name)!),
    mood: await loadForestNodes(s, 'score_mood_nodes', cm.models.get(MOOD_MODEL.name)!),
  };
  const staged = {
    valence: { ...duck.valence, table: (await stage('valence_nodes', `select * from ${duck.valence.table}`)).ref },
    mood: { ...duck.mood, table: (await stage('mood_nodes', `select * from ${duck.mood.table}`)).ref },
  };
  const vectors = await stage('score_vectors', 'select * from temp.main.score_vectors');
  t.diagnostic(`forests: ${duck.valence.nodes.rows.length} + ${duck.mood.nodes.rows.length} nodes, depth ${duck.valence.nodes.depth}/${duck.mood.nodes.depth}, ${vectors.rows} vectors`);

  const sql = (nodes: typeof duck, from: string) => `select * from (${vectorPredictionSql(cm, nodes, from)}) as "scored" order by feature_key`;
  const onT = await onTrino(sql(staged, vectors.ref));
  const onD = await onDuckDB(s.conn, sql(duck, 'temp.main.score_vectors'));
  t.diagnostic(`forest scoring of ${vectors.rows} vectors: ${onT.line}; ${onD.line}`);

  const inputs = await queryRows<Vector>(s.conn, 'select * from temp.main.score_vectors order by feature_key');
  const js = jsPredictions(cm, inputs);
  assert.equal(onT.rows.length, inputs.length, 'one prediction per vector');
  const keyMismatch = onT.rows.filter((r, i) => r.feature_key !== inputs[i].feature_key);
  assert.equal(keyMismatch.length, 0);
  const badValence = onT.rows.filter((r, i) => !Object.is(r.predicted_valence, js.valence[i]));
  const badMood = onT.rows.filter((r, i) => r.predicted_mood !== js.mood[i]);
  assert.deepEqual(badValence.slice(0, 3), [], `valence bit for bit on Trino (${badValence.length} of ${inputs.length} differ)`);
  assert.deepEqual(badMood.slice(0, 3), [], `mood exactly on Trino (${badMood.length} of ${inputs.length} differ)`);
  assert.deepEqual(onD.rows, onT.rows, 'DuckDB gives the same rows from the same SQL');

  // every play with the forests' features, through its feature vector, against JS on the play itself
  const plays = await queryRows<Vector>(s.conn, `select listener_id, event_id, ${featureKeySql()} as feature_key, ${VECTOR_FEATURES.join(', ')}
    from silver.listening_with_features where ${HAS_ANY_FEATURES} and ${complete(VECTOR_FEATURES)} order by listener_id, event_id`);
  const byKey = new Map(onT.rows.map((r) => [r.feature_key, r]));
  const onPlays = jsPredictions(cm, plays);
  const wrong = plays.filter((p, i) => !Object.is(byKey.get(p.feature_key)?.predicted_valence, onPlays.valence[i]) || byKey.get(p.feature_key)?.predicted_mood !== onPlays.mood[i]);
  assert.ok(plays.length > 1000, `${plays.length} plays with features`);
  assert.deepEqual(wrong.slice(0, 3), [], `every play's prediction (${wrong.length} of ${plays.length} differ)`);
  t.diagnostic(`forests: ${plays.length} plays and ${inputs.length} vectors equal to JS`);
}

async function energyModelsOnTrino(t: TestContext, s: LakeSession, stage: (name: string, sql: string) => Promise<ScratchTable>): Promise<void> {
  const models = await fitTimeModels(s.conn);
  assert.ok(models.length >= 2, `${models.length} listeners with an energy model`);
  const coeffs = ['b0', 'b1', 'b2', 'b3', 'b4', 'b5'];
  await loadRows(s.conn, 'score_time_models', [{ name: 'listener_id', type: 'VARCHAR' }, ...coeffs.map((name) => ({ name, type: 'DOUBLE' as const }))],
    models.map((m) => [m.listenerId, ...m.coefficients]));
  const playsSql = 'select listener_id, event_id, hour_of_day, is_weekend from silver.listening_with_features';
  const plays = await stage('score_time_plays', playsSql);
  const coefficients = await stage('score_time_models', 'select * from temp.main.score_time_models');
  const sql = (p: string, m: string) => `select e.listener_id, e.event_id, e.hour_of_day, e.is_weekend, ${timePredictionSql('m')} as forecast
    from ${p} as e join ${m} as m on m.listener_id = e.listener_id order by e.listener_id, e.event_id`;
  const onT = await onTrino(sql(plays.ref, coefficients.ref));
  const onD = await onDuckDB(s.conn, sql(`(${playsSql})`, 'temp.main.score_time_models'));
  t.diagnostic(`energy linear models on ${onT.rows.length} plays: ${onT.line}; ${onD.line}`);
  const byListener = new Map(models.map((m) => [m.listenerId, m]));
  assert.ok(onT.rows.length > 1000, `${onT.rows.length} plays of listeners with a model`);
  assert.equal(onT.rows.length, onD.rows.length);
  const far = onT.rows.filter((r) => !close(Number(r.forecast), predictTime(byListener.get(String(r.listener_id))!, Number(r.hour_of_day), Boolean(r.is_weekend))));
  assert.deepEqual(far.slice(0, 3), [], `Trino forecasts within 1e-9 of JS (${far.length} of ${onT.rows.length} differ)`);
  const farDuck = onD.rows.filter((r, i) => !close(Number(r.forecast), Number(onT.rows[i].forecast)));
  assert.equal(farDuck.length, 0, 'DuckDB and Trino forecasts within 1e-9');
  const exact = onT.rows.filter((r) => Object.is(Number(r.forecast), predictTime(byListener.get(String(r.listener_id))!, Number(r.hour_of_day), Boolean(r.is_weekend)))).length;
  t.diagnostic(`energy forecasts: ${exact} of ${onT.rows.length} bit-equal to JS, all within 1e-9`);
}

async function clustersOnTrino(t: TestContext, s: LakeSession, stage: (name: string, sql: string) => Promise<ScratchTable>): Promise<void> {
  const features = CLUSTER_FEATURES.map((f) => f.name);
  const listeners = await queryRows<{ l: string }>(s.conn, 'select distinct listener_id as l from silver.listening_with_features order by 1');
  const points: (string | number)[][] = [];
  const centroids: (string | number | null)[][] = [];
  const expected = new Map<string, number>();
  for (const { l } of listeners) {
    const rows = await queryRows<Record<string, unknown>>(s.conn, `
      select event_id, ${features.join(', ')} from silver.listening_with_features
      where listener_id = $1 and ${HAS_FEATURES} and ${complete(features)}
      order by played_at, play_seq, event_id`, [l]);
    const values = rows.map((r) => features.map((f) => Number(r[f])));
    const result = clusterPlays(values);
    if (!result) continue;
    // the model clusterPlays assigns with: the standardised plays in canonical order, the sample's fit
    const order = canonicalOrder(values);
    const z = standardise(order.map((i) => values[i]));
    const model = fitSample(seededSample(z.length, CLUSTER_SETTINGS.sampleSize, CLUSTER_SETTINGS.seed).map((k) => z[k]), CLUSTER_SETTINGS);
    assert.ok(model && model.k === result.k, `${l}: the refitted model is clusterPlays' model`);
    z.forEach((p, k) => points.push([l, String(rows[order[k]].event_id), ...p]));
    centroids.push([l, ...Array.from({ length: CLUSTER_SETTINGS.kMax }, (_, c) => features.map((__, j) => model.centroids[c]?.[j] ?? null)).flat()]);
    rows.forEach((r, i) => expected.set(`${l}|${String(r.event_id)}`, result.labels[i]));
  }
  assert.ok(centroids.length >= 2, `${centroids.length} listeners clustered`);
  const zCols = features.map((_, j) => `z${j}`);
  const cCols = Array.from({ length: CLUSTER_SETTINGS.kMax }, (_, c) => features.map((__, j) => `c${c}_${j}`)).flat();
  await loadRows(s.conn, 'score_cluster_points', [{ name: 'listener_id', type: 'VARCHAR' }, { name: 'event_id', type: 'VARCHAR' }, ...zCols.map((name) => ({ name, type: 'DOUBLE' as const }))], points);
  await loadRows(s.conn, 'score_cluster_centroids', [{ name: 'listener_id', type: 'VARCHAR' }, ...cCols.map((name) => ({ name, type: 'DOUBLE' as const }))], centroids);
  const p = await stage('score_cluster_points', 'select * from temp.main.score_cluster_points');
  const c = await stage('score_cluster_centroids', 'select * from temp.main.score_cluster_centroids');
  const sql = (pRef: string, cRef: string) => {
    const from = `(select p.listener_id, p.event_id, ${zCols.map((z) => `p.${z}`).join(', ')}, ${cCols.map((x) => `c.${x}`).join(', ')}
      from ${pRef} as p join ${cRef} as c on c.listener_id = p.listener_id) as "plays"`;
    const centroidRefs = Array.from({ length: CLUSTER_SETTINGS.kMax }, (_, k) => features.map((__, j) => ({ sql: `c${k}_${j}` })));
    return `select * from (${nearestCentroidSelect(zCols.map((z) => ({ sql: z })), centroidRefs, 'euclidean', { from, keep: ['listener_id', 'event_id'], as: 'cluster' })}) as "assigned" order by listener_id, event_id`;
  };
  const onT = await onTrino(sql(p.ref, c.ref));
  const onD = await onDuckDB(s.conn, sql('temp.main.score_cluster_points', 'temp.main.score_cluster_centroids'));
  t.diagnostic(`nearest centroid on ${onT.rows.length} plays: ${onT.line}; ${onD.line}`);
  assert.equal(onT.rows.length, expected.size, 'every clustered play once');
  const wrong = onT.rows.filter((r) => expected.get(`${String(r.listener_id)}|${String(r.event_id)}`) !== Number(r.cluster));
  assert.deepEqual(wrong.slice(0, 3), [], `every play in clusterPlays' cluster (${wrong.length} of ${onT.rows.length} differ)`);
  assert.deepEqual(onD.rows.map((r) => Number(r.cluster)), onT.rows.map((r) => Number(r.cluster)), 'DuckDB assigns the same clusters');
}

test('the stack provides Trino and the data dir it serves', () => {
  assert.ok(process.env.TRINO_URL && servedDir, 'TRINO_URL and LAKEHOUSE_DATA_DIR must be set (scripts/test-stack.sh sets them)');
});

test('Trino scores the real forests, energy models and clusters from their SQL exactly as the JS models do', async (t) => {
  // The lake lives in its own temp dir (the served one belongs to the other stack tests); only the
  // scratch tables go to the served data dir, as a job running on Trino would send them.
  const { dir, cleanup } = tempDir();
  const staged: ScratchTable[] = [];
  try {
    const config: Config = { ...testConfig(dir), trainCap: 2000 };
    await withWriter(config, silentLogger, 'test', async (s) => {
      await ingestKaggleStage(s, kaggleSample);
      for (const [i, folder] of readdirSync(historyDir).sort().entries()) await ingestExportStage(s, [join(historyDir, folder)], `p${i + 1}`);
      await silverStage(s);
      await buildGold(s, { category: 'predictive' });
      const stage = async (name: string, sql: string) => {
        const table = await stageForTrino(s.conn, trino, servedDir, name, sql);
        staged.push(table);
        return table;
      };
      await t.test('catalog forests (node tables)', (tt) => forestsOnTrino(tt, s, config, stage));
      await t.test('energy linear models', (tt) => energyModelsOnTrino(tt, s, stage));
      await t.test('k-means nearest centroid', (tt) => clustersOnTrino(tt, s, stage));
    });
  } finally {
    for (const table of staged) await table.drop();
    cleanup();
  }
  assert.deepEqual(readdirSync(join(servedDir, '_tmp', 'trino')), [], 'the scratch folders are gone');
});
