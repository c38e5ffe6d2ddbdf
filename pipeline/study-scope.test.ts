// run --study and build silver|gold --study on the demo lake (studies default and pilot): the study's
// listeners are refreshed, every other listener's rows stay exactly as they were (EXCEPT ALL both
// ways), lake-level tables are rebuilt, and an unknown study is a usage error naming the known ones.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { historyDir, runCli } from '../test/helpers.ts';
import { silentLogger } from '../lib/logger.ts';
import { withDuckDB, queryRows, quoteLiteral, type DuckDBConnection } from '../lib/duckdb.ts';
import { readCatalog, type Catalog } from '../lib/lake.ts';
import { demoLake } from './test-support.ts';
import { executeRun } from './run.ts';

const DEFAULT_LISTENERS = ['demo-amsterdam', 'demo-lastfm', 'demo-newyork'];
const PILOT_LISTENERS = ['demo-apple', 'demo-tokyo', 'demo-youtube'];
const smallExport = join(historyDir, 'Efrrowini__spotify-music-analysis', 'Streaming_History_Audio_2022.json');

const glob = (dir: string, catalog: Catalog, table: string) => join(dir, catalog.tables[table].path, '*.parquet');
const inList = (ids: string[]) => ids.map(quoteLiteral).join(', ');

/** Rows of these listeners in one version and not the other, both ways (EXCEPT ALL keeps duplicates apart). */
async function differing(conn: DuckDBConnection, a: string, b: string, ids: string[]): Promise<number> {
  const rows = (g: string) => `select * from read_parquet(${quoteLiteral(g)}) where listener_id in (${inList(ids)})`;
  const [r] = await queryRows<{ n: number }>(conn, `select
    (select count(*) from (${rows(a)} except all ${rows(b)}))::integer + (select count(*) from (${rows(b)} except all ${rows(a)}))::integer as n`);
  return r.n;
}

async function countOf(conn: DuckDBConnection, g: string, ids: string[]): Promise<number> {
  const [r] = await queryRows<{ n: number }>(conn, `select count(*)::integer as n from read_parquet(${quoteLiteral(g)}) where listener_id in (${inList(ids)})`);
  return r.n;
}

/** silver and gold tables with a listener_id column, present in both catalogs. */
function listenerTables(before: Catalog, after: Catalog): string[] {
  return Object.values(after.tables)
    .filter((m) => (m.layer === 'silver' || m.layer === 'gold') && m.columns.some((c) => c.name === 'listener_id') && `${m.layer}.${m.table}` in before.tables)
    .map((m) => `${m.layer}.${m.table}`).sort();
}

test('build silver and gold --study pilot: pilot listeners refreshed, every default listener row carried over unchanged; without --study they change too', async (t) => {
  const { dir, cleanup } = await demoLake();
  t.after(cleanup);
  const cli = (...args: string[]) => runCli([...args, '--data-dir', dir]);
  // A new time zone moves every local-time column of a listener in silver and the time tables of gold.
  assert.equal((await cli('listeners', 'set', 'demo-amsterdam', '--timezone', 'Pacific/Auckland')).code, 0);
  assert.equal((await cli('listeners', 'set', 'demo-tokyo', '--timezone', 'America/Los_Angeles')).code, 0);
  const before = readCatalog(dir);

  const silver = await cli('build', 'silver', '--study', 'pilot', '--json');
  assert.equal(silver.code, 0, silver.stderr);
  const gold = await cli('build', 'gold', '--category', 'descriptive', '--study', 'pilot', '--json');
  assert.equal(gold.code, 0, gold.stderr);
  const after = readCatalog(dir);
  const tables = listenerTables(before, after);
  assert.ok(tables.includes('silver.listening_with_features') && tables.includes('silver.listening_sessions') && tables.filter((x) => x.startsWith('gold.')).length >= 5, tables.join(', '));

  await withDuckDB({}, async (conn) => {
    let pilotChanged = 0;
    for (const table of tables) {
      assert.notEqual(after.tables[table].version, before.tables[table].version, `${table} was rebuilt`);
      assert.equal(await differing(conn, glob(dir, before, table), glob(dir, after, table), DEFAULT_LISTENERS), 0, `${table}: the default study's rows are unchanged`);
      assert.equal(await countOf(conn, glob(dir, after, table), DEFAULT_LISTENERS), await countOf(conn, glob(dir, before, table), DEFAULT_LISTENERS), `${table}: as many default rows as before`);
      if (table !== 'silver.listener_studies') pilotChanged += await differing(conn, glob(dir, before, table), glob(dir, after, table), ['demo-tokyo']);
    }
    assert.ok(pilotChanged > 0, 'the pilot listener with a new time zone was rebuilt');
    const zones = await queryRows<{ listener_id: string; timezone: string }>(conn,
      `select distinct listener_id, timezone from read_parquet(${quoteLiteral(glob(dir, after, 'silver.listening_with_features'))}) where listener_id in ('demo-amsterdam', 'demo-tokyo') order by 1`);
    assert.deepEqual(zones.map((z) => z.timezone), ['Europe/Amsterdam', 'America/Los_Angeles'], 'default kept its built zone, pilot has the new one');
    // Lake-level tables are rebuilt whole: the catalog and the study table (every listener).
    assert.notEqual(after.tables['silver.catalog_tracks'].version, before.tables['silver.catalog_tracks'].version);
    assert.equal(await countOf(conn, glob(dir, after, 'silver.listener_studies'), [...DEFAULT_LISTENERS, ...PILOT_LISTENERS]), 6);

    // The comparison can see a change of the default study: a build without --study makes one.
    assert.equal((await cli('build', 'silver')).code, 0);
    const full = readCatalog(dir);
    assert.ok(await differing(conn, glob(dir, after, 'silver.listening_with_features'), glob(dir, full, 'silver.listening_with_features'), ['demo-amsterdam']) > 0);
  });
});

