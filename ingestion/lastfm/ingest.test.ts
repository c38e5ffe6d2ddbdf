import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { sharedData, tempDir, testConfig } from '../../test/helpers.ts';
import { importAs, lakeRows, rejectsByReason } from '../exports/platform-test-support.ts';

const dir = join(sharedData, 'lastfm');

// Expected figures: records, now-playing/timestamp-0 rows from SOURCES.md; duplicates (same artist and
// title ignoring case, same time) counted with Python's csv/json modules, independently of this code.
const FILES = [
  { file: 'pingw33n__lastfm-scrobbles/lastfm_scrobbles.csv', format: 'lastfm_csv_headerless', records: 45000, rejects: { 'now-playing row': 223 }, dups: 1999 },
  { file: 'erikgregorywebb__data/last-fm-history-2023-01-22.csv', format: 'lastfm_csv_headerless', records: 20000, rejects: {}, dups: 7 },
  { file: 'SachaWheeler__last_fm_stats/scrobbles.csv', format: 'lastfm_csv_ghan', records: 11622, rejects: {}, dups: 0 },
  { file: 'Djivs__lastfmprostats/scrobbles.csv', format: 'lastfm_csv_utc_time', records: 11387, rejects: {}, dups: 16 },
  { file: 'zsteve__metal-listening-analysis/scrobbles.csv', format: 'lastfm_csv_lastfmr', records: 16545, rejects: {}, dups: 0 },
  { file: 'krishkumar__lastfm-listening-history/lastfm_scrobbles.csv', format: 'lastfm_csv_boeing', records: 17503, rejects: { 'timestamp 0': 643 }, dups: 0 },
  { file: 'jimkollevik__jimkollevik.github.io/68c8e6f/recent-tracks.json', format: 'lastfm_api', records: 49, rejects: {}, dups: 0 },
  { file: 'jimkollevik__jimkollevik.github.io/b63fab1/recent-tracks.json', format: 'lastfm_api', records: 2, rejects: { 'now-playing entry': 1 }, dups: 0 },
  { file: 'emomert__personal-music/lastfm.json', format: 'lastfm_api', records: 200, rejects: {}, dups: 0 },
];

test('every real Last.fm file imports by content: records read, plays kept, rejects by reason', async () => {
  const { dir: data, cleanup } = tempDir();
  try {
    const config = testConfig(data);
    const table: string[] = [];
    for (const [i, f] of FILES.entries()) {
      const r = await importAs(config, [join(dir, f.file)], `lf${i}`);
      const rejected = Object.values(f.rejects).reduce((a, b) => a + b, 0);
      assert.equal(r.files[0].format, f.format, f.file);
      assert.equal(r.records, f.records, f.file);
      assert.deepEqual(await rejectsByReason(config, `lf${i}`), f.rejects, f.file);
      assert.equal(r.rows_added, f.records - rejected - f.dups, f.file);
      const [{ nulls, src }] = await lakeRows<{ nulls: number; src: string }>(config,
        "select count(*) filter (where ms_played is not null)::integer as nulls, any_value(source) as src from bronze.listening_history where listener_id = $l", { l: `lf${i}` });
      assert.equal(nulls, 0, 'a scrobble has no duration');
      assert.equal(src, f.format);
      table.push(`${f.file}: ${f.records} read, ${r.rows_added} kept, ${JSON.stringify(f.rejects)}, ${f.dups} duplicates`);
    }
    process.stderr.write(`${table.join('\n')}\n`);
    // No row is placed in 1970 or before Last.fm existed; a re-import adds nothing.
    const [{ min }] = await lakeRows<{ min: string }>(config, 'select min(played_at)::varchar as min from bronze.listening_history');
    assert.ok(min >= '2002', min);
    const again = await importAs(config, [join(dir, FILES[0].file)], 'lf0');
    assert.equal(again.rows_added, 0);
  } finally {
    cleanup();
  }
});

test('times of each layout are read as UTC instants (spreadsheet M/D/YY, ghan utc_time = uts, lastfmR seconds)', async () => {
  const { dir: data, cleanup } = tempDir();
  try {
    const config = testConfig(data);
    await importAs(config, [join(dir, FILES[1].file)], 'erik');
    await importAs(config, [join(dir, FILES[2].file)], 'sacha');
    await importAs(config, [join(dir, FILES[4].file)], 'zsteve');
    const first = await lakeRows<{ l: string; at: string; artist: string; track: string }>(config,
      "select listener_id as l, strftime(played_at, '%Y-%m-%d %H:%M:%S') as at, artist_name as artist, track_name as track from bronze.listening_history qualify row_number() over (partition by listener_id order by played_at desc, source_row) = 1 order by l");
    // First lines of the files: "Anuel AA,Emmanuel,Hasta Que Dios Diga,1/22/23 1:02"; uts 1720688852 (11 Jul 2024 09:07:32); "2020-04-13 05:01:31".
    assert.deepEqual(first, [
      { l: 'erik', at: '2023-01-22 01:02:00', artist: 'Anuel AA', track: 'Hasta Que Dios Diga' },
      { l: 'sacha', at: '2024-07-11 09:07:32', artist: 'The Cure', track: 'Primary' },
      { l: 'zsteve', at: '2020-04-13 05:01:31', artist: 'Dark Tranquillity', track: 'The Same - remastered version 2009' },
    ]);
    const [{ na }] = await lakeRows<{ na: number }>(config, "select count(*)::integer as na from bronze.listening_history where album_name = 'NA'");
    assert.equal(na, 0, "lastfmR's NA album is no album");
  } finally {
    cleanup();
  }
});
