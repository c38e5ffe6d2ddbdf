import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { runCli, tempDir, testConfig } from '../../test/helpers.ts';
import { writeSmallLake } from '../../test/small-lake.ts';

async function tableRows(dir: string): Promise<Map<string, number>> {
  const r = await runCli(['tables', '--json', '--data-dir', dir]);
  return new Map((JSON.parse(r.stdout) as { layer: string; table: string; rows: number }[]).map((t) => [`${t.layer}.${t.table}`, t.rows]));
}

test('export writes csv, json, ndjson and parquet files whose row counts equal `tables`', async () => {
  const { dir, cleanup } = tempDir();
  const out = tempDir();
  try {
    await writeSmallLake(testConfig(dir), 5000); // more than two DuckDB chunks
    const rows = await tableRows(dir);
    for (const table of ['silver.plays', 'gold.daily', 'bronze.listeners']) {
      const expected = rows.get(table)!;
      const csvFile = join(out.dir, `${table}.csv`);
      const csv = await runCli(['export', table, '--out', csvFile, '--data-dir', dir, '--json']);
      assert.equal(csv.code, 0, csv.stderr);
      assert.deepEqual(JSON.parse(csv.stdout), { rows: expected, format: 'csv', out: csvFile });
      assert.equal((parse(readFileSync(csvFile), { columns: true }) as unknown[]).length, expected, `${table} csv`);

      const jsonFile = join(out.dir, `${table}.json`);
      assert.equal((await runCli(['export', table, '--out', jsonFile, '--data-dir', dir])).code, 0);
      assert.equal((JSON.parse(readFileSync(jsonFile, 'utf8')) as unknown[]).length, expected, `${table} json`);

      const ndjsonFile = join(out.dir, `${table}.ndjson`);
      assert.equal((await runCli(['export', table, '--format', 'ndjson', '--out', ndjsonFile, '--data-dir', dir])).code, 0);
      assert.equal(readFileSync(ndjsonFile, 'utf8').trim().split('\n').length, expected, `${table} ndjson`);

      const parquetFile = join(out.dir, `${table}.parquet`);
      const pq = await runCli(['export', table, '--out', parquetFile, '--data-dir', dir, '--json']);
      assert.equal(pq.code, 0, pq.stderr);
      assert.equal(JSON.parse(pq.stdout).rows, expected);
      // Read the file back with a separate DuckDB (the lake's read-only connection may not read it).
      const { DuckDBInstance } = await import('@duckdb/node-api');
      const db = await DuckDBInstance.create(':memory:');
      const conn = await db.connect();
      const n = Number((await conn.runAndReadAll(`select count(*) from read_parquet('${parquetFile}')`)).getRowsJS()[0][0]);
      conn.closeSync();
      db.closeSync();
      assert.equal(n, expected, `${table} parquet`);
    }
    assert.deepEqual(readdirSync(out.dir).filter((f) => f.includes('.tmp-')), [], 'no temporary file is left');
  } finally {
    cleanup();
    out.cleanup();
  }
});

test('export to stdout streams; --where and --sql pass the read-only guard', async () => {
  const { dir, cleanup } = tempDir();
  try {
    await writeSmallLake(testConfig(dir), 3000);
    const all = await runCli(['export', 'silver.plays', '--data-dir', dir]);
    assert.equal(all.code, 0, all.stderr);
    const records = parse(all.stdout, { columns: true }) as Record<string, string>[];
    assert.equal(records.length, 3000);
    assert.equal(records[0].played_at_local, '2022-05-22T18:31:24+05:30');
    const kolkata = await runCli(['export', 'silver.plays', '--where', "listener_id = 'p-kolkata'", '--format', 'ndjson', '--data-dir', dir]);
    assert.equal(kolkata.stdout.trim().split('\n').length, 1500);
    const sql = await runCli(['export', '--sql', 'select listener_id, count(*) as plays from silver.plays group by 1 order by 1', '--format', 'json', '--data-dir', dir]);
    assert.deepEqual(JSON.parse(sql.stdout), [{ listener_id: 'p-kolkata', plays: 1500 }, { listener_id: 'p-stjohns', plays: 1500 }]);

    const refusals: [string[], RegExp][] = [
      [['silver.plays', '--where', "1=1) union all (select * from read_csv('/etc/passwd')"], /Permission Error/],
      [['silver.plays', '--where', "true); copy silver.plays to '/tmp/x.csv'; select (1"], /exactly one SQL statement/],
      [['--sql', `copy silver.plays to '${join(dir, 'x.csv')}'`], /--sql: refused COPY/],
      [['--sql', 'select 1', 'silver.plays'], /either <layer.table>/],
      [['gold.nope'], /gold\.nope: no such table/],
      [['gold.daily', '--out', join(dir, 'gold', 'daily', 'x.csv')], /inside the data dir/],
      [['silver.plays', '--format', 'xlsx'], /--format: expected one of csv, json, ndjson, parquet/],
    ];
    for (const [args, message] of refusals) {
      const r = await runCli(['export', ...args, '--data-dir', dir]);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
    }
    assert.ok(!existsSync(join(dir, 'x.csv')));
  } finally {
    cleanup();
  }
});
