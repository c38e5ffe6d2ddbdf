import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyDir, tempDir, testConfig } from '../../test/helpers.ts';
import { silentLogger } from '../../lib/logger.ts';
import { withWriter, withReader } from '../../lib/session.ts';
import { queryRows } from '../../lib/duckdb.ts';
import { readCatalog } from '../../lib/lake.ts';
import { InputFileError } from '../../lib/errors.ts';
import { ingestExports, stageRepeatedPlays } from './ingest.ts';
import type { Config } from '../../lib/config.ts';

async function ingest(config: Config, paths: string[], listener: string, tz?: string) {
  return withWriter(config, silentLogger, 'test', async (s) => {
    const tx = s.begin();
    const r = await ingestExports(s.context(tx), paths, listener, tz);
    await tx.commit();
    return r;
  });
}

function allFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? allFiles(p) : [p];
  });
}

// Expected counts were taken from the files with Python's json module (records; exact duplicates of
// ts, track URI and ms_played; episode rows), independently of this code.
const PEOPLE = [
  { dir: 'Efrrowini__spotify-music-analysis', records: 6978, added: 6977, episodes: 49, format: 'export_extended' },
  { dir: 'JUSTSUJAY__spotify_analysis', records: 23269, added: 23269, episodes: 206, format: 'export_account' },
  { dir: 'Khushi-203006__Spotify_Data_Analysis_Project', records: 8544, added: 8544, episodes: 6, format: 'export_extended' },
  { dir: 'lukaszamora__spotify-history', records: 33489, added: 33489, episodes: 0, format: 'export_account' },
];

test('every real history file imports with exact counts; re-import adds nothing; no personal field is stored', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const config = testConfig(dir);
    for (const [i, p] of PEOPLE.entries()) {
      const r = await ingest(config, [join(historyDir, p.dir)], `p${i}`, 'Asia/Kolkata');
      assert.equal(r.records, p.records, p.dir);
      assert.equal(r.rows_added, p.added, p.dir);
      assert.equal(r.rows_rejected, 0, p.dir);
      assert.equal(r.by_content_type.episode ?? 0, p.episodes, p.dir);
      assert.ok(r.files.every((f) => f.format.startsWith(p.format)), p.dir);
    }
    const again = await ingest(config, [join(historyDir, PEOPLE[0].dir)], 'p0');
    assert.equal(again.rows_added, 0);
    assert.equal(again.duplicates_skipped, PEOPLE[0].records);
    const counts = await withReader(config, silentLogger, (s) => queryRows<{ listener_id: string; n: number }>(s.conn,
      'select listener_id, count(*)::integer n from bronze.listening_history group by all order by all'));
    assert.deepEqual(counts.map((c) => c.n), PEOPLE.map((p) => p.added));
    const cols = readCatalog(dir).tables['bronze.listening_history'].columns.map((c) => c.name);
    for (const personal of ['ip_addr', 'ip_addr_decrypted', 'username', 'user_agent_decrypted', 'conn_country', 'platform']) {
      assert.ok(!cols.includes(personal), `${personal} must not be a column`);
    }
  } finally {
    cleanup();
  }
});

