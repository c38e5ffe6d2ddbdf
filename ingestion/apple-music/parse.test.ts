import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appleFormat, playActivityRow, recentlyPlayedRow, usualOffset, zoneForOffset } from './parse.ts';

const NOW = Date.parse('2026-12-01T00:00:00Z');
const act = (f: Record<string, string>) => playActivityRow(3, { 'Song Name': null, 'Content Name': 'Song', 'Artist Name': 'Band', 'Event End Timestamp': '2017-10-21T16:12:42.781Z', 'Play Duration Milliseconds': '186000.0', 'Item Type': 'ITUNES_STORE_CONTENT', 'Event Type': 'PLAY_END', 'End Reason Type': 'NATURAL_END_OF_TRACK', ...f }, NOW);

test('Play Activity rows: non-songs, non-plays, bad durations and times are quarantined with the field', () => {
  assert.deepEqual([act({}).playedAt, act({}).msPlayed, act({}).skipped], [Date.parse('2017-10-21T16:12:42.781Z'), 186000, false]);
  assert.equal(act({ 'End Reason Type': 'TRACK_SKIPPED_BACKWARDS' }).skipped, true);
  assert.equal(act({ 'End Reason Type': '' }).skipped, null);
  assert.equal(act({ 'Item Type': 'AD' }).reject?.reason, 'not a song: Item Type AD');
  assert.equal(act({ 'Event Type': 'LYRIC_DISPLAY' }).reject?.field, 'Event Type');
  assert.equal(act({ 'Content Name': ' ' }).reject?.reason, 'empty title');
  assert.match(act({ 'Play Duration Milliseconds': '-5000' }).reject!.reason, /^negative play time/);
  assert.match(act({ 'Play Duration Milliseconds': '12.5' }).reject!.reason, /^play time is not a whole number/);
  assert.match(act({ 'Play Duration Milliseconds': '99999999999' }).reject!.reason, /^play time out of range/);
  assert.equal(act({ 'Event End Timestamp': '', 'Event Start Timestamp': '2017-10-21T16:00:00Z' }).playedAt, Date.parse('2017-10-21T16:03:06Z'), 'start + duration');
  assert.match(act({ 'Event End Timestamp': '-2.60601E+18' }).reject!.reason, /^unparsable timestamp/);
  assert.match(act({ 'Event End Timestamp': '' }).reject!.reason, /^missing timestamp/);
});

test('headers decide the file; Recently Played splits "Artist - Title"; offsets become a zone only in whole hours', () => {
  assert.equal(appleFormat(['Song Name', 'Event Start Timestamp', 'Play Duration Milliseconds']), 'apple_play_activity');
  assert.equal(appleFormat(['Country', 'Date Played', 'Track Description', 'Play Count']), 'apple_daily_tracks');
  assert.equal(appleFormat(['"Last Modified"', 'Container Type', 'Track Description']), null, 'a quoted name left in the header is no match');
  assert.equal(appleFormat(['Last Modified', 'Container Type', 'Track Description']), 'apple_recently_played');
  const r = recentlyPlayedRow(1, { 'Track Description': 'Joe Hisaishi - The Stink God', 'Last Modified': '2024-03-24T04:00:52.889Z', 'Last Event End Timestamp': '2024-03-24T04:03:41.580Z', 'Total plays': '1', 'Total play duration in millis': '168691', 'Container Type': 'Album', 'Container Description': 'Joe Hisaishi - Spirited Away' }, NOW);
  assert.deepEqual([r.artist, r.track, r.album, r.msPlayed, r.playedAt], ['Joe Hisaishi', 'The Stink God', 'Spirited Away', 168691, Date.parse('2024-03-24T04:03:41.580Z')]);
  assert.match(recentlyPlayedRow(2, { 'Track Description': 'Apple Music 1', 'Last Modified': '2024-03-24T04:00:52.889Z' }, NOW).reject!.reason, /^no "Artist - Title"/);
  assert.equal(usualOffset(['25200.0', '25200.0', '32400.0', '', null]), 25200);
  assert.deepEqual([zoneForOffset(25200), zoneForOffset(-14400), zoneForOffset(0), zoneForOffset(19800)], ['Etc/GMT-7', 'Etc/GMT+4', 'UTC', null]);
});
