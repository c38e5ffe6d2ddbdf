import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { kaggleSample, runCli, runCliChild, tempDir, testConfig } from '../../test/helpers.ts';
import { silentLogger } from '../../lib/logger.ts';
import { withWriter, withReader } from '../../lib/session.ts';
import { queryRows } from '../../lib/duckdb.ts';
import { readCatalog } from '../../lib/lake.ts';
import { InputFileError } from '../../lib/errors.ts';
import { ingestKaggle } from './ingest.ts';
import type { Config } from '../../lib/config.ts';

async function ingest(config: Config, file: string) {
  return withWriter(config, silentLogger, 'test', async (s) => {
    const tx = s.begin();
    const r = await ingestKaggle(s.context(tx), file);
    await tx.commit();
    return r;
  });
}

test('the real 10,000-row Kaggle sample loads every row, and a re-import adds nothing', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const config = testConfig(dir);
    const first = await ingest(config, kaggleSample);
    assert.equal(first.rows_read, 10000);
    assert.equal(first.rows_added, 10000);
    assert.equal(first.rows_rejected, 0);
    const again = await ingest(config, kaggleSample);
    assert.equal(again.rows_added, 0);
    assert.equal(readCatalog(dir).tables['bronze.kaggle_tracks'].version, 1, 'no new version for nothing new');
    const rows = await withReader(config, silentLogger, (s) => queryRows<Record<string, unknown>>(s.conn, `
      select count(*)::integer n, count(distinct track_id)::integer ids, count(*) filter (where explicit)::integer explicit_n,
             max(kaggle_index)::integer max_idx, min(kaggle_index)::integer min_idx,
             count(*) filter (where track_id = '1kR4gIb7nGxHPI3D2ifs59' and duration_ms = 0 and track_name is null or track_name = '')::integer row65900
      from bronze.kaggle_tracks`));
    assert.deepEqual(rows[0], { n: 10000, ids: 9749, explicit_n: 831, max_idx: 113986, min_idx: 35, row65900: 1 });
  } finally {
    cleanup();
  }
});

test('bad rows are quarantined with reason and raw line; quoted commas, CRLF, TRUE/False and 1e-06 parse', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const header = ',track_id,artists,album_name,track_name,popularity,duration_ms,explicit,danceability,energy,key,loudness,mode,speechiness,acousticness,instrumentalness,liveness,valence,tempo,time_signature,track_genre';
    const good = (i: number, id: string, extra = {} as Record<string, string>) => {
      const v = { explicit: 'TRUE', dance: '0.5', tempo: '120.0', loud: '-5.0', instr: '1.01E-06', ...extra };
      return `${i},${id},"Artist, The","Album ""X""",Song ${i},50,200000,${v.explicit},${v.dance},0.6,5,${v.loud},1,0.05,0.2,${v.instr},0.1,0.4,${v.tempo},4,pop`;
    };
    const lines = [
      header,
      good(1, 'id1'),
      good(2, 'id2', { explicit: 'False' }),
      good(3, 'id3', { dance: '1.2' }),
      good(4, 'id4', { tempo: '350' }),
      good(5, '', {}),
      good(6, 'id6', { dance: 'abc' }),
      good(7, 'id7', { loud: '7.5' }),
      '8,id8,too,few,fields',
      good(9, 'id9', { instr: '1.84e-06', explicit: 'false' }),
    ];
    const file = join(dir, 'tracks.csv');
    writeFileSync(file, lines.join('\r\n') + '\r\n');
    const config = testConfig(join(dir, 'lake'));
    const r = await ingest(config, file);
    assert.equal(r.rows_added, 3);
    assert.equal(r.rows_rejected, 6);
    const rejects = await withReader(config, silentLogger, (s) => queryRows<{ source_row: number; field: string | null; reason: string; raw_line: string; source: string }>(s.conn,
      'select source, source_row::integer source_row, field, reason, raw_line from bronze.rejected_rows order by source_row'));
    assert.deepEqual(rejects.map((x) => [x.source_row, x.field]), [[3, 'danceability'], [4, 'tempo'], [5, 'track_id'], [6, 'danceability'], [7, 'loudness'], [8, null]]);
    assert.match(rejects[0].reason, /danceability 1.2 outside \[0, 1\]/);
    assert.match(rejects[5].reason, /expected 21 fields, got 5/);
    assert.equal(rejects[5].raw_line, '8,id8,too,few,fields');
    assert.ok(rejects.every((x) => x.source === 'kaggle_csv'));
    const kept = await withReader(config, silentLogger, (s) => queryRows<Record<string, unknown>>(s.conn,
      'select track_id, artists, album_name, explicit, instrumentalness from bronze.kaggle_tracks order by track_id'));
    assert.deepEqual(kept, [
      { track_id: 'id1', artists: 'Artist, The', album_name: 'Album "X"', explicit: true, instrumentalness: 1.01e-6 },
      { track_id: 'id2', artists: 'Artist, The', album_name: 'Album "X"', explicit: false, instrumentalness: 1.01e-6 },
      { track_id: 'id9', artists: 'Artist, The', album_name: 'Album "X"', explicit: false, instrumentalness: 1.84e-6 },
    ]);
    const again = await ingest(config, file);
    assert.equal(again.rejects_added, 0, 'rejects are not duplicated on re-import');
  } finally {
    cleanup();
  }
});

