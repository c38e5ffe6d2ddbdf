// Hostile export files (issue 16, items 1-3): stray elements, out-of-range values and duplicate keys
// are quarantined per record with their position and field; one listener's failed import leaves the
// session usable for the next listener and for silver.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyDir, tempDir, testConfig } from '../../test/helpers.ts';
import { silentLogger } from '../../lib/logger.ts';
import { withReader, withWriter } from '../../lib/session.ts';
import { queryRows } from '../../lib/duckdb.ts';
import { InputFileError } from '../../lib/errors.ts';
import { ingestExports } from './ingest.ts';
import { ingestExportStage, silverStage } from '../../pipeline/stages.ts';
import { importInbox } from '../../pipeline/inbox.ts';
import type { Config } from '../../lib/config.ts';

const EXTENDED = join(historyDir, 'Efrrowini__spotify-music-analysis', 'Streaming_History_Audio_2023.json');
const ACCOUNT = join(historyDir, 'JUSTSUJAY__spotify_analysis', 'StreamingHistory_music_2.json');
type Rec = Record<string, unknown>;
const records = (file: string): Rec[] => JSON.parse(readFileSync(file, 'utf8')) as Rec[];

async function ingest(config: Config, paths: string[], listener: string) {
  return withWriter(config, silentLogger, 'test', async (s) => {
    const tx = s.begin();
    const r = await ingestExports(s.context(tx), paths, listener);
    await tx.commit();
    return r;
  });
}

async function rejects(config: Config) {
  return withReader(config, silentLogger, (s) => queryRows<{ source_row: number; field: string | null; reason: string; raw_line: string }>(s.conn,
    'select source_row::integer as source_row, field, reason, raw_line from bronze.rejected_rows order by source_row'));
}

async function plays(config: Config, listener: string): Promise<number> {
  const [{ n }] = await withReader(config, silentLogger, (s) => queryRows<{ n: number }>(s.conn,
    'select count(*)::integer as n from bronze.listening_history where listener_id = $l', { l: listener }));
  return n;
}

test('stray non-object elements anywhere in a real export are quarantined with their position; every record is imported', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const real = records(EXTENDED);
    // 42 after record 500 (the reproduction), then a string, an array holding personal data, null, true.
    const mixed: unknown[] = [...real];
    mixed.splice(500, 0, 42);
    mixed.splice(2, 0, 'stray');
    mixed.splice(1000, 0, [{ ip_addr: '203.0.113.9', username: 'secret-user' }]);
    mixed.push(null, true);
    mkdirSync(join(dir, 'in'));
    const file = join(dir, 'in', 'Streaming_History_Audio_2023.json');
    writeFileSync(file, JSON.stringify(mixed, null, 2));
    const config = testConfig(join(dir, 'lake'));
    const r = await ingest(config, [file], 'p1');
    assert.equal(r.files[0].format, 'export_extended');
    assert.equal(r.records, real.length + 5);
    assert.equal(r.rows_rejected, 5);
    assert.equal(r.rows_added + r.duplicates_skipped, real.length, 'every real record is kept');
    assert.equal(await plays(config, 'p1'), r.rows_added);
    const q = await rejects(config);
    assert.deepEqual(q.map((x) => x.source_row), [3, 502, 1001, mixed.length - 1, mixed.length]);
    assert.deepEqual(q.map((x) => x.reason), ['a string', 'a number', 'an array', 'null', 'a boolean'].map((k) => `not a record: the array element is ${k}, not an object`));
    assert.ok(q.every((x) => x.field === null));
    assert.equal(q[1].raw_line, '42');
    assert.ok(!q[2].raw_line.includes('203.0.113.9') && !q[2].raw_line.includes('secret-user'), q[2].raw_line);
  } finally {
    cleanup();
  }
});

