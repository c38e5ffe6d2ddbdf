import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, runCliChild, tempDir, testConfig } from '../../test/helpers.ts';
import { writeSmallLake } from '../../test/small-lake.ts';

test('*_local timestamps carry the listener offset (+05:30, -02:30), never Z, in json, ndjson, csv and table', async () => {
  const { dir, cleanup } = tempDir();
  try {
    await writeSmallLake(testConfig(dir), 4);
    // play 0: p-kolkata at 13:01:24 UTC; play 1: p-stjohns at 13:02:24 UTC (NDT, UTC-02:30 in May).
    const where = 'from silver.plays where play_id < 2 order by play_id';
    const withUtc = await runCli(['query', '--json', '--data-dir', dir, `select listener_id, played_at, played_at_local, date_local ${where}`]);
    assert.equal(withUtc.code, 0, withUtc.stderr);
    assert.deepEqual(JSON.parse(withUtc.stdout), [
      { listener_id: 'p-kolkata', played_at: '2022-05-22T13:01:24.000Z', played_at_local: '2022-05-22T18:31:24+05:30', date_local: '2022-05-22' },
      { listener_id: 'p-stjohns', played_at: '2022-05-22T13:02:24.000Z', played_at_local: '2022-05-22T10:32:24-02:30', date_local: '2022-05-22' },
    ]);
    // Without played_at the offset comes from the timezone column, else from bronze.listeners.
    for (const cols of ['played_at_local, timezone', 'listener_id, played_at_local']) {
      const r = await runCli(['query', '--format', 'ndjson', '--data-dir', dir, `select ${cols} ${where}`]);
      assert.equal(r.code, 0, r.stderr);
      const locals = r.stdout.trim().split('\n').map((l) => JSON.parse(l).played_at_local);
      assert.deepEqual(locals, ['2022-05-22T18:31:24+05:30', '2022-05-22T10:32:24-02:30'], cols);
    }
    const csv = await runCli(['query', '--format', 'csv', '--data-dir', dir, `select listener_id, played_at_local, big_count ${where}`]);
    assert.equal(csv.stdout, 'listener_id,played_at_local,big_count\np-kolkata,2022-05-22T18:31:24+05:30,9007199254740993\np-stjohns,2022-05-22T10:32:24-02:30,1\n');
    // Nothing to derive an offset from: no zone designator at all, and never Z.
    const bare = await runCli(['query', '--json', '--data-dir', dir, 'select max(played_at_local) as last_local from silver.plays where play_id = 0']);
    assert.deepEqual(JSON.parse(bare.stdout), [{ last_local: '2022-05-22T18:31:24' }]);
    const table = await runCli(['query', '--data-dir', dir, `select played_at, played_at_local ${where}`]);
    assert.match(table.stdout, /2022-05-22T18:31:24\+05:30/);
    assert.doesNotMatch(table.stdout + csv.stdout + bare.stdout, /(18:31|10:32):24(\.\d+)?Z/, "a local time written as UTC");
  } finally {
    cleanup();
  }
});

test('query formats keep the value contract: big ints as strings, dates, NULL, quoting in csv', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const sql = `select 9007199254740993::bigint as big, 42::bigint as small, date '2024-02-29' as d, null as n, 'a,"b"' as s, [1, 2] as l`;
    const json = await runCli(['query', '--json', '--data-dir', dir, sql]);
    assert.deepEqual(JSON.parse(json.stdout), [{ big: '9007199254740993', small: 42, d: '2024-02-29', n: null, s: 'a,"b"', l: [1, 2] }]);
    const same = await runCli(['query', '--format', 'json', '--data-dir', dir, sql]);
    assert.equal(same.stdout, json.stdout);
    const csv = await runCli(['query', '--format', 'csv', '--data-dir', dir, sql]);
    assert.equal(csv.stdout, 'big,small,d,n,s,l\n9007199254740993,42,2024-02-29,,"a,""b""","[1,2]"\n');
    const empty = await runCli(['query', '--json', '--data-dir', dir, 'select 1 as a where false']);
    assert.deepEqual(JSON.parse(empty.stdout), []);
    const bad = await runCli(['query', '--format', 'xml', '--data-dir', dir, 'select 1']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--format: expected one of table, json, ndjson, csv/);
  } finally {
    cleanup();
  }
});

test('query prints large results in every format (used to overflow the stack at ~125,000 rows)', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const table = await runCli(['query', '--data-dir', dir, 'select range as i, range * 2 as j from range(200000)']);
    assert.equal(table.code, 0, `stderr: ${table.stderr}`);
    assert.match(table.stdout, /\n199999 +399998\n\(200000 rows\)\n$/);
    const ndjson = await runCli(['query', '--format', 'ndjson', '--data-dir', dir, 'select range as i from range(200000)']);
    assert.equal(ndjson.stdout.split('\n').length - 1, 200000);
  } finally {
    cleanup();
  }
});

test('query --format csv streams 1,000,000 rows in a child process in bounded memory', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const rusage = join(dir, 'rusage.jsonl');
    const r = await runCliChild(['query', '--format', 'csv', '--data-dir', dir,
      "select range as i, 'listener-' || (range % 97) as listener_id, range * 0.5 as x from range(1000000)"],
    { LAKEHOUSE_RUSAGE_FILE: rusage, DUCKDB_THREADS: '1' });
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split('\n');
    assert.equal(lines.length, 1_000_002); // header, 1,000,000 rows, trailing newline
    assert.equal(lines[1_000_000], '999999,listener-26,499999.5');
    const { max_rss_kb: rss, wall_ms } = JSON.parse(readFileSync(rusage, 'utf8').trim()) as { max_rss_kb: number; wall_ms: number };
    process.stderr.write(`# query --format csv, 1,000,000 rows: peak RSS ${Math.round(rss / 1024)} MiB, ${wall_ms} ms\n`);
    // The whole result as CSV is ~30 MB of text; holding it as row objects took far more. The bound
    // is loose (DuckDB's buffers and Node's heap), the point is that it does not grow with the rows.
    assert.ok(rss < 400 * 1024, `peak RSS ${rss} KiB`);
  } finally {
    cleanup();
  }
});
