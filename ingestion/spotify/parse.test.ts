import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sharedData } from '../../test/helpers.ts';
import { parseAudioFeatures, parsePlays, parseTrackMetadata } from './parse.ts';
import { AUDIO_FEATURES_FILES, RECENTLY_PLAYED_FILES } from './fake-recordings.ts';

const read = (f: string) => JSON.parse(readFileSync(join(sharedData, f), 'utf8'));
const meta = { listenerId: 'p01', sourceFile: 'p01/run-x/recently-played-0001.json', sha256: 'abc' };

test('plays from current track objects with null context', () => {
  const rows = parsePlays(read(RECENTLY_PLAYED_FILES[2]), meta);
  assert.equal(rows.length, 50);
  assert.deepEqual(rows[0], {
    listener_id: 'p01', source: 'spotify_api', source_file: meta.sourceFile, file_sha256: 'abc', source_row: 1,
    played_at: '2023-01-26T04:13:50.392Z', ms_played: null, content_type: 'track', track_id: read(RECENTLY_PLAYED_FILES[2]).items[0].track.id,
    track_name: read(RECENTLY_PLAYED_FILES[2]).items[0].track.name, artist_name: 'Millonario & W. Corona', album_name: 'Así Soy Yo',
    episode_name: null, show_name: null, episode_uri: null, context_type: null, context_uri: null,
  });
});

test('simplified 2016 track objects: no album and no popularity become null, contexts are kept', () => {
  const body = read(RECENTLY_PLAYED_FILES[0]);
  const plays = parsePlays(body, meta);
  assert.deepEqual(plays.map((p) => [p.track_id, p.album_name, p.context_type, p.context_uri]), [
    ['2gNfxysfBRfl9Lvi9T3v6R', null, 'artist', 'spotify:artist:5INjqkS1o8h1imAzPqGZBb'],
    ['2X485T9Z5Ly0xyaghN73ed', null, 'artist', body.items[1].context.uri],
  ]);
  const tracks = parseTrackMetadata(body, meta);
  assert.deepEqual(tracks.map((t) => [t.popularity, t.album_id, t.album_release_date, t.duration_ms, t.explicit]), [[null, null, null, 108546, false], [null, null, null, body.items[1].track.duration_ms, body.items[1].track.explicit]]);
  assert.deepEqual(tracks[0].artist_names, ['Tame Impala']);
});

test('odd items are skipped or nulled, never an error', () => {
  const body = { items: [
    { track: null, played_at: '2024-01-01T00:00:00Z' },
    { track: { id: null, is_local: true, name: 'Demo', artists: [{ name: 'Me' }], type: 'track' }, played_at: '2024-01-01T00:05:00Z', context: null },
    { track: { id: 'x', type: 'track' }, played_at: 'not a date' },
  ] };
  const plays = parsePlays(body, meta);
  assert.deepEqual(plays.map((p) => [p.track_id, p.track_name, p.artist_name, p.source_row]), [[null, 'Demo', 'Me', 2]]);
  assert.deepEqual(parseTrackMetadata(body, meta).map((t) => t.track_id), ['x']);
  assert.deepEqual(parsePlays({ nothing: true }, meta), []);
});

test('audio features: recorded values, null entries skipped', () => {
  const body = read(AUDIO_FEATURES_FILES[0]);
  const rows = parseAudioFeatures({ audio_features: [...body.audio_features, null] }, meta);
  assert.equal(rows.length, 1);
  const f = body.audio_features[0];
  assert.deepEqual(rows[0], {
    track_id: f.id, danceability: f.danceability, energy: f.energy, loudness: f.loudness, speechiness: f.speechiness,
    acousticness: f.acousticness, instrumentalness: f.instrumentalness, liveness: f.liveness, valence: f.valence, tempo: f.tempo,
    key: f.key, mode: f.mode, time_signature: f.time_signature, duration_ms: f.duration_ms, source_file: meta.sourceFile, file_sha256: 'abc',
  });
});
