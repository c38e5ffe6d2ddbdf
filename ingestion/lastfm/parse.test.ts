import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lastfmApiRow, lastfmCsvRow, lastfmLayout, parseLastfmTime } from './parse.ts';

const NOW = Date.parse('2026-12-01T00:00:00Z');

test('Last.fm times: every layout\'s format as UTC, impossible dates refused', () => {
  assert.equal(parseLastfmTime('20 Nov 2020 09:35'), Date.parse('2020-11-20T09:35:00Z'));
  assert.equal(parseLastfmTime('11 Jul 2024, 09:07'), Date.parse('2024-07-11T09:07:00Z'));
  assert.equal(parseLastfmTime('1/22/23 1:02'), Date.parse('2023-01-22T01:02:00Z'));
  assert.equal(parseLastfmTime('12/31/99 23:59'), Date.parse('1999-12-31T23:59:00Z'));
  assert.equal(parseLastfmTime('2020-04-13 05:01:31'), Date.parse('2020-04-13T05:01:31Z'));
  for (const bad of ['31 Feb 2020 10:00', '2/30/21 1:00', '20 Foo 2020 09:35', '2020-13-01 00:00:00', '25:00', '', '1/22/23 24:10']) assert.equal(parseLastfmTime(bad), null, bad);
});

test('layouts are recognised by header or shape; look-alikes are not', () => {
  assert.equal(lastfmLayout([['uts', 'utc_time', 'artist', 'artist_mbid', 'album', 'album_mbid', 'track', 'track_mbid']])?.format, 'lastfm_csv_ghan');
  assert.equal(lastfmLayout([['Artist', 'Track', 'Timestamp']])?.format, 'lastfm_csv');
  assert.equal(lastfmLayout([['Biome', 'UNITY', 'Unity', ''], ['Biome', 'Kora', 'Let Me', '20 Nov 2020 09:35']])?.format, 'lastfm_csv_headerless');
  assert.equal(lastfmLayout([['a', 'b', 'c', ''], ['d', 'e', 'f', '']]), null, 'no date at all: not a scrobble list');
  assert.equal(lastfmLayout([['listener_id', 'timezone'], ['p1', 'UTC']]), null);
  assert.equal(lastfmLayout([['', 'track_id', 'artists', 'album_name', 'track_name']]), null, 'the Kaggle header');
  assert.equal(lastfmLayout([['a', 'b', 'c', 'd'], ['1', '2', '3', '4']]), null);
});

test('rows: first failing rule wins, with the field named', () => {
  const headerless = lastfmLayout([['A', 'B', 'C', '20 Nov 2020 09:35']])!;
  const row = (f: string[]) => lastfmCsvRow(headerless, 1, Object.fromEntries(headerless.columns.map((c, i) => [c, f[i] ?? null])), f.length, NOW);
  assert.equal(row(['A', 'B', 'C', '']).reject?.reason.split(':')[0], 'now-playing row');
  assert.equal(row(['A', 'B', 'C', '20 Nov 2020 09:35', 'x']).reject?.reason.split(':')[0], 'wrong field count');
  assert.equal(row(['A', 'B', 'C', 'yesterday']).reject?.field, 'date');
  assert.equal(row(['A', 'B', 'C', '1 Jan 1999 10:00']).reject?.reason.split(':')[0], 'timestamp out of range');
  assert.equal(row(['A', 'B', '', '20 Nov 2020 09:35']).reject?.reason, 'empty track title');
  assert.deepEqual({ ...row(['A', '', 'C', '20 Nov 2020 09:35']), raw: null }, { sourceRow: 1, playedAt: Date.parse('2020-11-20T09:35:00Z'), msPlayed: null, track: 'C', artist: 'A', album: null, raw: null });
  const boeing = lastfmLayout([['artist', 'artist_mbid', 'album', 'album_mbid', 'track', 'track_mbid', 'timestamp', 'datetime']])!;
  const b = lastfmCsvRow(boeing, 7, { artist: 'A', album: '', track: 'T', timestamp: '0', datetime: '1970-01-01 00:00:00' }, 8, NOW);
  assert.equal(b.reject?.field, 'timestamp');
  assert.match(b.reject!.reason, /^timestamp 0/);
  assert.equal(lastfmCsvRow(boeing, 7, { artist: 'A', album: '', track: 'T', timestamp: '12e5', datetime: '' }, 8, NOW).reject?.reason.split(':')[0], 'unparsable timestamp');
});

test('API track objects: now playing and dateless entries are not plays', () => {
  assert.match(lastfmApiRow({ name: 'T', artist: { '#text': 'A' }, '@attr': { nowplaying: 'true' } }, 1, NOW).reject!.reason, /^now-playing/);
  assert.equal(lastfmApiRow({ name: 'T', artist: { '#text': 'A' } }, 1, NOW).reject!.reason, 'missing timestamp');
  const ok = lastfmApiRow({ name: 'T', artist: { '#text': 'A' }, album: { '#text': '' }, date: { uts: '1737669600' } }, 2, NOW);
  assert.equal(ok.playedAt, 1737669600000);
  assert.equal(ok.album, null);
});
