// The Last.fm rule on real data: a real Spotify extended export and a Last.fm file built from it the
// way Spotify's scrobbler would (plays of 30 s or more, at their start, cut to the minute, in the
// lastfm-to-csv layout). Half of the scrobbles are the exported plays; the other half are plays of
// the same songs moved 90 minutes later (a second device the export never saw): those must stay.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyDir, tempDir, testConfig } from '../test/helpers.ts';
import { silentLogger } from '../lib/logger.ts';
import { withReader, withWriter } from '../lib/session.ts';
import { queryRows } from '../lib/duckdb.ts';
import { ingestExportStage, silverStage } from '../pipeline/stages.ts';
import { crossSourceMerges, runQualityChecks } from '../ops/quality-checks.ts';
import { silverSql } from './listening-with-features-sql.ts';

const PERSON = join(historyDir, 'Efrrowini__spotify-music-analysis');
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const lastfmDate = (ms: number) => {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}`;
};

interface Rec { ts: string; ms_played: number; master_metadata_track_name: string | null; master_metadata_album_artist_name: string | null; master_metadata_album_album_name: string | null; spotify_track_uri: string | null }

test('Last.fm scrobbles of exported Spotify plays merge into them; scrobbles of other plays stay (precision and recall measured)', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const records: Rec[] = readdirSync(PERSON).filter((f) => f.endsWith('.json')).sort().flatMap((f) => JSON.parse(readFileSync(join(PERSON, f), 'utf8')) as Rec[]);
    // Scrobble-eligible: music tracks with names, 30 s or more (Last.fm's lower bound); no commas (the layout has no quoting).
    const eligible = records.filter((r) => r.spotify_track_uri && r.master_metadata_track_name && r.master_metadata_album_artist_name && r.ms_played >= 30000
      && ![r.master_metadata_track_name, r.master_metadata_album_artist_name, r.master_metadata_album_album_name ?? ''].some((x) => x.includes(',')));
    const lines: string[] = [];
    const truth: boolean[] = []; // by CSV row: true = the same play as an exported one
    eligible.forEach((r, i) => {
      const start = Date.parse(r.ts) - r.ms_played + (i % 2 === 0 ? 0 : 90 * 60_000);
      lines.push(`${r.master_metadata_album_artist_name},${r.master_metadata_album_album_name ?? ''},${r.master_metadata_track_name},${lastfmDate(start)}`);
      truth.push(i % 2 === 0);
    });
    const csv = join(dir, 'scrobbles.csv');
    writeFileSync(csv, `${lines.join('\n')}\n`);
    const config = testConfig(join(dir, 'lake'));
    await withWriter(config, silentLogger, 'test', async (s) => {
      await ingestExportStage(s, [PERSON], 'p1', 'UTC');
      await ingestExportStage(s, [csv], 'p1', 'UTC');
      await silverStage(s);
    });
    const { dropped, spotify, pairs, checks } = await withReader(config, silentLogger, async (s) => ({
      // Scrobbles stored in bronze but not in silver: the merged ones (by CSV row).
      dropped: await queryRows<{ source_row: number }>(s.conn, `select b.source_row from bronze.listening_history b
        where b.source like 'lastfm%' and not exists (select 1 from silver.listening_with_features v where v.listener_id = b.listener_id
          and v.history_source = 'lastfm' and v.played_at = b.played_at and v.track_name = b.track_name and v.artist_name = b.artist_name)`),
      spotify: (await queryRows<{ bronze: number; silver: number; lastfm_streams: number }>(s.conn, `select
        (select count(*) from bronze.listening_history where source = 'export_extended' and content_type = 'track')::integer as bronze,
        (select count(*) from silver.listening_with_features where history_source = 'export_extended')::integer as silver,
        (select count(*) from silver.listening_with_features where history_source = 'lastfm' and is_stream)::integer as lastfm_streams`))[0],
      pairs: await crossSourceMerges(s.conn),
      checks: await runQualityChecks(s.conn, config.dataDir, { allowSynthetic: true }),
    }));
    const stored = await withReader(config, silentLogger, (s) => queryRows<{ source_row: number }>(s.conn, "select source_row from bronze.listening_history where source like 'lastfm%'"));
    const storedRows = new Set(stored.map((r) => r.source_row));
    const trueDups = [...storedRows].filter((r) => truth[r - 1]).length;
    const merged = dropped.map((r) => r.source_row);
    const correct = merged.filter((r) => truth[r - 1]).length;
    const precision = correct / merged.length;
    const recall = correct / trueDups;
    process.stderr.write(`Last.fm rule on ${PERSON.split('/').pop()}: ${eligible.length} scrobbles written (${storedRows.size} stored), ${trueDups} of exported plays, `
      + `${merged.length} merged, ${correct} correctly: precision ${precision.toFixed(4)}, recall ${recall.toFixed(4)}\n`);
    assert.ok(merged.length > 1000, 'the rule merged the scrobbles of exported plays');
    assert.ok(precision >= 0.98, `precision ${precision}`);
    assert.ok(recall >= 0.98, `recall ${recall}`);
    // Spotify's richer rows are all kept; the scrobbles kept are streams by Last.fm's rule.
    assert.equal(spotify.silver, spotify.bronze);
    assert.equal(spotify.lastfm_streams, storedRows.size - merged.length);
    // The merges are reported per source pair.
    assert.deepEqual(pairs, [{ kept_source: 'export_extended', dropped_source: 'lastfm', plays: merged.length }]);
    const check = checks.find((c) => c.check_name === 'cross_source_merges' && c.column_name === 'export_extended<-lastfm');
    assert.equal(check?.observed_value, merged.length);
  } finally {
    cleanup();
  }
});

test('a scrobble outranks the same YouTube Music play; a URL title never matches by name; the pair join is a hash join', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const csv = join(dir, 'scrobbles.csv');
    writeFileSync(csv, 'utc_time,artist,album,track\n"01 Jan 2025, 10:00",Band,,Song\n"01 Jan 2025, 11:00",Other,,Tune\n');
    const yt = join(dir, 'watch-history.json');
    writeFileSync(yt, JSON.stringify([
      { header: 'YouTube Music', title: 'Watched Song', titleUrl: 'https://music.youtube.com/watch?v=a', subtitles: [{ name: 'Band - Topic' }], time: '2025-01-01T10:00:40.000Z', products: ['YouTube'] },
      { header: 'YouTube Music', title: 'Watched https://music.youtube.com/watch?v=b', titleUrl: 'https://music.youtube.com/watch?v=b', time: '2025-01-01T11:00:10.000Z', products: ['YouTube'] },
      { header: 'YouTube Music', title: 'Watched Song', titleUrl: 'https://music.youtube.com/watch?v=a', subtitles: [{ name: 'Band - Topic' }], time: '2025-01-01T10:30:00.000Z', products: ['YouTube'] },
    ]));
    const config = testConfig(join(dir, 'lake'));
    await withWriter(config, silentLogger, 'test', async (s) => {
      await ingestExportStage(s, [csv], 'p1', 'UTC');
      await ingestExportStage(s, [yt], 'p1', 'UTC');
      await silverStage(s);
    });
    const { rows, pairs, plan } = await withReader(config, silentLogger, async (s) => ({
      rows: await queryRows(s.conn, "select strftime(played_at, '%H:%M:%S') as at, history_source, artist_name, is_stream from silver.listening_with_features order by played_at"),
      pairs: await crossSourceMerges(s.conn),
      plan: (await queryRows<{ explain_value: string }>(s.conn, `explain ${silverSql({ hasApiFeatures: false, hasSynthetic: false, hasKaggle: false, allowSynthetic: false })}`)).map((r) => r.explain_value).join('\n'),
    }));
    assert.deepEqual(rows, [
      { at: '10:00:00', history_source: 'lastfm', artist_name: 'Band', is_stream: true },
      { at: '10:30:00', history_source: 'youtube_music', artist_name: 'Band', is_stream: null },
      { at: '11:00:00', history_source: 'lastfm', artist_name: 'Other', is_stream: true },
      { at: '11:00:10', history_source: 'youtube_music', artist_name: null, is_stream: null },
    ]);
    assert.deepEqual(pairs, [{ kept_source: 'lastfm', dropped_source: 'youtube_music', plays: 1 }]);
    // Plays without a duration still form sessions: the gap is measured from their time (30 min apart at most here).
    const [{ sessions }] = await withReader(config, silentLogger, (s) => queryRows<{ sessions: number }>(s.conn, 'select count(distinct session_id)::integer as sessions from silver.listening_with_features'));
    assert.equal(sessions, 1);
    assert.match(plan, /HASH_JOIN/);
    for (const slow of ['NESTED_LOOP_JOIN', 'PIECEWISE_MERGE_JOIN', 'IE_JOIN', 'BLOCKWISE_NL_JOIN', 'CROSS_PRODUCT']) assert.ok(!plan.includes(slow), `${slow} in the silver plan`);
  } finally {
    cleanup();
  }
});

test('the same scrobbles from a layout with seconds (ghan.nl) and a minute layout (lastfm-to-csv) are kept once', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const { parse } = await import('csv-parse/sync');
    const ghan = join(historyDir, '..', 'lastfm', 'SachaWheeler__last_fm_stats', 'scrobbles.csv');
    const rows = parse(readFileSync(ghan), { columns: true }) as Record<string, string>[];
    // The same account exported by benjaminbenben's tool: no header, minute precision, no quoting (rows with commas left out).
    const minute = rows.filter((r) => ![r.artist, r.album, r.track].some((x) => x.includes(','))).slice(0, 3000);
    const csv = join(dir, 'lastfm-to-csv.csv');
    writeFileSync(csv, `${minute.map((r) => `${r.artist},${r.album},${r.track},${lastfmDate(Number(r.uts) * 1000)}`).join('\n')}\n`);
    const config = testConfig(join(dir, 'lake'));
    await withWriter(config, silentLogger, 'test', async (s) => {
      await ingestExportStage(s, [ghan], 'p1', 'UTC');
      await ingestExportStage(s, [csv], 'p1', 'UTC');
      await silverStage(s);
    });
    const counts = await withReader(config, silentLogger, async (s) => ({
      silver: (await queryRows<{ n: number }>(s.conn, "select count(*)::integer as n from silver.listening_with_features"))[0].n,
      pairs: await crossSourceMerges(s.conn),
    }));
    assert.equal(counts.silver, rows.length);
    // A scrobble at a whole minute is the identical row in both files (bronze keeps it once); the others merge in silver.
    // Two scrobbles of a track in one minute are one row of the minute file.
    const key = (r: Record<string, string>) => `${r.artist.toLowerCase()}|${r.track.toLowerCase()}|${Math.floor(Number(r.uts) / 60)}`;
    const onMinute = new Set(minute.filter((r) => Number(r.uts) % 60 === 0).map(key));
    const offMinute = new Set(minute.map(key).filter((k) => !onMinute.has(k))).size;
    assert.deepEqual(counts.pairs, [{ kept_source: 'lastfm', dropped_source: 'lastfm', plays: offMinute }]);
  } finally {
    cleanup();
  }
});

test('Apple Recently Played rows of plays that Play Activity holds too are kept once (real Play Activity)', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const { parse } = await import('csv-parse/sync');
    const activity = join(historyDir, '..', 'apple-music', 'vietvudanh__apple-music-st', 'Apple Music Play Activity.csv');
    const rows = (parse(readFileSync(activity), { columns: true }) as Record<string, string>[])
      .filter((r) => r['Item Type'] === 'ITUNES_STORE_CONTENT' && r['Event Type'] !== 'LYRIC_DISPLAY' && r['Content Name'] && r['Artist Name'] && Number(r['Play Duration Milliseconds']) > 0
        && r['Event End Timestamp'] && ![r['Artist Name'], r['Content Name']].some((x) => x.includes(',') || x.includes('"')))
      .sort((a, b) => b['Event End Timestamp'].localeCompare(a['Event End Timestamp']));
    // The package's Recently Played file: each of the 40 latest distinct tracks once, with its last play (2024 layout).
    const seen = new Set<string>();
    const recent = rows.filter((r) => !seen.has(`${r['Artist Name']} - ${r['Content Name']}`) && seen.add(`${r['Artist Name']} - ${r['Content Name']}`)).slice(0, 40);
    const rp = join(dir, 'Apple Music - Recently Played Tracks.csv');
    writeFileSync(rp, `Last Modified,Container Type,Container Description,Track Description,Last Event End Timestamp,Total plays,Total play duration in millis\n${
      recent.map((r) => `${r['Event End Timestamp']},N/A,N/A,${r['Artist Name']} - ${r['Content Name']},${r['Event End Timestamp']},2,${Number(r['Play Duration Milliseconds']) * 2}`).join('\n')}\n`);
    const config = testConfig(join(dir, 'lake'));
    await withWriter(config, silentLogger, 'test', async (s) => {
      await ingestExportStage(s, [activity, rp], 'p1', 'UTC');
      await silverStage(s);
    });
    const r = await withReader(config, silentLogger, async (s) => ({
      bronzeActivity: (await queryRows<{ n: number }>(s.conn, "select count(*)::integer as n from bronze.listening_history where source = 'apple_play_activity'"))[0].n,
      silver: (await queryRows<{ n: number }>(s.conn, 'select count(*)::integer as n from silver.listening_with_features'))[0].n,
      pairs: await crossSourceMerges(s.conn),
    }));
    assert.equal(r.silver, r.bronzeActivity, 'no Recently Played row doubles a play');
    assert.deepEqual(r.pairs, [{ kept_source: 'apple_music', dropped_source: 'apple_music', plays: 40 }]);
  } finally {
    cleanup();
  }
});
