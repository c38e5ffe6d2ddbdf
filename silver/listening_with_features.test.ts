import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyDir, kaggleSample, sharedData, tempDir, testConfig } from '../test/helpers.ts';
import { silentLogger } from '../lib/logger.ts';
import { withWriter, withReader } from '../lib/session.ts';
import { queryRows } from '../lib/duckdb.ts';
import type { Config } from '../lib/config.ts';
import { ingestExportStage, ingestKaggleStage, inTransaction, silverStage } from '../pipeline/stages.ts';
import { appendHistory } from '../ingestion/exports/ingest.ts';
import { buildSilver, silverParts } from './listening_with_features.ts';
import { buildListeningSessions } from './listening_sessions.ts';

const extended = (ts: string, uri: string | null, name: string, artist: string, ms = 200000) => ({
  ts, platform: 'x', ms_played: ms, conn_country: 'NL', ip_addr: null, master_metadata_track_name: name,
  master_metadata_album_artist_name: artist, master_metadata_album_album_name: 'Al', spotify_track_uri: uri,
  episode_name: null, episode_show_name: null, spotify_episode_uri: null, audiobook_title: null, audiobook_uri: null,
  audiobook_chapter_uri: null, audiobook_chapter_title: null, reason_start: 'clickrow', reason_end: 'trackdone',
  shuffle: false, skipped: false, offline: false, offline_timestamp: null, incognito_mode: false,
});

async function build(config: Config, steps: (s: Parameters<typeof silverStage>[0]) => Promise<unknown>) {
  return withWriter(config, silentLogger, 'test', steps);
}

test('time dimensions follow the listener time zone across both DST changes; sessions split on 30-minute gaps', async () => {
  const { dir, cleanup } = tempDir();
  try {
    mkdirSync(join(dir, 'in'));
    const file = join(dir, 'in', 'Streaming_History_Audio_2025.json');
    writeFileSync(file, JSON.stringify([
      extended('2025-03-30T00:30:00Z', 'spotify:track:aaaaaaaaaaaaaaaaaaaaaa', 'A', 'X'), // 01:30 CET
      extended('2025-03-30T01:30:00Z', 'spotify:track:bbbbbbbbbbbbbbbbbbbbbb', 'B', 'X'), // 03:30 CEST (02:xx does not exist)
      extended('2025-10-26T00:30:00Z', 'spotify:track:cccccccccccccccccccccc', 'C', 'X'), // 02:30 CEST
      extended('2025-10-26T01:30:00Z', 'spotify:track:dddddddddddddddddddddd', 'D', 'X'), // 02:30 CET again
      extended('2025-10-26T01:33:00Z', 'spotify:track:eeeeeeeeeeeeeeeeeeeeee', 'E', 'X', 120000), // starts 01:31, gap < 30 min
    ]));
    const config = testConfig(join(dir, 'lake'));
    await build(config, async (s) => {
      await ingestExportStage(s, [file], 'ams', 'Europe/Amsterdam');
      await silverStage(s);
    });
    const rows = await withReader(config, silentLogger, (s) => queryRows<Record<string, unknown>>(s.conn, `
      select strftime(played_at_local, '%Y-%m-%d %H:%M') as local, date_local::varchar as date_local, hour_of_day, day_of_week, day_name, is_weekend, part_of_day, session_id, session_position, feature_source, feature_match
      from silver.listening_with_features order by played_at`));
    assert.deepEqual(rows.map((r) => [r.local, r.hour_of_day, r.day_of_week, r.day_name, r.is_weekend, r.part_of_day]), [
      ['2025-03-30 01:30', 1, 7, 'Sunday', true, 'night'],
      ['2025-03-30 03:30', 3, 7, 'Sunday', true, 'night'],
      ['2025-10-26 02:30', 2, 7, 'Sunday', true, 'night'],
      ['2025-10-26 02:30', 2, 7, 'Sunday', true, 'night'],
      ['2025-10-26 02:33', 2, 7, 'Sunday', true, 'night'],
    ]);
    // 00:30 and 01:30 are 60 min apart minus 200 s of play: > 30 min gap → new session each, except the last two.
    assert.deepEqual(rows.map((r) => [r.session_id, r.session_position]), [
      ['ams-s000001', 1], ['ams-s000002', 1], ['ams-s000003', 1], ['ams-s000004', 1], ['ams-s000004', 2],
    ]);
    assert.ok(rows.every((r) => r.feature_source === 'synthetic' && r.feature_match === 'track_id'));
  } finally {
    cleanup();
  }
});

