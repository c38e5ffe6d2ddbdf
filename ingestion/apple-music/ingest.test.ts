import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { sharedData, tempDir, testConfig } from '../../test/helpers.ts';
import { importAs, lakeRows, rejectsByReason } from '../exports/platform-test-support.ts';
import { readListeners } from '../../bronze/listener-registry.ts';
import { withReader } from '../../lib/session.ts';
import { silentLogger } from '../../lib/logger.ts';

const dir = join(sharedData, 'apple-music');

// Expected figures from SOURCES.md (records, non-song item types 481 + 6 + 2 + 2, 58 negative durations)
// and Python's csv module (1 LYRIC_DISPLAY event, 2 exact duplicates, 1,121 skips among kept rows).
const FILES = [
  { file: 'vietvudanh__apple-music-st/Apple Music Play Activity.csv', format: 'apple_play_activity', records: 6059, rejects: { 'not a song': 491, 'negative play time': 58, 'not a play': 1 }, dups: 2, daily: 0 },
  { file: 'nerveband__Apple-Music-Play-History-Converter/Apple Music Play Activity small.csv', format: 'apple_play_activity', records: 17, rejects: { 'negative play time': 1 }, dups: 0, daily: 0 },
  { file: 'nerveband__Apple-Music-Play-History-Converter/Apple Music - Recently Played Tracks.csv', format: 'apple_recently_played', records: 40, rejects: {}, dups: 0, daily: 0 },
  { file: 'Brody-Upton__Data-Project/Apple Music - Recently Played Tracks.csv', format: 'apple_recently_played', records: 200, rejects: {}, dups: 0, daily: 0 },
  { file: 'nerveband__Apple-Music-Play-History-Converter/Apple Music - Play History Daily Tracks.csv', format: 'apple_daily_tracks', records: 128, rejects: {}, dups: 0, daily: 128 },
];

test('every real Apple Music file imports by its column names: records read, plays kept, rejects by reason', async () => {
  const { dir: data, cleanup } = tempDir();
  try {
    const config = testConfig(data);
    const table: string[] = [];
    for (const [i, f] of FILES.entries()) {
      const r = await importAs(config, [join(dir, f.file)], `ap${i}`);
      const rejected = Object.values(f.rejects).reduce((a, b) => a + b, 0);
      assert.equal(r.files[0].format, f.format, f.file);
      assert.equal(r.records, f.records, f.file);
      assert.deepEqual(await rejectsByReason(config, `ap${i}`), f.rejects, f.file);
      assert.equal(r.rows_added, f.records - rejected - f.dups - f.daily, f.file);
      assert.equal(r.daily_rows_added, f.daily, f.file);
      table.push(`${f.file}: ${f.records} read, ${r.rows_added} plays kept, ${f.daily} daily aggregates, ${JSON.stringify(f.rejects)}, ${f.dups} duplicates`);
    }
    process.stderr.write(`${table.join('\n')}\n`);
    // End Reason Type → skipped; the listener's usual offset (25200 s) fills the missing time zone.
    const [{ skips, unknown }] = await lakeRows<{ skips: number; unknown: number }>(config,
      "select count(*) filter (where skipped)::integer as skips, count(*) filter (where skipped is null)::integer as unknown from bronze.listening_history where listener_id = 'ap0'");
    assert.equal(skips, 1121);
    assert.equal(unknown, 0);
    const listeners = await withReader(config, silentLogger, (s) => readListeners(s.conn));
    assert.deepEqual(listeners.filter((l) => l.listener_id === 'ap0').map((l) => [l.timezone, l.timezone_source]), [['Etc/GMT-7', 'file']]);
    // Daily aggregates stay aggregates.
    const [{ n, plays }] = await lakeRows<{ n: number; plays: number }>(config, 'select count(*)::integer as n, sum(play_count)::integer as plays from bronze.apple_music_daily_tracks');
    assert.equal(n, 128);
    assert.ok(plays > 128);
    // Personal columns are never read: not in any raw line of a reject, not in any column.
    const raws = await lakeRows<{ raw_line: string }>(config, 'select raw_line from bronze.rejected_rows');
    for (const { raw_line } of raws) for (const k of ['Apple Id Number', 'Apple ID Number', 'Device Identifier', 'Metrics Client Id', 'Client IP Address', 'IP City', 'IP Latitude', 'IP Longitude']) assert.ok(!raw_line.includes(k), k);
  } finally {
    cleanup();
  }
});

test('a Play Activity row with a personal value never carries it into bronze', async () => {
  const { dir: data, cleanup } = tempDir();
  try {
    const { writeFileSync } = await import('node:fs');
    const f = join(data, 'activity.csv');
    writeFileSync(f, ['Apple ID Number,Client IP Address,IP City,Song Name,Event End Timestamp,Play Duration Milliseconds,End Reason Type,Item Type,UTC Offset In Seconds',
      '123456789,203.0.113.9,Springfield,Song A,2023-02-10T10:00:00.000Z,200000,TRACK_SKIPPED_BACKWARDS,ITUNES_STORE_CONTENT,19800',
      '123456789,203.0.113.9,Springfield,,2023-02-10T10:05:00.000Z,1000,,AGGREGATE_NON_CATALOG_PLAY_TIME,19800'].join('\n'));
    const config = testConfig(join(data, 'lake'));
    const r = await importAs(config, [f], 'p1');
    assert.equal(r.rows_added, 1);
    const dump = JSON.stringify(await lakeRows(config, 'select * from bronze.listening_history')) + JSON.stringify(await lakeRows(config, 'select * from bronze.rejected_rows'));
    for (const v of ['123456789', '203.0.113.9', 'Springfield']) assert.ok(!dump.includes(v), v);
    assert.match(dump, /not a song: Item Type AGGREGATE_NON_CATALOG_PLAY_TIME/);
    const [row] = await lakeRows<{ skipped: boolean; artist_name: string | null }>(config, 'select skipped, artist_name from bronze.listening_history');
    assert.deepEqual(row, { skipped: true, artist_name: null });
    // +05:30 is no whole hour: the zone stays the default.
    const ls = await withReader(config, silentLogger, (s) => readListeners(s.conn));
    assert.equal(ls[0].timezone_source, 'default');
  } finally {
    cleanup();
  }
});
