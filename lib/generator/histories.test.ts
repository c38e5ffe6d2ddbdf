import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { after, before, test } from 'node:test';
import { generateCatalog } from './catalog.ts';
import { readCatalogTracks, type CatalogTrack } from './catalog-reader.ts';
import { generateHistories, type ListenerHistory } from './histories.ts';
import { localHour, sha256Files, tempDir } from './test-helpers.ts';

const EXTENDED_KEYS = ['ts', 'platform', 'ms_played', 'conn_country', 'ip_addr', 'master_metadata_track_name',
  'master_metadata_album_artist_name', 'master_metadata_album_album_name', 'spotify_track_uri', 'episode_name',
  'episode_show_name', 'spotify_episode_uri', 'audiobook_title', 'audiobook_uri', 'audiobook_chapter_uri',
  'audiobook_chapter_title', 'reason_start', 'reason_end', 'shuffle', 'skipped', 'offline', 'offline_timestamp', 'incognito_mode'];
const LEGACY_KEYS = ['ts', 'username', 'platform', 'ms_played', 'conn_country', 'ip_addr_decrypted', 'user_agent_decrypted',
  ...EXTENDED_KEYS.slice(5, 12), 'reason_start', 'reason_end', 'shuffle', 'skipped', 'offline', 'offline_timestamp', 'incognito_mode'];

const dir = tempDir('gen-hist');
let catalog: CatalogTrack[];
let listeners: ListenerHistory[];
after(() => rmSync(dir, { recursive: true, force: true }));
before(async () => {
  await generateCatalog({ file: join(dir, 'cat.csv'), rows: 2000, seed: 'h' });
  catalog = await readCatalogTracks(join(dir, 'cat.csv'));
  listeners = await generateHistories({ dir: join(dir, 'a'), listeners: 3, eventsPerListener: 2500, seed: 'h', catalog });
});

const records = (files: string[]) => files.flatMap((f) => JSON.parse(readFileSync(f, 'utf8')) as Record<string, unknown>[]);

test('same seed gives byte-identical histories', async () => {
  const again = await generateHistories({ dir: join(dir, 'b'), listeners: 3, eventsPerListener: 2500, seed: 'h', catalog });
  assert.equal(sha256Files(again.flatMap((l) => l.files)), sha256Files(listeners.flatMap((l) => l.files)));
  assert.deepEqual(again.map((l) => l.files.map((f) => basename(f))), listeners.map((l) => l.files.map((f) => basename(f))));
});

test('each export format has the real key set and file naming', () => {
  const [ext, legacy, account] = listeners;
  assert.deepEqual([ext.format, legacy.format, account.format], ['extended', 'legacy', 'account']);
  assert.ok(ext.files.every((f) => /Streaming_History_Audio_\d{4}\.json$/.test(f)));
  const e = records(ext.files);
  assert.equal(e.length, 2500);
  assert.ok(e.every((r) => JSON.stringify(Object.keys(r)) === JSON.stringify(EXTENDED_KEYS)));
  assert.ok(e.every((r) => typeof r.ip_addr === 'string' && String(r.offline_timestamp).length === 10));
  assert.ok(e.some((r) => r.spotify_episode_uri !== null && r.spotify_track_uri === null), 'podcast episodes inline');
  const l = records(legacy.files);
  assert.ok(legacy.files.every((f) => /endsong_\d+\.json$/.test(f)));
  assert.ok(l.every((r) => JSON.stringify(Object.keys(r)) === JSON.stringify(LEGACY_KEYS)));
  assert.ok(l.filter((r) => r.skipped === null).length > l.length / 2, 'skipped mostly null');
  assert.ok(l.some((r) => r.offline_timestamp === 0) && l.some((r) => String(r.offline_timestamp).length === 13));
  assert.ok(l.some((r) => r.reason_start === ''));
  const music = account.files.filter((f) => /StreamingHistory_music_\d+\.json$/.test(f));
  const pods = account.files.filter((f) => /StreamingHistory_podcast_\d+\.json$/.test(f));
  assert.ok(music.length >= 1 && pods.length >= 1);
  const m = records(music);
  assert.ok(m.every((r) => JSON.stringify(Object.keys(r)) === '["endTime","artistName","trackName","msPlayed"]'));
  assert.ok(records(pods).every((r) => JSON.stringify(Object.keys(r)) === '["endTime","podcastName","episodeName","msPlayed"]'));
  assert.ok(m.every((r) => /^\d{4}-\d\d-\d\d \d\d:\d\d$/.test(String(r.endTime))));
  assert.equal(m.length + records(pods).length, 2500);
});

test('account data is sorted, extended exports are not', () => {
  const m = records(listeners[2].files.filter((f) => f.includes('music')));
  assert.ok(m.every((r, i) => i === 0 || String(m[i - 1].endTime) <= String(r.endTime)));
  const e = records(listeners[0].files);
  assert.ok(e.some((r, i) => i > 0 && String(e[i - 1].ts) > String(r.ts)));
});

test('plays follow local daily rhythms, come in sessions and repeat favourites', () => {
  const ids = new Set(catalog.map((t) => t.id));
  for (const l of listeners.slice(0, 2)) {
    const rows = records(l.files).filter((r) => r.spotify_track_uri);
    const ends = rows.map((r) => new Date(String(r.ts))).sort((a, b) => a.getTime() - b.getTime());
    const hours = ends.map((d) => localHour(d, l.timezone));
    const evening = hours.filter((h) => h >= 18 && h <= 22).length;
    const night = hours.filter((h) => h >= 1 && h <= 5).length;
    assert.ok(evening > 3 * night, `${l.id}: evening ${evening} vs night ${night}`);
    const gaps = ends.slice(1).map((d, i) => d.getTime() - ends[i].getTime());
    assert.ok(gaps.filter((g) => g < 10 * 60000).length > rows.length / 2, 'consecutive plays within sessions');
    assert.ok(gaps.filter((g) => g > 30 * 60000).length > rows.length / 20, 'session breaks');
    const counts = new Map<string, number>();
    for (const r of rows) counts.set(String(r.spotify_track_uri), (counts.get(String(r.spotify_track_uri)) ?? 0) + 1);
    assert.ok([...counts.values()].filter((c) => c >= 2).length > 50, 'repeated tracks');
    const unknown = rows.filter((r) => !ids.has(String(r.spotify_track_uri).split(':')[2])).length;
    assert.equal(unknown, l.notInCatalogEvents);
    assert.ok(unknown > rows.length * 0.02, `tracks not in the catalog: ${unknown} of ${rows.length}`);
  }
});

test('account-data files hold at most 10,000 records each', async () => {
  const [l] = await generateHistories({ dir: join(dir, 'c'), listeners: 1, eventsPerListener: 10_400, seed: 'big', catalog, formats: ['account'], podcastShare: 0 });
  const music = l.files.filter((f) => f.includes('music'));
  assert.equal(music.length, 2);
  assert.deepEqual(music.map((f) => records([f]).length), [10_000, 400]);
});