test('the same play from the API, an extended export and account data is one silver row, from the richest source', async () => {
  const { dir, cleanup } = tempDir();
  try {
    mkdirSync(join(dir, 'in'));
    const ext = join(dir, 'in', 'Streaming_History_Audio_2025.json');
    writeFileSync(ext, JSON.stringify([extended('2025-01-01T10:00:05Z', 'spotify:track:aaaaaaaaaaaaaaaaaaaaaa', 'Song', 'Band')]));
    const acc = join(dir, 'in', 'StreamingHistory_music_0.json');
    writeFileSync(acc, JSON.stringify([
      { endTime: '2025-01-01 10:00', artistName: 'Band', trackName: 'Song', msPlayed: 200000 },
      { endTime: '2025-01-01 12:00', artistName: 'Band', trackName: 'Song', msPlayed: 200000 },
    ]));
    const config = testConfig(join(dir, 'lake'));
    await build(config, async (s) => {
      await ingestExportStage(s, [ext], 'p', 'UTC');
      await ingestExportStage(s, [acc], 'p');
      await inTransaction(s, 'api', async (ctx) => {
        await ctx.conn.run(`create temp table api_rows as select 'p' listener_id, 'spotify_api' as source, 'recently_played.json' source_file, 'sha' file_sha256, 1::bigint source_row,
          timestamp '2025-01-01 10:00:07.123' played_at, 200000::bigint ms_played, 'track' content_type, 'aaaaaaaaaaaaaaaaaaaaaa' track_id, 'Song' track_name, 'Band' artist_name,
          'Al' album_name, null::varchar episode_name, null::varchar show_name, null::varchar episode_uri, null::varchar audiobook_title, null::varchar audiobook_uri,
          null::varchar audiobook_chapter_title, null::varchar audiobook_chapter_uri, 'playlist' context_type, 'spotify:playlist:x' context_uri, null::varchar reason_start, null::varchar reason_end,
          null::boolean shuffle, null::boolean skipped, null::boolean offline, null::timestamp offline_at, null::boolean incognito_mode, null::varchar reject_reason`);
        return appendHistory(ctx, 'api_rows');
      });
      await silverStage(s);
    });
    const rows = await withReader(config, silentLogger, (s) => queryRows<Record<string, unknown>>(s.conn,
      `select strftime(played_at, '%H:%M:%S') t, history_source from silver.listening_with_features order by played_at`));
    assert.deepEqual(rows, [{ t: '10:00:05', history_source: 'export_extended' }, { t: '12:00:00', history_source: 'export_account' }]);
    const bronze = await withReader(config, silentLogger, (s) => queryRows<{ n: number }>(s.conn, 'select count(*)::integer n from bronze.listening_history'));
    assert.equal(bronze[0].n, 4, 'bronze keeps every source row');
  } finally {
    cleanup();
  }
});