test('a bare integer beyond 64 bits among the records (valid JSON DuckDB reads as malformed) is quarantined too', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const real = records(ACCOUNT).slice(0, 20).map((r) => JSON.stringify(r));
    real.splice(3, 0, '18446744073709552000');
    real.push('-100000000000000000000000000000');
    const file = join(dir, 'StreamingHistory_music_2.json');
    writeFileSync(file, `[${real.join(',\n')}]`);
    const config = testConfig(join(dir, 'lake'));
    const r = await ingest(config, [file], 'p1');
    assert.deepEqual([r.records, r.rows_rejected, r.rows_added + r.duplicates_skipped], [22, 2, 20]);
    assert.deepEqual((await rejects(config)).map((x) => [x.source_row, x.reason]),
      [[4, 'not a record: the array element is a number, not an object'], [22, 'not a record: the array element is a number, not an object']]);
  } finally {
    cleanup();
  }
});

test('a file whose shape cannot be recognised is refused naming the file, whatever its first records', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const config = testConfig(join(dir, 'lake'));
    const cases: [string, unknown][] = [
      ['numbers.json', [1, 2, 3]],
      ['strays-then-unknown.json', [...Array.from({ length: 1500 }, (_, i) => i), { when: 'x', what: 'y' }]],
      ['object.json', { ts: '2024-01-01T00:00:00Z', ms_played: 1 }],
    ];
    for (const [name, content] of cases) {
      const file = join(dir, name);
      writeFileSync(file, JSON.stringify(content));
      await assert.rejects(ingest(config, [file], 'p1'), (e: Error) => e instanceof InputFileError && e.message.startsWith(`${file}: `) && /unknown export shape|not a JSON array/.test(e.message), name);
    }
    // Cut right after a record: DuckDB's reader alone would import the records before the cut.
    const real = readFileSync(ACCOUNT, 'utf8');
    const cut = join(dir, 'StreamingHistory_music_9.json');
    writeFileSync(cut, real.slice(0, real.indexOf('},', 2000) + 2));
    await assert.rejects(ingest(config, [cut], 'p1'), (e: Error) => e instanceof InputFileError && /StreamingHistory_music_9\.json: truncated .*byte \d+/.test(e.message));
  } finally {
    cleanup();
  }
});

test('out-of-range play times and timestamps are quarantined with the field named, never a raw engine error', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const real = records(EXTENDED).slice(0, 40);
    const future = new Date(Date.now() + 2 * 86_400_000).toISOString().replace(/\.\d+Z$/, 'Z');
    const bad: [string, unknown, string][] = [
      ['ms_played', 9.2e15, 'play time out of range'], ['ms_played', 1e30, 'play time out of range'], ['ms_played', -1, 'play time out of range'],
      ['ms_played', 86_400_001, 'play time out of range'], ['ms_played', '0x10', 'not a whole number'], ['ms_played', 12.5, 'not a whole number'],
      ['ts', '2005-12-31T23:59:59Z', 'timestamp out of range'], ['ts', future, 'timestamp out of range'],
      ['ts', '0001-01-01T00:00:00Z', 'timestamp out of range'], ['ts', '9999-12-31T23:59:59Z', 'timestamp out of range'],
      ['offline_timestamp', 1e30, 'offline timestamp'], ['shuffle', 'yes', 'not a boolean'],
    ];
    bad.forEach(([k, v], i) => (real[i] = { ...real[i], [k]: v }));
    mkdirSync(join(dir, 'in'));
    const file = join(dir, 'in', 'Streaming_History_Audio_2030.json');
    writeFileSync(file, JSON.stringify(real));
    const account = join(dir, 'in', 'StreamingHistory_music_0.json');
    writeFileSync(account, JSON.stringify([
      { endTime: '0001-01-01 00:00', artistName: 'A', trackName: 'T', msPlayed: 1000 },
      { endTime: '9999-12-31 23:59', artistName: 'A', trackName: 'T', msPlayed: 1000 },
      { endTime: '2024-01-01 10:00', artistName: 'A', trackName: 'T', msPlayed: 9.2e18 },
      { endTime: '2024-01-01 10:01', artistName: 'A', trackName: 'T', msPlayed: 86_400_000 },
    ]));
    const config = testConfig(join(dir, 'lake'));
    const r = await ingest(config, [file, account], 'p1');
    assert.equal(r.rows_rejected, bad.length + 3);
    assert.equal(r.rows_added, real.length - bad.length + 1, 'a play of exactly 24 h is kept');
    const q = (await rejects(config));
    const extended = q.filter((x) => JSON.parse(x.raw_line).ts !== undefined);
    assert.deepEqual(extended.map((x) => [x.source_row, x.field]), bad.map(([k], i) => [i + 1, k]));
    extended.forEach((x, i) => assert.match(x.reason, new RegExp(bad[i][2]), x.reason));
    const acc = q.filter((x) => JSON.parse(x.raw_line).endTime !== undefined);
    assert.deepEqual(acc.map((x) => [x.source_row, x.field]), [[1, 'endTime'], [2, 'endTime'], [3, 'msPlayed']]);
  } finally {
    cleanup();
  }
});