test('a wrong header is refused whole, naming the missing columns; an empty file is refused', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const file = join(dir, 'bad.csv');
    writeFileSync(file, 'id,name,energy\n1,x,0.5\n');
    const config = testConfig(join(dir, 'lake'));
    await assert.rejects(ingest(config, file), (err: Error) => {
      assert.ok(err instanceof InputFileError);
      assert.match(err.message, /bad\.csv: wrong CSV header: missing column\(s\) track_id, artists/);
      assert.match(err.message, /valence/);
      return true;
    });
    const empty = join(dir, 'empty.csv');
    writeFileSync(empty, '');
    await assert.rejects(ingest(config, empty), /empty\.csv: empty file/);
    assert.deepEqual(readCatalog(join(dir, 'lake')).tables, {});
  } finally {
    cleanup();
  }
});

const HEADER = ',track_id,artists,album_name,track_name,popularity,duration_ms,explicit,danceability,energy,key,loudness,mode,speechiness,acousticness,instrumentalness,liveness,valence,tempo,time_signature,track_genre';
const COLUMNS = HEADER.split(',');

/** One CSV line of a valid row, with some fields replaced (by column name). */
function row(i: number, id: string, replace: Record<string, string> = {}): string {
  const base: Record<string, string> = {
    '': String(i), track_id: id, artists: 'Artist', album_name: 'Album', track_name: `Song ${i}`, popularity: '50', duration_ms: '200000',
    explicit: 'False', danceability: '0.5', energy: '0.6', key: '5', loudness: '-5.0', mode: '1', speechiness: '0.05', acousticness: '0.2',
    instrumentalness: '0.0', liveness: '0.1', valence: '0.4', tempo: '120.0', time_signature: '4', track_genre: 'pop',
  };
  return COLUMNS.map((c) => replace[c] ?? base[c]).join(',');
}

async function rejectsOf(config: Config) {
  return withReader(config, silentLogger, (s) => queryRows<{ source_row: number; field: string | null; reason: string; raw_line: string }>(s.conn,
    'select source_row::integer source_row, field, reason, raw_line from bronze.rejected_rows order by source_row'));
}

test('numbers beyond the column type (1e30, durations past 2^53, int32 overflow) are quarantined with the field named', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const file = join(dir, 'ranges.csv');
    writeFileSync(file, [HEADER,
      row(1, 'a1', { duration_ms: '1e30' }),
      row(2, 'a2', { duration_ms: '9007199254740993' }),
      row(3, 'a3', { popularity: '3000000000' }),
      row(4, 'a4', { key: '-1e30' }),
      row(5, 'a5', { time_signature: '2147483648' }),
      row(6, 'a6', { '': '1e30' }),
      row(7, 'a7', { duration_ms: '4e5', popularity: '2147483647' }),
    ].join('\n') + '\n');
    const config = testConfig(join(dir, 'lake'));
    const r = await ingest(config, file);
    assert.deepEqual([r.rows_added, r.rows_rejected], [1, 6]);
    const rejects = await rejectsOf(config);
    assert.deepEqual(rejects.map((x) => [x.source_row, x.field]), [[1, 'duration_ms'], [2, 'duration_ms'], [3, 'popularity'], [4, 'key'], [5, 'time_signature'], [6, 'index']]);
    assert.match(rejects[0].reason, /duration_ms 1e30 is beyond the integer range/);
    const kept = await withReader(config, silentLogger, (s) => queryRows<Record<string, unknown>>(s.conn,
      'select track_id, duration_ms::double d, popularity from bronze.kaggle_tracks'));
    assert.deepEqual(kept, [{ track_id: 'a7', d: 400000, popularity: 2147483647 }]);
  } finally {
    cleanup();
  }
});