test('on the real exports silver reconciles with bronze, every row has provenance, and ALLOW_SYNTHETIC=false uses no synthetic value', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const config = testConfig(dir);
    await build(config, async (s) => {
      await ingestKaggleStage(s, kaggleSample);
      await ingestExportStage(s, [join(historyDir, 'JUSTSUJAY__spotify_analysis')], 'jus', 'Asia/Kolkata');
      await ingestExportStage(s, [join(historyDir, 'Khushi-203006__Spotify_Data_Analysis_Project')], 'khu', 'Asia/Kolkata');
      await silverStage(s);
    });
    const check = async (c: Config) => withReader(c, silentLogger, (s) => queryRows<Record<string, unknown>>(s.conn, `
      select (select count(*) from bronze.listening_history where content_type = 'track')::integer as bronze_music,
             count(*)::integer as silver_rows,
             count(*) filter (where feature_source not in ('spotify_api', 'kaggle', 'synthetic', 'none') or feature_source is null)::integer as bad_source,
             count(*) filter (where (feature_source = 'none') <> (valence is null))::integer as provenance_mismatch,
             count(*) filter (where feature_source = 'kaggle' and feature_match = 'name')::integer as kaggle_by_name,
             count(*) filter (where feature_source = 'kaggle' and feature_match = 'track_id')::integer as kaggle_by_id,
             count(*) filter (where feature_source = 'synthetic')::integer as synthetic,
             count(*) filter (where (kaggle_popularity is null) <> (len(genres) = 0))::integer as popularity_mismatch,
             count(*) filter (where kaggle_popularity is not null)::integer as with_popularity
      from silver.listening_with_features`));
    const [r] = await check(config);
    assert.equal(r.silver_rows, r.bronze_music);
    assert.equal(r.silver_rows, 23063 + 8538);
    assert.equal(r.bad_source, 0);
    assert.equal(r.provenance_mismatch, 0);
    assert.equal(r.popularity_mismatch, 0, 'Kaggle popularity exactly where a Kaggle track matched');
    assert.ok((r.with_popularity as number) >= (r.kaggle_by_name as number) + (r.kaggle_by_id as number));
    assert.ok((r.kaggle_by_name as number) > 0 && (r.kaggle_by_id as number) > 0);
    assert.equal((r.kaggle_by_name as number) + (r.kaggle_by_id as number) + (r.synthetic as number), r.silver_rows);

    const strict = testConfig(dir, { allowSynthetic: false });
    await build(strict, (s) => silverStage(s));
    const [r2] = await check(strict);
    assert.equal(r2.synthetic, 0);
    assert.equal(r2.silver_rows, r.silver_rows);
    const none = await withReader(strict, silentLogger, (s) => queryRows<{ n: number }>(s.conn,
      "select count(*)::integer n from silver.listening_with_features where feature_source = 'none'"));
    assert.equal(none[0].n, r.synthetic, 'the rows that were synthetic now have no features');
  } finally {
    cleanup();
  }
});

test('plays ending in the same minute keep their file order (never alphabetical); is_stream and is_skip follow the shared definitions', async () => {
  const { dir, cleanup } = tempDir();
  try {
    mkdirSync(join(dir, 'in'));
    const acc = join(dir, 'in', 'StreamingHistory_music_0.json');
    // Account data has minute precision: the three plays share played_at; the file lists them in
    // the order they were heard (Zulu, Mike, Alpha), which is not the alphabetical one.
    writeFileSync(acc, JSON.stringify([
      { endTime: '2025-01-01 10:00', artistName: 'Band', trackName: 'Zulu', msPlayed: 29999 },
      { endTime: '2025-01-01 10:00', artistName: 'Band', trackName: 'Mike', msPlayed: 30000 },
      { endTime: '2025-01-01 10:00', artistName: 'Band', trackName: 'Alpha', msPlayed: 45000 },
    ]));
    const ext = join(dir, 'in', 'Streaming_History_Audio_2025.json');
    writeFileSync(ext, JSON.stringify([
      { ...extended('2025-02-01T10:00:00Z', 'spotify:track:aaaaaaaaaaaaaaaaaaaaaa', 'A', 'X', 10000), reason_end: 'fwdbtn', skipped: null },
      { ...extended('2025-02-01T10:05:00Z', 'spotify:track:bbbbbbbbbbbbbbbbbbbbbb', 'B', 'X'), skipped: true },
      { ...extended('2025-02-01T10:10:00Z', 'spotify:track:cccccccccccccccccccccc', 'C', 'X'), reason_end: 'trackdone', skipped: null },
      { ...extended('2025-02-01T10:15:00Z', 'spotify:track:dddddddddddddddddddddd', 'D', 'X'), reason_end: 'backbtn', skipped: false },
    ]));
    const config = testConfig(join(dir, 'lake'));
    await build(config, async (s) => {
      await ingestExportStage(s, [acc], 'acc', 'UTC');
      await ingestExportStage(s, [ext], 'ext', 'UTC');
      await silverStage(s);
    });
    const rows = await withReader(config, silentLogger, (s) => queryRows<Record<string, unknown>>(s.conn, `
      select listener_id, track_name, session_position, play_seq, is_stream, is_skip from silver.listening_with_features
      order by listener_id, session_id, session_position`));
    assert.deepEqual(rows.filter((r) => r.listener_id === 'acc').map((r) => [r.track_name, r.session_position, Number(r.play_seq), r.is_stream, r.is_skip]), [
      ['Zulu', 1, 1, false, null], ['Mike', 2, 2, true, null], ['Alpha', 3, 3, true, null],
    ]);
    assert.deepEqual(rows.filter((r) => r.listener_id === 'ext').map((r) => Number(r.play_seq)), [1, 2, 3, 4]);
    assert.deepEqual(rows.filter((r) => r.listener_id === 'ext').map((r) => [r.track_name, r.is_stream, r.is_skip]), [
      ['A', false, true], ['B', true, true], ['C', true, false], ['D', true, true],
    ]);
  } finally {
    cleanup();
  }
});

