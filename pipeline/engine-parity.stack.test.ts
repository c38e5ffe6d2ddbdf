// `--engine trino` builds what DuckDB builds. Against the real Trino of scripts/test-stack.sh, serving
// LAKEHOUSE_DATA_DIR: the same bronze is built into silver and gold once by DuckDB and once by Trino,
// and every silver and gold table of the two builds is compared: the same schema, the same lineage
// (input tables), the same rows (matched on the table's grain; doubles within 1e-9 relative), and
// every table but the few computed in Node is Parquet written by Trino. Twice, once on each path:
// - the demo data set, through the S3 mirror (LAKEHOUSE_MIRROR_URI): Trino builds a copy of the
//   DuckDB-built demo lake in a data dir it does not serve. It reads the bronze registered in the
//   mirror, stages in the mirror, and writes the same rows without touching the file system it
//   serves. (Without the stack's S3 server, the demo lake is built in the served data dir instead.)
// - real exports of several platforms with the Kaggle sample, in the data dir Trino serves.
// The demo lake has every bronze table the real exports have: one case tests the path through the
// bucket, the other the variety of real data on the path of a shared file system.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { historyDir, kaggleSample, repoRoot, sharedData, testConfig } from '../test/helpers.ts';
import { readCatalog, type Catalog, type TableVersionMeta } from '../lib/lake.ts';
import { openDuckDB, queryRows, quoteLiteral } from '../lib/duckdb.ts';
import { compareTables } from '../lib/table-compare.ts';
import { physicalLocation, pipelineTrino, publishedState, trinoEnv } from '../lib/trino/stack-test-support.ts';
import { mirrorObjects } from '../lib/mirror.ts';
import { createBucket, s3TestEnv } from '../lib/s3-test-support.ts';

const dataDir = process.env.LAKEHOUSE_DATA_DIR ?? '';
const env = { ...trinoEnv(), LAKEHOUSE_DATA_DIR: dataDir, LOG_LEVEL: 'warn' };

function cli(...args: string[]): string {
  return cliWith({}, ...args);
}

function cliWith(extraEnv: Record<string, string>, ...args: string[]): string {
  return cliAt(dataDir, extraEnv, ...args);
}

function cliAt(dir: string, extraEnv: Record<string, string>, ...args: string[]): string {
  const res = spawnSync(process.execPath, [join(repoRoot, 'bin', 'lakehouse.js'), ...args, '--data-dir', dir], {
    cwd: repoRoot, env: { ...process.env, ...env, ...extraEnv }, encoding: 'utf8', maxBuffer: 64 << 20,
  });
  assert.equal(res.status, 0, `lakehouse ${args.join(' ')} failed:\n${res.stderr.slice(-4000)}`);
  return res.stdout;
}

/** Columns recording the build itself, different between any two builds: when and how long a model trained. */
const BUILD_COLUMNS: Record<string, string[]> = { 'gold.model_performance_metrics': ['training_seconds', 'trained_at'] };

/**
 * The tables a build with --engine trino still computes in DuckDB (README, "Scaling out"): the
 * catalog and the study registry (silver); the tables written from rows made in Node (model reports,
 * circadian_profile's bootstrap intervals, the recommender's evaluation); the recommender's tables,
 * whose TypeScript job reads the lake through DuckDB. Every other table must
 * be written by Trino's workers (its Parquet says so).
 */
const STAY_ON_DUCKDB = [
  'silver.catalog_tracks', 'silver.listener_studies',
  'gold.model_performance_metrics', 'gold.feature_importance', 'gold.confusion_matrix',
  'gold.circadian_profile', 'gold.track_recommendations', 'gold.recommendation_evaluation',
];

const built = (c: Catalog) => Object.values(c.tables).filter((m) => m.layer === 'silver' || m.layer === 'gold');
const sqlList = (xs: string[]) => `[${xs.map(quoteLiteral).join(', ')}]`;

interface Build { dir: string; catalog: Catalog }

const filesIn = (dir: string, m: TableVersionMeta) => m.files.map((f) => join(dir, m.path, f));

/**
 * Compares every silver and gold table of a Trino build with the DuckDB build of the same bronze:
 * Trino wrote each (but the STAY_ON_DUCKDB tables), rebuilt it, with the same lineage and rows.
 */