test('hex, binary and octal numbers (and Infinity) are not numbers', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const file = join(dir, 'radix.csv');
    writeFileSync(file, [HEADER,
      row(1, 'b1', { duration_ms: '0x1F' }),
      row(2, 'b2', { popularity: '0b101' }),
      row(3, 'b3', { key: '0o17' }),
      row(4, 'b4', { tempo: '0X10' }),
      row(5, 'b5', { '': '0x10' }),
      row(6, 'b6', { loudness: '-Infinity' }),
      row(7, 'b7', { danceability: '.5', energy: '5E-1', tempo: ' +120.5 ' }),
    ].join('\r\n') + '\r\n');
    const config = testConfig(join(dir, 'lake'));
    const r = await ingest(config, file);
    assert.deepEqual([r.rows_added, r.rows_rejected], [1, 6]);
    const rejects = await rejectsOf(config);
    assert.deepEqual(rejects.map((x) => [x.source_row, x.field]), [[1, 'duration_ms'], [2, 'popularity'], [3, 'key'], [4, 'tempo'], [5, 'index'], [6, 'loudness']]);
    assert.match(rejects[0].reason, /duration_ms is not a decimal number: "0x1F"/);
    const kept = await withReader(config, silentLogger, (s) => queryRows<Record<string, unknown>>(s.conn,
      'select track_id, danceability, energy, tempo from bronze.kaggle_tracks'));
    assert.deepEqual(kept, [{ track_id: 'b7', danceability: 0.5, energy: 0.5, tempo: 120.5 }]);
  } finally {
    cleanup();
  }
});

test('invalid UTF-8 quarantines the row with the field named; valid multi-byte text and a BOM are kept', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const file = join(dir, 'utf8.csv');
    const line = (s: string) => Buffer.from(s + '\n', 'utf8');
    writeFileSync(file, Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]), line(HEADER),
      line(row(1, 'c1', { artists: 'Björk 🎵', track_name: 'Replacement \uFFFD kept' })),
      Buffer.from(row(2, 'c2', { artists: 'AB\u0001' }).replace('\u0001', '\xff') + '\n', 'latin1'),
      Buffer.concat([Buffer.from('3,c3,A,B,'), Buffer.from([0xc0, 0xaf]), Buffer.from(',50,200000,False,0.5,0.6,5,-5.0,1,0.05,0.2,0.0,0.1,0.4,120.0,4,pop\n')]),
      Buffer.concat([Buffer.from(row(4, 'c4').replace(',pop', ',')), Buffer.from([0xed, 0xa0, 0x80, 0x0a])]),
    ]));
    const config = testConfig(join(dir, 'lake'));
    const r = await ingest(config, file);
    assert.deepEqual([r.rows_added, r.rows_rejected], [1, 3]);
    const rejects = await rejectsOf(config);
    assert.deepEqual(rejects.map((x) => [x.source_row, x.field, x.reason]), [
      [2, 'artists', 'invalid UTF-8 in artists at byte 2'],
      [3, 'track_name', 'invalid UTF-8 in track_name at byte 0'],
      [4, 'track_genre', 'invalid UTF-8 in track_genre at byte 0'],
    ]);
    assert.equal(rejects[0].raw_line, row(2, 'c2', { artists: 'AB\\xFF' }));
    assert.ok(rejects.every((x) => !x.raw_line.includes('\uFFFD')), 'raw lines show the bytes, not U+FFFD');
    const kept = await withReader(config, silentLogger, (s) => queryRows<Record<string, unknown>>(s.conn,
      'select kaggle_index::integer i, track_id, artists, track_name from bronze.kaggle_tracks'));
    assert.deepEqual(kept, [{ i: 1, track_id: 'c1', artists: 'Björk 🎵', track_name: 'Replacement \uFFFD kept' }]);
  } finally {
    cleanup();
  }
});