test('first listens and repeats use the name key across sources; sessions add up the events with unknown skips and durations as null', async () => {
  const { dir, cleanup } = tempDir();
  try {
    mkdirSync(join(dir, 'in'));
    const ext = join(dir, 'in', 'Streaming_History_Audio_2025.json');
    writeFileSync(ext, JSON.stringify([
      extended('2025-01-01T10:00:00Z', 'spotify:track:aaaaaaaaaaaaaaaaaaaaaa', 'Song (Remastered)', 'Band'),
      { ...extended('2025-01-01T10:05:00Z', 'spotify:track:bbbbbbbbbbbbbbbbbbbbbb', 'Other', 'Band', 20000), skipped: true },
      extended('2025-01-01T12:00:00Z', 'spotify:track:cccccccccccccccccccccc', 'Song', 'Band'), // same song, another id
    ]));
    const acc = join(dir, 'in', 'StreamingHistory_music_0.json');
    writeFileSync(acc, JSON.stringify([{ endTime: '2025-01-02 09:00', artistName: 'Néw Artist', trackName: 'Tune', msPlayed: 100000 }]));
    const config = testConfig(join(dir, 'lake'));
    await build(config, async (s) => {
      await ingestExportStage(s, [ext], 'p', 'Europe/Amsterdam');
      await ingestExportStage(s, [acc], 'p');
      await silverStage(s);
    });
    const events = await withReader(config, silentLogger, (s) => queryRows<Record<string, unknown>>(s.conn, `
      select song_key, artist_key, is_first_track_play, is_first_artist_play from silver.listening_with_features order by played_at`));
    assert.deepEqual(events.map((r) => [r.song_key, r.artist_key, r.is_first_track_play, r.is_first_artist_play]), [
      ['band — song', 'band', true, true], ['band — other', 'band', true, false], ['band — song', 'band', false, false], ['new artist — tune', 'new artist', true, true],
    ]);
    const sessions = await withReader(config, silentLogger, (s) => queryRows<Record<string, unknown>>(s.conn, `
      select session_id, strftime(started_at, '%H:%M:%S') s, strftime(started_at_local, '%H:%M:%S') sl, plays::integer plays, streams::integer streams,
        skip_known_plays::integer skip_known_plays, skips::integer skips, round(minutes_played, 3) m, distinct_tracks::integer distinct_tracks,
        distinct_artists::integer distinct_artists, history_sources, part_of_day
      from silver.listening_sessions order by session_id`));
    assert.deepEqual(sessions, [
      { session_id: 'p-s000001', s: '09:56:40', sl: '10:56:40', plays: 2, streams: 1, skip_known_plays: 2, skips: 1, m: 3.667, distinct_tracks: 2, distinct_artists: 1, history_sources: 'export_extended', part_of_day: 'morning' },
      { session_id: 'p-s000002', s: '11:56:40', sl: '12:56:40', plays: 1, streams: 1, skip_known_plays: 1, skips: 0, m: 3.333, distinct_tracks: 1, distinct_artists: 1, history_sources: 'export_extended', part_of_day: 'afternoon' },
      { session_id: 'p-s000003', s: '08:58:20', sl: '09:58:20', plays: 1, streams: 1, skip_known_plays: 0, skips: null, m: 1.667, distinct_tracks: 1, distinct_artists: 1, history_sources: 'export_account', part_of_day: 'morning' },
    ]);
  } finally {
    cleanup();
  }
});