test('a duplicate key quarantines that record only; its raw line keeps no personal field', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const text = readFileSync(EXTENDED, 'utf8');
    // The third record gets ms_played twice and a username (real exports carry one).
    let seen = 0;
    const dup = text.replace(/"ms_played": (\d+),/g, (m, n) => (++seen === 3 ? `"ms_played": ${n}, "username": "secret-user-42", "ms_played": 5,` : m));
    mkdirSync(join(dir, 'in'));
    const file = join(dir, 'in', 'Streaming_History_Audio_2023.json');
    writeFileSync(file, dup);
    const config = testConfig(join(dir, 'lake'));
    const r = await ingest(config, [file], 'p1');
    assert.equal(r.rows_rejected, 1);
    assert.equal(r.rows_added + r.duplicates_skipped, records(EXTENDED).length - 1);
    const [x] = await rejects(config);
    assert.deepEqual([x.source_row, x.field, x.reason], [3, 'ms_played', 'duplicate key "ms_played" in one record']);
    assert.ok(!x.raw_line.includes('secret-user-42'));
    assert.equal(JSON.parse(x.raw_line).ts, records(EXTENDED)[2].ts);
  } finally {
    cleanup();
  }
});

test("one listener's failed import leaves the session's views intact for the next listener and silver", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const config = testConfig(join(dir, 'lake'));
    await withWriter(config, silentLogger, 'test', async (s) => {
      // A fails at the very end (the guard a pipeline abort uses), after staging bronze.listeners and history.
      s.commitGuard = () => { throw new Error('aborted on purpose'); };
      await assert.rejects(ingestExportStage(s, [EXTENDED], 'a'), /aborted on purpose/);
      s.commitGuard = () => {};
      const b = await ingestExportStage(s, [ACCOUNT], 'b');
      assert.equal(b.detail?.rows_added, records(ACCOUNT).length);
      const silver = await silverStage(s);
      assert.ok(silver.tables.some((t) => t.table === 'silver.listening_with_features' && t.rows === records(ACCOUNT).length));
    });
    assert.equal(await plays(config, 'a'), 0);
  } finally {
    cleanup();
  }
});

test('the inbox imports listener A with a 9.2e15 ms play quarantined, and B after it', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const config = testConfig(join(dir, 'lake'));
    const a = records(EXTENDED).slice(0, 100);
    a[50] = { ...a[50], ms_played: 9.2e15 };
    for (const [l, name, body] of [['a', 'Streaming_History_Audio_2023.json', JSON.stringify(a)], ['b', 'StreamingHistory_music_2.json', readFileSync(ACCOUNT, 'utf8')]]) {
      mkdirSync(join(config.dataDir, 'inbox', l), { recursive: true });
      writeFileSync(join(config.dataDir, 'inbox', l, name), body);
    }
    const { summary } = await withWriter(config, silentLogger, 'test', async (s) => {
      const out = await importInbox(s, { settleMs: 0 });
      await silverStage(s);
      return out;
    });
    assert.deepEqual(summary.listeners_failed, []);
    assert.equal(summary.imported, 2);
    assert.equal(await plays(config, 'b'), records(ACCOUNT).length);
    const q = await rejects(config);
    assert.deepEqual(q.map((x) => [x.source_row, x.field]), [[51, 'ms_played']]);
  } finally {
    cleanup();
  }
});