test('the legacy endsong format drops username, IP and user agent, normalises ms offline timestamps and empty reasons', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const records = [
      { ts: '2021-03-01T10:00:05Z', username: 'secret-user-42', platform: 'Android OS 9 API 28 (samsung, SM-G960F)', ms_played: 180000, conn_country: 'DE',
        ip_addr_decrypted: '203.0.113.77', user_agent_decrypted: 'unknown-agent/9.9', master_metadata_track_name: 'Song', master_metadata_album_artist_name: 'Artist',
        master_metadata_album_album_name: 'Album', spotify_track_uri: 'spotify:track:4uLU6hMCjMI75M1A2tKUQC', episode_name: null, episode_show_name: null,
        spotify_episode_uri: null, reason_start: '', reason_end: 'trackdone', shuffle: false, skipped: null, offline: true, offline_timestamp: 1614592800000, incognito_mode: false },
      { ts: '2021-03-01T10:03:05Z', username: 'secret-user-42', platform: 'iOS', ms_played: 1000, conn_country: 'DE', ip_addr_decrypted: '203.0.113.77',
        user_agent_decrypted: 'unknown-agent/9.9', master_metadata_track_name: null, master_metadata_album_artist_name: null, master_metadata_album_album_name: null,
        spotify_track_uri: null, episode_name: 'Ep 1', episode_show_name: 'Show', spotify_episode_uri: 'spotify:episode:abc', reason_start: 'clickrow', reason_end: '',
        shuffle: false, skipped: true, offline: false, offline_timestamp: 0, incognito_mode: false },
    ];
    const file = join(dir, 'in', 'endsong_0.json');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(dir, 'in'));
    writeFileSync(file, JSON.stringify(records));
    const config = testConfig(join(dir, 'lake'));
    const r = await ingest(config, [file], 'legacy');
    assert.equal(r.files[0].format, 'export_extended_legacy');
    const rows = await withReader(config, silentLogger, (s) => queryRows<Record<string, unknown>>(s.conn,
      `select content_type, track_id, reason_start, reason_end, offline_at, skipped, started_at, played_at from bronze.listening_history order by played_at`));
    assert.deepEqual(rows, [
      { content_type: 'track', track_id: '4uLU6hMCjMI75M1A2tKUQC', reason_start: null, reason_end: 'trackdone', offline_at: '2021-03-01 10:00:00', skipped: null, started_at: '2021-03-01 09:57:05', played_at: '2021-03-01 10:00:05' },
      { content_type: 'episode', track_id: null, reason_start: 'clickrow', reason_end: null, offline_at: null, skipped: true, started_at: '2021-03-01 10:03:04', played_at: '2021-03-01 10:03:05' },
    ]);
    for (const f of allFiles(join(dir, 'lake'))) {
      const bytes = readFileSync(f).toString('latin1');
      for (const secret of ['secret-user-42', '203.0.113.77', 'unknown-agent', 'SM-G960F']) assert.ok(!bytes.includes(secret), `${secret} found in ${f}`);
    }
  } finally {
    cleanup();
  }
});

test('bad rows go to quarantine without personal fields; broken files are refused whole naming file and position', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(dir, 'in'));
    const ok = join(dir, 'in', 'StreamingHistory_music_0.json');
    writeFileSync(ok, JSON.stringify([
      { endTime: '2024-01-01 10:00', artistName: 'A', trackName: 'T', msPlayed: 1000 },
      { endTime: 'yesterday', artistName: 'A', trackName: 'T2', msPlayed: 1000 },
      { endTime: '2024-01-01 10:05', artistName: 'A', trackName: 'T3', msPlayed: -5 },
    ]));
    const config = testConfig(join(dir, 'lake'));
    const r = await ingest(config, [ok], 'p1');
    assert.equal(r.rows_added, 1);
    assert.equal(r.rows_rejected, 2);
    const rejects = await withReader(config, silentLogger, (s) => queryRows<Record<string, unknown>>(s.conn,
      'select source_row::integer source_row, field, reason, raw_line, listener_id from bronze.rejected_rows order by source_row'));
    assert.deepEqual(rejects.map((x) => [x.source_row, x.field, x.listener_id]), [[2, 'endTime', 'p1'], [3, 'msPlayed', 'p1']]);
    assert.match(String(rejects[0].reason), /unparsable timestamp: "yesterday"/);
    assert.deepEqual(JSON.parse(String(rejects[1].raw_line)), { endTime: '2024-01-01 10:05', artistName: 'A', trackName: 'T3', msPlayed: '-5' });

    const truncated = join(dir, 'in', 'Streaming_History_Audio_2024.json');
    writeFileSync(truncated, readFileSync(join(historyDir, 'Efrrowini__spotify-music-analysis', 'Streaming_History_Audio_2022.json'), 'utf8').slice(0, 5000));
    await assert.rejects(ingest(config, [truncated], 'p1'), (e: Error) => e instanceof InputFileError && /Streaming_History_Audio_2024\.json: .*(Malformed|malformed).*byte \d+/.test(e.message));
    const unknown = join(dir, 'in', 'other.json');
    writeFileSync(unknown, JSON.stringify([{ when: 'x', what: 'y' }]));
    await assert.rejects(ingest(config, [ok, unknown], 'p1'), /other\.json: unknown export shape: keys what, when|other\.json: unknown export shape: keys when, what/);
    const empty = join(dir, 'in', 'empty.json');
    writeFileSync(empty, '');
    await assert.rejects(ingest(config, [empty], 'p1'), /empty\.json: empty file/);
    const notJson = join(dir, 'in', 'notjson.json');
    writeFileSync(notJson, 'hello');
    await assert.rejects(ingest(config, [notJson], 'p1'), /notjson\.json: not a JSON array/);
    assert.equal(readCatalog(join(dir, 'lake')).tables['bronze.listening_history'].version, 1, 'refused files publish nothing');
  } finally {
    cleanup();
  }
});

