// Against the real Trino of scripts/test-stack.sh: what the Trino engine's write path relies on
// (notes in trino/README.md, "Trino as the engine"). As user lakehouse, in time zone UTC, with the
// catalog at microsecond timestamp precision, a CREATE TABLE ... AS SELECT with an
// external_location writes Parquet files into a new staging folder of the lake that DuckDB reads back
// with the types DuckDB itself writes, values exact (microseconds included); the folder must not
// exist; dropping the table leaves the files; renamed to *.parquet they still read in both engines.
// Readers (superset) can neither read nor write the staging schema.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { openDuckDB } from '../duckdb.ts';
import { STAGING_SCHEMA } from './access-rules.ts';
import { engineQuery, rawQuery } from './session-test-support.ts';
import { pipelineTrino } from './stack-test-support.ts';

const dataDir = process.env.LAKEHOUSE_DATA_DIR ?? '';
const trinoUrl = process.env.TRINO_URL ?? '';
const skip = !dataDir || !trinoUrl || !process.env.TRINO_CA_FILE || !process.env.TRINO_PASSWORD || !process.env.TRINO_SUPERSET_PASSWORD
  ? 'needs the Trino of scripts/test-stack.sh' : false;

const suffix = randomBytes(3).toString('hex');
const run = rawQuery;
const engine = engineQuery;
const asSuperset = (sql: string) => run(sql, { user: 'superset', password: process.env.TRINO_SUPERSET_PASSWORD });

const staged = (name: string) => `lakehouse."${STAGING_SCHEMA}"."${name}_${suffix}"`;
const folderOf = (name: string) => `gold/staging_probe/.tmp-${name}-${suffix}`;
const ctas = (name: string, select: string) =>
  `create table ${staged(name)} with (format = 'PARQUET', external_location = 'local:///${folderOf(name)}') as ${select}`;

// One row per lake type, cast the way the engine's translator casts a DuckDB type (the mapping in trino/README.md).
const PROBE_SELECT = `select cast('ß-1' as varchar) as v, cast(10000000000 as bigint) as b, cast(7 as integer) as i,
  cast(1 as double) / 7 as d, true as bo, date '2024-02-29' as dt,
  timestamp '2025-03-30 00:59:59.123456' as ts, timestamp '1969-07-20 20:17:40.000001' as ts_old,
  cast(timestamp '2025-03-30 03:59:59.123456 Europe/Berlin' at time zone 'UTC' as timestamp(6)) as ts_from_tz,
  cast(array['a', 'b'] as array(varchar)) as arr, cast(null as array(varchar)) as arr_null,
  cast(12345.6789 as decimal(18, 4)) as dec, cast(row(1, 'x') as row(a integer, b varchar)) as st`;

const EXPECTED_DUCKDB_TYPES = [
  'v VARCHAR', 'b BIGINT', 'i INTEGER', 'd DOUBLE', 'bo BOOLEAN', 'dt DATE', 'ts TIMESTAMP', 'ts_old TIMESTAMP',
  'ts_from_tz TIMESTAMP', 'arr VARCHAR[]', 'arr_null VARCHAR[]', 'dec DECIMAL(18,4)', 'st STRUCT(a INTEGER, b VARCHAR)',
];

after(async () => {
  if (skip) return;
  for (const name of ['probe', 'exists', 'empty', 'denied']) await engine(`drop table if exists ${staged(name)}`).catch(() => {});
  rmSync(join(dataDir, 'gold', 'staging_probe'), { recursive: true, force: true });
});