test('run --study pilot imports only pilot inbox folders and keeps the default study\'s rows; unknown or malformed studies are usage errors', async (t) => {
  const { dir, config, cleanup } = await demoLake();
  t.after(cleanup);
  for (const id of ['demo-apple', 'demo-newyork']) {
    mkdirSync(join(dir, 'inbox', id), { recursive: true });
    copyFileSync(smallExport, join(dir, 'inbox', id, 'Streaming_History_Audio_2022.json'));
  }
  const before = readCatalog(dir);
  const summary = await executeRun(config, silentLogger, { study: 'pilot', gold: { category: 'descriptive' }, publish: null, spotify: false, lastfm: false, inbox: { settleMs: 0 } });
  assert.equal(summary.status, 'succeeded', summary.error ?? '');
  assert.ok(existsSync(join(dir, 'inbox', 'demo-newyork', 'Streaming_History_Audio_2022.json')), 'the default listener\'s export waits for their study\'s run');
  assert.ok(!existsSync(join(dir, 'inbox', 'demo-apple', 'Streaming_History_Audio_2022.json')), 'the pilot listener\'s export was imported');
  const after = readCatalog(dir);
  await withDuckDB({}, async (conn) => {
    const plays = (c: Catalog) => countOf(conn, glob(dir, c, 'silver.listening_with_features'), ['demo-apple']);
    assert.ok(await plays(after) > await plays(before), 'the pilot listener\'s new plays reached silver');
    for (const table of listenerTables(before, after)) {
      assert.equal(await differing(conn, glob(dir, before, table), glob(dir, after, table), DEFAULT_LISTENERS), 0, `${table}: the default study's rows are unchanged`);
    }
    const [run] = await queryRows<{ s: string }>(conn, `select summary::varchar as s from read_parquet(${quoteLiteral(glob(dir, after, 'ops.pipeline_runs'))}) where run_id = ${quoteLiteral(summary.run_id)}`);
    assert.match(run.s, /"study":"pilot"/);
  });

  const unknown = await runCli(['run', '--study', 'nope', '--data-dir', dir]);
  assert.equal(unknown.code, 2, unknown.stderr);
  assert.match(unknown.stderr, /--study nope: no listener is registered in that study; known studies: default, pilot/);
  const build = await runCli(['build', 'gold', '--study', 'nope', '--data-dir', dir]);
  assert.equal(build.code, 2);
  assert.match(build.stderr, /known studies: default, pilot/);
  const malformed = await runCli(['build', 'silver', '--study', '../x', '--data-dir', dir]);
  assert.equal(malformed.code, 2);
  assert.match(malformed.stderr, /--study: "\.\.\/x" is not a valid study id/);
  assert.equal(readCatalog(dir).tables['ops.pipeline_runs'].version, after.tables['ops.pipeline_runs'].version, 'a refused run records nothing');
});
