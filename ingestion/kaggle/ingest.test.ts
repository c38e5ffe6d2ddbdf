import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { kaggleSample, tempDir, testConfig } from '../../test/helpers.ts';
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