test('a duplicated or unknown header column refuses the file (exit 1) naming file and column', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const dup = join(dir, 'dup.csv');
    writeFileSync(dup, `${HEADER},energy\n${row(1, 'd1')},0.6\n`);
    const config = testConfig(join(dir, 'lake'));
    await assert.rejects(ingest(config, dup), (err: Error) => {
      assert.ok(err instanceof InputFileError);
      assert.match(err.message, /dup\.csv: wrong CSV header: duplicated column\(s\) energy/);
      return true;
    });
    const cli = await runCli(['ingest', 'kaggle', dup, '--data-dir', join(dir, 'lake')]);
    assert.equal(cli.code, 1);
    assert.match(cli.stderr, /^error: .*dup\.csv: wrong CSV header: duplicated column\(s\) energy/);
    const aliasDup = join(dir, 'alias.csv');
    writeFileSync(aliasDup, `${HEADER},time_signal\n${row(1, 'd1')},4\n`);
    await assert.rejects(ingest(config, aliasDup), /alias\.csv: wrong CSV header: duplicated column\(s\) time_signature/);
    const extra = join(dir, 'extra.csv');
    writeFileSync(extra, `${HEADER},comment\n${row(1, 'd1')},hi\n`);
    await assert.rejects(ingest(config, extra), /extra\.csv: wrong CSV header: unexpected column\(s\) "comment"/);
    assert.deepEqual(readCatalog(join(dir, 'lake')).tables, {});
  } finally {
    cleanup();
  }
});

test('a long line without a line break is refused at once with a short message, the rows before it not imported', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const file = join(dir, 'longline.csv');
    const filler = row(9, 'x').repeat(40_000); // ~4 MB on line 3, commas included
    writeFileSync(file, `${HEADER}\n${row(1, 'e1')}\n${filler}\n${row(3, 'e3')}\n`);
    const config = testConfig(join(dir, 'lake'));
    const started = Date.now();
    await assert.rejects(ingest(config, file), (err: Error) => {
      assert.ok(err instanceof InputFileError);
      assert.match(err.message, /longline\.csv: line 3 is longer than 65,536 bytes/);
      assert.ok(err.message.length < 300, `message of ${err.message.length} characters`);
      return true;
    });
    assert.ok(Date.now() - started < 10_000);
    assert.deepEqual(readCatalog(join(dir, 'lake')).tables, {});
  } finally {
    cleanup();
  }
});

test('a 100 MB file with no newline is refused quickly, in bounded memory, without echoing the line', { timeout: 240_000 }, async () => {
  const { dir, cleanup } = tempDir();
  try {
    const file = join(dir, 'oneline.csv');
    const chunk = Buffer.from(row(1, 'f1') + ',');
    const fd = openSync(file, 'w');
    for (let n = 0; n < 100e6; n += chunk.length) writeSync(fd, chunk);
    closeSync(fd);
    const rusage = join(dir, 'rusage.jsonl');
    const r = await runCliChild(['ingest', 'kaggle', file, '--data-dir', join(dir, 'lake')], { LAKEHOUSE_RUSAGE_FILE: rusage });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /oneline\.csv: cannot read the CSV header: line 1 is longer than 65,536 bytes \(no line break\?\)/);
    assert.ok(r.stderr.length < 1000, `stderr of ${r.stderr.length} characters`);
    const u = JSON.parse(readFileSync(rusage, 'utf8').trim()) as { max_rss_kb: number; user_ms: number; sys_ms: number };
    assert.ok(u.max_rss_kb < 400_000, `max RSS ${u.max_rss_kb} kB`);
    assert.ok(u.user_ms + u.sys_ms < 15_000, `CPU ${u.user_ms + u.sys_ms} ms`);
  } finally {
    cleanup();
  }
});
