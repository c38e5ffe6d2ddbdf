import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tempDir, testConfig } from '../test/helpers.ts';
import { writeSmallLake } from '../test/small-lake.ts';
import { readCatalog } from './lake.ts';

const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

test('query refuses every statement that writes, attaches, installs, configures or reads outside the lake', async () => {
  const { dir, cleanup } = tempDir();
  const other = tempDir();
  try {
    await writeSmallLake(testConfig(dir), 100);
    const gold = readCatalog(dir).tables['gold.daily'];
    const part = join(dir, gold.path, gold.files[0] ?? readdirSync(join(dir, gold.path)).find((f) => f.endsWith('.parquet'))!);
    const before = sha(part);
    mkdirSync(join(dir, 'secrets'), { recursive: true });
    writeFileSync(join(dir, 'secrets', 'p-kolkata.json'), '{"refresh_token":"do-not-read"}\n');
    const outside = join(other.dir, 'outside.csv');
    writeFileSync(outside, 'a,b\n1,2\n');
    const refused: [string, RegExp][] = [
      [`explain analyze copy (select 1 as a) to '${part}' (format parquet)`, /refused EXPLAIN ANALYZE/],
      [`copy (select 1 as a) to '${part}' (format parquet)`, /refused COPY/],
      [`explain analyze select 1`, /refused EXPLAIN ANALYZE/],
      [`attach '${join(dir, 'x.db')}' as x`, /refused ATTACH/],
      ['install httpfs', /refused INSTALL/],
      ['load httpfs', /refused LOAD/],
      ["select * from read_parquet('https://example.com/x.parquet')", /Permission Error/],
      ["select * from st_read('x.shp')", /spatial extension/], // not auto-installed nor auto-loaded
      [`select * from read_csv('${outside}')`, /Permission Error.*reads only the current files/s],
      ["select * from read_csv('/etc/passwd')", /Permission Error/],
      [`select * from read_text('${join(dir, 'secrets', 'p-kolkata.json')}')`, /Permission Error/],
      [`select * from read_text('${join(dir, '_catalog.json')}')`, /Permission Error/],
      ["set enable_external_access = true", /refused SET/],
      ['pragma enable_profiling', /refused PRAGMA/],
      ['create table t as select 1', /refused CREATE/],
      ['insert into gold.daily values (1)', /refused INSERT/],
      ['select 1; select 2', /exactly one SQL statement/],
    ];
    let said = '';
    for (const [sql, message] of refused) {
      const r = await runCli(['query', '--data-dir', dir, sql]);
      assert.equal(sha(part), before, `${sql}: the gold part was overwritten`);
      assert.equal(r.code, 2, `${sql}: ${r.stderr}`);
      assert.match(r.stderr, message, sql);
      assert.equal(r.stdout, '', sql);
      said += r.stderr;
    }
    assert.ok(!existsSync(join(dir, 'x.db')));
    assert.ok(!said.includes('do-not-read'), 'no byte of the token file is echoed');
  } finally {
    cleanup();
    other.cleanup();
  }
});

test('query still reads every layer, and DESCRIBE, SHOW, SUMMARIZE, EXPLAIN and range() are allowed', async () => {
  const { dir, cleanup } = tempDir();
  try {
    await writeSmallLake(testConfig(dir), 100);
    const counts = await runCli(['query', '--json', '--data-dir', dir, `select
      (select count(*) from bronze.listeners) as listeners, (select count(*) from silver.plays) as plays,
      (select sum(plays) from gold.daily) as daily, (select count(*) from ops.runs) as runs`]);
    assert.equal(counts.code, 0, counts.stderr);
    assert.deepEqual(JSON.parse(counts.stdout), [{ listeners: 2, plays: 100, daily: 100, runs: 1 }]);
    for (const sql of ['describe silver.plays', 'show tables', 'summarize gold.daily', 'explain select * from gold.daily', 'from range(3)', 'select 1 as one; ']) {
      const r = await runCli(['query', '--format', 'ndjson', '--data-dir', dir, sql]);
      assert.equal(r.code, 0, `${sql}: ${r.stderr}`);
      assert.ok(r.stdout.trim().split('\n').length >= 1, sql);
    }
  } finally {
    cleanup();
  }
});

test('query sees the whole lake although it creates only the views a statement reads', async () => {
  const { dir, cleanup } = tempDir();
  try {
    await writeSmallLake(testConfig(dir), 10);
    const tables = Object.keys(readCatalog(dir).tables).sort();
    const q = async (sql: string) => {
      const r = await runCli(['query', '--json', '--data-dir', dir, sql]);
      assert.equal(r.code, 0, `${sql}: ${r.stderr}`);
      return JSON.parse(r.stdout) as Record<string, unknown>[];
    };
    const listed = (rows: Record<string, unknown>[]) => rows.map((r) => `${String(r.s)}.${String(r.t)}`);
    assert.deepEqual(listed(await q("select table_schema as s, table_name as t from information_schema.tables where table_schema <> 'main' order by all")), tables);
    assert.deepEqual(listed(await q('select schema_name as s, view_name as t from duckdb_views() where not internal order by all')), tables);
    assert.deepEqual(await q('select count(*)::integer as n from silver.plays'), [{ n: 10 }]);
    // An unknown name fails as before, with DuckDB's suggestion from the full catalog.
    const typo = await runCli(['query', '--data-dir', dir, 'select * from silver.play']);
    assert.equal(typo.code, 2);
    assert.match(typo.stderr, /Table with name play does not exist![\s\S]*Did you mean "plays"/);
  } finally {
    cleanup();
  }
});

test('query on a data dir that does not exist is a usage error and creates nothing', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const missing = join(dir, 'nope');
    const r = await runCli(['query', '--data-dir', missing, 'select 1']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /nope: data dir does not exist/);
    assert.ok(!existsSync(missing));
  } finally {
    cleanup();
  }
});