async function compareBuilds(label: string, duck: Build, trino: Build): Promise<void> {
  const tables = built(trino.catalog);
  // The jobs' scratch tables in Trino (scored vectors, node tables, coefficients) went with their transactions.
  const scratch = join(trino.dir, '_tmp', 'trino');
  assert.deepEqual(existsSync(scratch) ? readdirSync(scratch) : [], [], `${label}: scratch folders left behind`);
  assert.ok(tables.length >= 30, `${label}: ${tables.length} silver and gold tables`);
  const { instance, connection: conn } = await openDuckDB();
  const failures: string[] = [];
  try {
    // Who wrote each table of the Trino build (empty tables get DuckDB's empty Parquet either way).
    const byDuck: string[] = [];
    for (const b of tables.filter((t) => t.rows > 0)) {
      const writers = await queryRows<{ created_by: string }>(conn, `select distinct created_by from parquet_file_metadata(${sqlList(filesIn(trino.dir, b))})`);
      if (writers.some((w) => !/trino/i.test(w.created_by))) byDuck.push(`${b.layer}.${b.table}`);
    }
    process.stderr.write(`# ${label}: written by DuckDB under --engine trino: ${byDuck.sort().join(', ')}\n`);
    assert.deepEqual(byDuck.filter((k) => !STAY_ON_DUCKDB.includes(k)), [], `${label}: tables --engine trino left to DuckDB`);
    assert.ok(tables.some((t) => t.rows > 0 && t.table === 'mood_predictions') && !byDuck.includes('gold.mood_predictions'), `${label}: Trino scored the plays`);
    for (const b of tables) {
      const key = `${b.layer}.${b.table}`;
      const a = duck.catalog.tables[key];
      assert.ok(a, `${label}: ${key} was not built by DuckDB`);
      assert.ok(b.version > a.version, `${label}: ${key} was not rebuilt by the Trino build`);
      assert.deepEqual(b.inputs.map((i) => i.table), a.inputs.map((i) => i.table), `${label}: ${key} lineage`);
      const cmp = await compareTables(conn, { files: filesIn(duck.dir, a), columns: a.columns }, { files: filesIn(trino.dir, b), columns: b.columns }, b.grain ?? [], 1e-9, BUILD_COLUMNS[key]);
      if (!cmp.equal) failures.push(`${key}: ${JSON.stringify(cmp)}`);
    }
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
  assert.deepEqual(failures, [], `${label}: tables that differ between the engines`);
  process.stderr.write(`# ${label}: ${tables.length} tables equal\n`);
}

/** Builds silver and gold with each engine in the served data dir and compares every table of the two builds. */
async function buildBothAndCompare(label: string): Promise<void> {
  cli('build', 'silver', '--engine', 'duckdb');
  cli('build', 'gold', '--engine', 'duckdb');
  const byDuckDB = readCatalog(dataDir);
  const started = Date.now();
  cli('build', 'silver', '--engine', 'trino');
  cli('build', 'gold', '--engine', 'trino');
  process.stderr.write(`# ${label}: Trino build ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  await compareBuilds(label, { dir: dataDir, catalog: byDuckDB }, { dir: dataDir, catalog: readCatalog(dataDir) });
}

const s3 = Boolean(process.env.LAKEHOUSE_S3_ENDPOINT);

/** Every path under `dir` except Trino's own state (its metastore changes with every statement). */
function lakeListing(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[]).filter((p) => !p.startsWith('_trino')).sort();
}

test('demo, through the S3 mirror: --engine trino builds silver and gold in a data dir Trino does not serve, from bronze in s3://, staging in s3://, equal to the DuckDB build', { timeout: 30 * 60_000 }, async (t) => {
  assert.ok(process.env.TRINO_URL && dataDir, 'TRINO_URL and LAKEHOUSE_DATA_DIR must be set (scripts/test-stack.sh sets them)');
  cli('run', '--demo');
  if (!s3) {
    t.diagnostic('no LAKEHOUSE_S3_ENDPOINT (STACK_SERVICES without s3): the demo lake is built in the served data dir, not through the mirror');
    await buildBothAndCompare('demo');
    return;
  }
  const byDuckDB = readCatalog(dataDir);
  assert.ok(byDuckDB.tables['silver.listening_with_features']?.rows, 'the demo run built a silver');
  // A copy of the lake that Trino's file system does not reach (its local:/// is the stack's data
  // dir): what Trino reads and writes for this lake has to go through the bucket, as on a cluster
  // whose workers share no file system with the machine that runs the pipeline.
  const lake = mkdtempSync(join(tmpdir(), 'engine-mirror-'));
  cpSync(dataDir, lake, { recursive: true, filter: (src) => !/[\\/](_trino|_tmp)$/.test(src) && !/\.lock$/.test(src) });
  const config = testConfig(lake, {}, s3TestEnv());
  const bucket = `engine-mirror-${randomBytes(3).toString('hex')}`;
  const mirror = `s3://${bucket}/lake`;
  await createBucket(config, bucket);
  const trino = pipelineTrino();
  const served = lakeListing(dataDir);
  const staging = async () => (await mirrorObjects(config, mirror)).filter((o) => o.key.startsWith('lake/_trino/'));
  try {
    const started = Date.now();
    cliAt(lake, { LAKEHOUSE_MIRROR_URI: mirror }, 'build', 'silver', '--engine', 'trino');
    // What Trino read while it built: the build's transaction published the committed lake first,
    // which synced the mirror and registered every bronze table at its copy there.
    const servedDuringBuild = await publishedState(trino);
    const bronze = Object.values(readCatalog(lake).tables).filter((m) => m.layer === 'bronze');
    assert.ok(bronze.some((m) => m.table === 'listening_history'), 'bronze.listening_history is in the lake');
    for (const m of bronze) {
      const view = servedDuringBuild.get(`bronze.${m.table}`);
      assert.ok(view, `bronze.${m.table} is published`);
      assert.equal(await physicalLocation(trino, view.physical), `${mirror}/${m.path}`, `bronze.${m.table}: Trino read its copy in the mirror`);
    }
    // Trino wrote nothing into the file system it serves, and left nothing in the bucket's staging.
    assert.deepEqual(lakeListing(dataDir), served, 'the data dir Trino serves is unchanged');
    assert.deepEqual(await staging(), [], 'staging objects left in the mirror');
    // `build` does not publish its result (`run` does): publishing now puts the new silver in the mirror.
    cliAt(lake, { LAKEHOUSE_MIRROR_URI: mirror }, 'publish');
    const nowServed = await publishedState(trino);
    const keys = new Set((await mirrorObjects(config, mirror)).map((o) => o.key));
    for (const m of Object.values(readCatalog(lake).tables).filter((m) => m.layer === 'silver')) {
      const view = nowServed.get(`silver.${m.table}`);
      assert.ok(view, `silver.${m.table} is published`);
      assert.equal(await physicalLocation(trino, view.physical), `${mirror}/${m.path}`, `silver.${m.table}: served from the mirror`);
      for (const f of m.files) assert.ok(keys.has(`lake/${m.path}/${f}`), `silver.${m.table}: ${f} reached the mirror`);
    }
    // Gold too: the jobs' scratch tables and the tables made in Node (forest node tables,
    // coefficients) go through the bucket as well.
    cliAt(lake, { LAKEHOUSE_MIRROR_URI: mirror }, 'build', 'gold', '--engine', 'trino');
    process.stderr.write(`# demo through the mirror: Trino build ${((Date.now() - started) / 1000).toFixed(1)} s (with a publish)\n`);
    assert.deepEqual(lakeListing(dataDir), served, 'the data dir Trino serves is unchanged by the gold build');
    assert.deepEqual(await staging(), [], 'staging objects left in the mirror by the gold build');
    await compareBuilds('demo through the mirror', { dir: dataDir, catalog: byDuckDB }, { dir: lake, catalog: readCatalog(lake) });
  } finally {
    // The stack tests after this one expect the stack's own lake served from its data dir again.
    cliWith({ LAKEHOUSE_MIRROR_URI: '' }, 'publish');
    rmSync(lake, { recursive: true, force: true });
  }
});

test('real exports: every silver and gold table built with --engine trino equals the DuckDB build', { timeout: 30 * 60_000 }, async () => {
  cli('ingest', 'kaggle', kaggleSample);
  cli('ingest', 'export', join(historyDir, 'Efrrowini__spotify-music-analysis'), '--listener', 'real-extended', '--timezone', 'Europe/Berlin');
  cli('ingest', 'export', join(historyDir, 'JUSTSUJAY__spotify_analysis'), '--listener', 'real-account', '--timezone', 'Asia/Kolkata');
  cli('ingest', 'export', join(sharedData, 'lastfm', 'pingw33n__lastfm-scrobbles'), '--listener', 'real-lastfm');
  cli('ingest', 'export', join(sharedData, 'apple-music', 'vietvudanh__apple-music-st'), '--listener', 'real-apple', '--timezone', 'Asia/Ho_Chi_Minh');
  cli('ingest', 'export', join(sharedData, 'youtube-music', 'Ten5__AnalyzeYouTube'), '--listener', 'real-youtube');
  await buildBothAndCompare('real exports');
});
