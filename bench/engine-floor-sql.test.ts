// The floor statement on a hand-made bronze: features by id, by name and synthetic, podcasts left out,
// an account-data duplicate of an extended play dropped,
// local time across the Amsterdam DST change, sessions split by a gap over 30 minutes.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import { floorSql } from './engine-floor-sql.ts';
import { columns as silverColumns } from '../silver/listening_with_features.ts';

const F = 'danceability, energy, valence, acousticness, instrumentalness, speechiness, liveness, loudness, tempo, key, mode, time_signature';
const feat = (v: number) => `0.5, 0.6, ${v}, 0.1, 0.0, 0.05, 0.1, -6.0, 120.0, 5, 1, 4`;

test('the floor joins features whole, drops podcasts and keeps local time and sessions', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'floor-'));
  const inst = await DuckDBInstance.create(':memory:');
  const c = await inst.connect();
  try {
    await c.run("set TimeZone = 'UTC'");
    const p = (n: string) => join(dir, `${n}.parquet`);
    await c.run(`copy (select 'l1' as listener_id, 'Europe/Amsterdam' as timezone) to '${p('listeners')}'`);
    await c.run(`copy (select *, 100 - kaggle_index as popularity from (values
      ('A', 'Foo;Baz', 'Alpha', 10, 'pop', ${feat(0.9)}), ('A', 'Foo;Baz', 'Alpha', 20, 'rock', ${feat(0.1)}),
      ('C', 'Foo;Baz', 'Bar', 30, 'jazz', ${feat(0.7)})) t(track_id, artists, track_name, kaggle_index, track_genre, ${F})) to '${p('kaggle')}'`);
    await c.run(`copy (select * from (values ('B', ${feat(0.3)})) t(feature_key, ${F})) to '${p('synthetic')}'`);
    await c.run(`copy (
      select 'l1' as listener_id, source, played_at::timestamp as played_at, started_at::timestamp as started_at, content_type,
        track_id, track_key, track_name, artist_name, 1000::bigint as ms_played, null::varchar as album_name, null::boolean as skipped,
        null::boolean as shuffle, null::varchar as reason_start, reason_end, 'f.json' as source_file, source_row::bigint as source_row
      from (values
        ('export_extended', '2025-03-29 22:30:00', '2025-03-29 22:27:00', 'track', 'A', 'A', 'Alpha', 'Foo', 'trackdone', 1),
        ('export_extended', '2025-03-30 01:10:00', '2025-03-30 01:06:00', 'track', 'B', 'B', 'Beta', 'Qux', 'fwdbtn', 2),
        ('export_account', '2025-03-30 01:14:00', '2025-03-30 01:10:30', 'track', null, 'foo — bar', 'Bar - Remastered 2011', 'Foo', null, 1),
        ('export_extended', '2025-03-30 01:14:25', '2025-03-30 01:10:55', 'track', 'C', 'C', 'Bar', 'Foo', 'trackdone', 3),
        ('export_account', '2025-03-30 01:18:00', '2025-03-30 01:14:30', 'track', null, 'foo — bar', 'Bar (feat. X)', 'Foo', null, 2),
        ('export_extended', '2025-03-30 01:20:00', '2025-03-30 01:15:00', 'episode', null, 'ep', null, null, null, 4)
      ) t(source, played_at, started_at, content_type, track_id, track_key, track_name, artist_name, reason_end, source_row)) to '${p('history')}'`);
    await c.run(floorSql({ history: [p('history')], listeners: [p('listeners')], kaggle: [p('kaggle')], synthetic: [p('synthetic')], api: [] }, p('out')));
    const rows = (await c.runAndReadAll(`select track_id, feature_source, feature_match, valence, hour_of_day, session_id, genres::varchar from read_parquet('${p('out')}') order by played_at`)).getRows();
    assert.deepEqual(rows.map((r) => r.slice(0, 5)), [
      ['A', 'kaggle', 'track_id', 0.9, 23],
      ['B', 'synthetic', 'track_id', 0.3, 3],
      ['C', 'kaggle', 'track_id', 0.7, 3],
      [null, 'kaggle', 'name', 0.7, 3],
    ], 'the account row of the same minute as the extended play is dropped; the later one matches by name');
    assert.equal(rows[0][6], '[pop, rock]');
    assert.notEqual(rows[0][5], rows[1][5], 'a gap over 30 minutes starts a session');
    assert.equal(rows[1][5], rows[3][5], 'short gaps stay in the session');
    const cols = (await c.runAndReadAll(`describe select * from read_parquet('${p('out')}')`)).getRows().map((r) => String(r[0]));
    assert.deepEqual(cols, silverColumns.map((x) => x.name), "the floor writes silver's columns in silver's order (EXCEPT ALL compares them by position)");
    const extra = (await c.runAndReadAll(`select is_first_track_play, is_first_artist_play, is_stream, is_skip, kaggle_popularity from read_parquet('${p('out')}') order by played_at`)).getRows();
    assert.deepEqual(extra, [
      [true, true, false, false, 90],
      [true, true, false, true, null],
      [true, false, false, false, 70],
      [false, false, false, null, 70],
    ], 'first plays of a song and an artist, streams, skips (unknown without the fields) and Kaggle popularity');
  } finally {
    c.closeSync();
    inst.closeSync();
    rmSync(dir, { recursive: true, force: true });
  }
});