test('local time on ordinary days (no offset change) in zones with whole and half-hour offsets', async () => {
  const { dir, cleanup } = tempDir();
  try {
    mkdirSync(join(dir, 'in'));
    const file = join(dir, 'in', 'Streaming_History_Audio_2025.json');
    writeFileSync(file, JSON.stringify([
      extended('2025-01-15T10:00:00Z', 'spotify:track:aaaaaaaaaaaaaaaaaaaaaa', 'A', 'X'),
      extended('2025-05-22T13:01:24Z', 'spotify:track:bbbbbbbbbbbbbbbbbbbbbb', 'B', 'X'),
      extended('2025-07-01T23:30:00Z', 'spotify:track:cccccccccccccccccccccc', 'C', 'X'),
    ]));
    const config = testConfig(join(dir, 'lake'));
    await build(config, async (s) => {
      await ingestExportStage(s, [file], 'ams', 'Europe/Amsterdam');
      await ingestExportStage(s, [file], 'kol', 'Asia/Kolkata');
      await silverStage(s);
    });
    const rows = await withReader(config, silentLogger, (s) => queryRows<Record<string, unknown>>(s.conn, `
      select listener_id, strftime(played_at_local, '%Y-%m-%d %H:%M:%S') as local, hour_of_day from silver.listening_with_features order by listener_id, played_at`));
    assert.deepEqual(rows.map((r) => [r.listener_id, r.local, r.hour_of_day]), [
      ['ams', '2025-01-15 11:00:00', 11], ['ams', '2025-05-22 15:01:24', 15], ['ams', '2025-07-02 01:30:00', 1],
      ['kol', '2025-01-15 15:30:00', 15], ['kol', '2025-05-22 18:31:24', 18], ['kol', '2025-07-02 05:00:00', 5],
    ]);
  } finally {
    cleanup();
  }
});

test('silver and its sessions built in groups of listeners (parts) hold exactly the rows of the whole statements, across sources and platforms', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const config = testConfig(dir);
    const whole = join(dir, 'whole.parquet');
    const wholeSessions = join(dir, 'whole-sessions.parquet');
    await build(config, async (s) => {
      await ingestKaggleStage(s, kaggleSample);
      await ingestExportStage(s, [join(historyDir, 'JUSTSUJAY__spotify_analysis')], 'jus', 'Asia/Kolkata');
      await ingestExportStage(s, [join(historyDir, 'Khushi-203006__Spotify_Data_Analysis_Project')], 'khu', 'Asia/Kolkata');
      // One listener with three platforms: the cross-source rules (Last.fm window, Apple's two files) run.
      await ingestExportStage(s, [
        join(sharedData, 'lastfm', 'Djivs__lastfmprostats', 'scrobbles.csv'),
        join(sharedData, 'apple-music', 'nerveband__Apple-Music-Play-History-Converter', 'Apple Music Play Activity small.csv'),
        join(sharedData, 'youtube-music', 'tunaerol__DSA210-Project', 'watch-history.json'),
      ], 'mix', 'Europe/Istanbul');
      await ingestExportStage(s, [join(historyDir, 'Efrrowini__spotify-music-analysis')], 'efr', 'America/St_Johns');
      await silverStage(s);
      await s.conn.run(`copy (select * from silver.listening_with_features) to '${whole}' (format parquet)`);
      await s.conn.run(`copy (select * from silver.listening_sessions) to '${wholeSessions}' (format parquet)`);
      // efr 6,928 plays, jus 23,063 (more than a part alone), khu 8,538 and mix 12,114 (one part together).
      const groups = await inTransaction(s, 'plan', (ctx) => silverParts(ctx, 21000));
      assert.deepEqual(groups.detail, [['efr'], ['jus'], ['khu', 'mix']]);
      const parts = await inTransaction(s, 'silver in parts', async (ctx) => [
        await buildSilver(ctx, { playsPerPart: 21000 }), await buildListeningSessions(ctx, { playsPerPart: 21000 })]);
      for (const meta of parts.detail ?? []) assert.ok(meta.files.length >= 3, `expected several part files, got ${meta.files.length}`);
    });
    const compare = (table: string, file: string) => withReader(config, silentLogger, (s) => queryRows<{ rows: number; whole: number; only_parts: number; only_whole: number }>(s.conn, `
      select (select count(*) from ${table})::integer as rows,
             (select count(*) from read_parquet('${file}'))::integer as whole,
             (select count(*) from (select * from ${table} except all select * from read_parquet('${file}')))::integer as only_parts,
             (select count(*) from (select * from read_parquet('${file}') except all select * from ${table}))::integer as only_whole`));
    const [diff] = await compare('silver.listening_with_features', whole);
    assert.ok(diff.whole > 30000, `real plays of four listeners, got ${diff.whole}`);
    assert.deepEqual(diff, { rows: diff.whole, whole: diff.whole, only_parts: 0, only_whole: 0 });
    const [sessions] = await compare('silver.listening_sessions', wholeSessions);
    assert.ok(sessions.whole > 1000, `sessions of four listeners, got ${sessions.whole}`);
    assert.deepEqual(sessions, { rows: sessions.whole, whole: sessions.whole, only_parts: 0, only_whole: 0 });
  } finally {
    cleanup();
  }
});