test('a study batch reports each file its own rejects, also when two listeners hand in the same file', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const { mkdirSync } = await import('node:fs');
    const { ingestExportBatches } = await import('./ingest.ts');
    for (const p of ['a', 'b']) mkdirSync(join(dir, p));
    const record = (i: number, ms: number | string) => ({ endTime: `2024-01-0${i} 10:00`, artistName: 'A', trackName: `T${i}`, msPlayed: ms });
    const twoBad = JSON.stringify([record(1, 1000), record(2, -1), record(3, 'x')]);
    writeFileSync(join(dir, 'a', 'StreamingHistory_music_0.json'), twoBad);
    writeFileSync(join(dir, 'a', 'StreamingHistory_music_1.json'), JSON.stringify([record(4, 1000), record(5, 2000)]));
    writeFileSync(join(dir, 'b', 'StreamingHistory_music_0.json'), twoBad);
    writeFileSync(join(dir, 'b', 'StreamingHistory_music_1.json'), JSON.stringify([record(6, 1.5)]));
    const config = testConfig(join(dir, 'lake'));
    const summaries = await withWriter(config, silentLogger, 'test', async (s) => {
      const tx = s.begin();
      const r = await ingestExportBatches(s.context(tx), [{ listenerId: 'pa', paths: [join(dir, 'a')] }, { listenerId: 'pb', paths: [join(dir, 'b')] }]);
      await tx.commit();
      return r;
    });
    const perFile = summaries.map((x) => [x.listener_id, x.rows_rejected, x.files.map((f) => [f.file, f.records, f.rejected])]);
    assert.deepEqual(perFile, [
      ['pa', 2, [['StreamingHistory_music_0.json', 3, 2], ['StreamingHistory_music_1.json', 2, 0]]],
      ['pb', 3, [['StreamingHistory_music_0.json', 3, 2], ['StreamingHistory_music_1.json', 1, 1]]],
    ]);
  } finally {
    cleanup();
  }
});

test('repeated plays are found on the grain, so imports without any skip the dedup window', async () => {
  const { dir, cleanup } = tempDir();
  try {
    await withWriter(testConfig(dir), silentLogger, 'test', async (s) => {
      const ctx = s.context(s.begin());
      await ctx.conn.run(`create temp table staged (listener_id VARCHAR, played_at TIMESTAMP, ms_played BIGINT, content_type VARCHAR, track_id VARCHAR,
        episode_uri VARCHAR, audiobook_chapter_uri VARCHAR, audiobook_uri VARCHAR, show_name VARCHAR, episode_name VARCHAR, artist_name VARCHAR,
        track_name VARCHAR, reject_reason VARCHAR)`);
      await ctx.conn.run(`insert into staged values
        ('a', timestamp '2024-01-01 10:00', 1000, 'track', 't1', null, null, null, null, null, 'Artist', 'Song', null),
        ('a', timestamp '2024-01-01 10:05', 1000, 'track', 't1', null, null, null, null, null, 'Artist', 'Song', null),
        ('b', timestamp '2024-01-01 10:00', 1000, 'track', 't1', null, null, null, null, null, 'Artist', 'Song', null),
        ('a', timestamp '2024-01-01 11:00', 2000, 'track', null, null, null, null, null, null, 'Artist', 'Song', null),
        ('a', timestamp '2024-01-01 11:00', 2000, 'track', null, null, null, null, null, null, 'Artist', 'Other', null),
        ('a', timestamp '2024-01-01 12:00', 3000, 'track', 't2', null, null, null, null, null, null, null, null),
        ('a', timestamp '2024-01-01 12:00', 3000, 'track', 't2', null, null, null, null, null, null, null, 'play time out of range')`);
      // Every valid play once (a reject does not count): none repeated.
      assert.equal(await stageRepeatedPlays(ctx, 'staged', 'repeats'), 0);
      await ctx.conn.run(`insert into staged values
        ('a', timestamp '2024-01-01 11:00', 2000, 'track', null, null, null, null, null, null, 'ARTIST', 'song', null),
        ('b', timestamp '2024-01-01 10:00', 1000, 'track', 't1', null, null, null, null, null, null, null, null),
        ('b', timestamp '2024-01-01 10:00', 1000, 'track', 't1', null, null, null, null, null, null, null, null)`);
      assert.equal(await stageRepeatedPlays(ctx, 'staged', 'repeats'), 2);
      const keys = await queryRows<{ listener_id: string; track_key: string; n: number }>(ctx.conn,
        'select listener_id, track_key from repeats order by all');
      assert.deepEqual(keys.map((k) => [k.listener_id, k.track_key]), [['a', 'name:artist|song'], ['b', 't1']]);
    });
  } finally {
    cleanup();
  }
});