test('lakehouse writes a staging folder by CTAS; DuckDB reads the same types and exact values; DROP keeps the files', { skip }, async (t) => {
  await engine(`create schema if not exists lakehouse."${STAGING_SCHEMA}"`);
  const started = Date.now();
  assert.deepEqual(await engine(ctas('probe', PROBE_SELECT)), [[1]]);
  t.diagnostic(`CTAS of one row took ${Date.now() - started} ms`);

  const folder = join(dataDir, folderOf('probe'));
  const files = readdirSync(folder);
  assert.ok(files.length >= 1, 'at least one file');
  for (const f of files) assert.match(f, /^\d{8}_\d{6}_\d{5}_\w+_[0-9a-f-]{36}$/, `Trino names a file <queryId>_<uuid>, no extension, nothing hidden: ${f}`);

  const { instance, connection } = await openDuckDB();
  try {
    const glob = `${folder}/*`;
    const types = (await connection.runAndReadAll(`describe select * from read_parquet('${glob}')`)).getRowObjectsJson().map((r) => `${r.column_name} ${r.column_type}`);
    assert.deepEqual(types, EXPECTED_DUCKDB_TYPES);
    const [row] = (await connection.runAndReadAll(`select v, b, i, d, bo, dt::varchar as dt, strftime(ts, '%Y-%m-%d %H:%M:%S.%f') as ts,
      strftime(ts_old, '%Y-%m-%d %H:%M:%S.%f') as ts_old, strftime(ts_from_tz, '%Y-%m-%d %H:%M:%S.%f') as ts_from_tz,
      arr, arr_null, dec::varchar as dec, st from read_parquet('${glob}')`)).getRowObjectsJson();
    assert.deepEqual(row, {
      v: 'ß-1', b: '10000000000', i: 7, d: 1 / 7, bo: true, dt: '2024-02-29', ts: '2025-03-30 00:59:59.123456',
      ts_old: '1969-07-20 20:17:40.000001', ts_from_tz: '2025-03-30 01:59:59.123456', arr: ['a', 'b'], arr_null: null,
      dec: '12345.6789', st: { a: 1, b: 'x' },
    });
    const codecs = (await connection.runAndReadAll(`select distinct compression from parquet_metadata('${glob}')`)).getRowObjectsJson().map((r) => r.compression);
    assert.deepEqual(codecs, ['ZSTD'], 'hive.compression-codec=ZSTD, like DuckDB');

    await engine(`drop table ${staged('probe')}`);
    assert.deepEqual(readdirSync(folder).sort(), [...files].sort(), 'dropping the external table leaves its files');

    // The pipeline renames the parts to the lake's naming and the folder into a version: both engines read it.
    files.forEach((f, i) => renameSync(join(folder, f), join(folder, `part-${String(i).padStart(5, '0')}-run1.parquet`)));
    const version = join(dataDir, 'gold', 'staging_probe', `v000001-${suffix}`);
    renameSync(folder, version);
    const n = (await connection.runAndReadAll(`select count(*)::integer as n, max(ts) = timestamp '2025-03-30 00:59:59.123456' as exact from read_parquet('${version}/*.parquet')`)).getRowObjectsJson()[0];
    assert.deepEqual(n, { n: 1, exact: true });
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
  await engine(`create table ${staged('probe')} (ts timestamp(6), arr array(varchar)) with (format = 'PARQUET', external_location = 'local:///gold/staging_probe/v000001-${suffix}')`);
  assert.deepEqual(await engine(`select cast(ts as varchar), arr from ${staged('probe')}`), [['2025-03-30 00:59:59.123456', ['a', 'b']]]);
  await engine(`drop table ${staged('probe')}`);
});

test('the staging folder must not exist; a CTAS of no rows fails and leaves nothing', { skip }, async () => {
  await engine(`create schema if not exists lakehouse."${STAGING_SCHEMA}"`);
  assert.deepEqual(await engine(ctas('exists', 'select 1 as a')), [[1]]);
  await engine(`drop table ${staged('exists')}`);
  await assert.rejects(engine(ctas('exists', 'select 2 as a')), /Target directory for table .* already exists/);
  assert.equal(readdirSync(join(dataDir, folderOf('exists'))).length, 1, 'the existing folder is untouched');

  await assert.rejects(engine(ctas('empty', 'select 1 as a where false')), /External table location does not exist/);
  assert.ok(!existsSync(join(dataDir, folderOf('empty'))), 'no folder for an empty result');
  assert.deepEqual(await engine(`show tables from lakehouse."${STAGING_SCHEMA}" like 'empty_${suffix}'`), []);
});

test('every timestamp column written must be timestamp(6): a timestamp(3) one is refused and writes nothing', { skip }, async () => {
  await assert.rejects(engine(ctas('denied', `select timestamp '2025-01-01 00:00:00.001' as ts`)), /Incorrect timestamp precision for timestamp\(3\); the configured precision is MICROSECONDS/);
  assert.ok(!existsSync(join(dataDir, folderOf('denied'))));
  assert.deepEqual(await engine(`select typeof(cast(timestamp '2025-01-01 00:00:00.001' as timestamp(6)))`), [['timestamp(6)']]);
});

test("the pipeline's client is told timestamp(6) and gets the microseconds: a scratch table typed from a query's columns is timestamp(6)", { skip }, async () => {
  // Without the client capability PARAMETRIC_DATETIME Trino says "timestamp" (timestamp(3) in DDL) and rounds to milliseconds.
  const r = await pipelineTrino().query(`select timestamp '2025-03-30 00:59:59.123456' as ts,
    cast(timestamp '2025-03-30 00:59:59.123456 UTC' as timestamp(6) with time zone) as tz`);
  assert.deepEqual(r.columns, [{ name: 'ts', type: 'timestamp(6)' }, { name: 'tz', type: 'timestamp(6) with time zone' }]);
  assert.deepEqual(r.rows, [['2025-03-30 00:59:59.123456', '2025-03-30 00:59:59.123456 UTC']]);
});

test('superset cannot create, read, insert into or drop staging tables', { skip }, async () => {
  await engine(`create schema if not exists lakehouse."${STAGING_SCHEMA}"`);
  await engine(ctas('denied', 'select 1 as a'));
  const denied = /PERMISSION_DENIED: Access Denied/;
  await assert.rejects(asSuperset(`select * from ${staged('denied')}`), denied);
  await assert.rejects(asSuperset(`insert into ${staged('denied')} values (2)`), denied);
  await assert.rejects(asSuperset(`drop table ${staged('denied')}`), denied);
  await assert.rejects(asSuperset(`create table lakehouse."${STAGING_SCHEMA}"."s_${suffix}" with (format = 'PARQUET', external_location = 'local:///gold/staging_probe/.tmp-s-${suffix}') as select 1 as a`), denied);
  await assert.rejects(asSuperset(`create table lakehouse.gold."s_${suffix}" with (format = 'PARQUET', external_location = 'local:///gold/staging_probe/.tmp-s-${suffix}') as select 1 as a`), denied);
  assert.ok(!existsSync(join(dataDir, 'gold', 'staging_probe', `.tmp-s-${suffix}`)), 'nothing written for a refused CTAS');
  const schemas = (await asSuperset('show schemas from lakehouse')).map((r) => r[0]);
  assert.ok(!schemas.includes(STAGING_SCHEMA), `superset does not see ${STAGING_SCHEMA}: ${schemas.join(', ')}`);
  assert.deepEqual(await engine(`select count(*) from ${staged('denied')}`), [[1]], 'the table is still there');
});
