import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sharedData } from '../../test/helpers.ts';
import { describeErrors, loadSpecValidator } from './openapi.ts';
import { AUDIO_FEATURES_FILES, RECENTLY_PLAYED_FILES, loadTimeline } from './fake-recordings.ts';
import { fakeSpotify } from './test-support.ts';

const read = (f: string) => JSON.parse(readFileSync(join(sharedData, f), 'utf8'));
/** Album fields that did not exist yet in 2017; the only deviation allowed in the recorded data. */
const OLD_ALBUM = /^\/items\/\d+\/track\/album must have required property '(total_tracks|release_date|release_date_precision)'$/;

test('the recorded responses match the OpenAPI spec (context nullable), except 2017-era albums', () => {
  const v = loadSpecValidator(sharedData);
  const [jmperez, zmb3, chekos] = RECENTLY_PLAYED_FILES.map((f) => {
    v.recentlyPlayed(read(f));
    return describeErrors(v.recentlyPlayed.errors);
  });
  assert.deepEqual(jmperez, []);
  assert.deepEqual(chekos, [], 'context: null in all 50 items is accepted');
  assert.equal(zmb3.length, 60);
  assert.ok(zmb3.every((e) => OLD_ALBUM.test(e)), zmb3.find((e) => !OLD_ALBUM.test(e)));
  assert.equal(v.audioFeatures(read(AUDIO_FEATURES_FILES[0])), true);
  assert.equal(v.audioFeaturesObject(read(AUDIO_FEATURES_FILES[1])), true);
});

test('the validator rejects wrong shapes', () => {
  const v = loadSpecValidator(sharedData);
  const body = read(RECENTLY_PLAYED_FILES[0]);
  assert.equal(v.recentlyPlayed({ ...body, items: 'nope' }), false);
  assert.equal(v.recentlyPlayed({ ...body, items: [{ ...body.items[0], played_at: 'yesterday' }] }), false);
  assert.equal(v.recentlyPlayed({ ...body, items: [{ ...body.items[0], context: 'album' }] }), false);
  assert.equal(v.audioFeatures({ audio_features: [{ danceability: 'high' }] }), false);
});

test('the fake pages a window of the timeline with after/before/limit like the real service', async (t) => {
  const fake = await fakeSpotify({ visible: 60 });
  t.after(() => fake.stop());
  const token = (await (await fetch(`${fake.url}/api/token`, { method: 'POST' })).json()) as { error?: string };
  assert.equal(token.error, 'invalid_client');
  const bearer = { Authorization: `Bearer ${String(fake.accounts.issue('user-read-recently-played', false).access_token)}` };
  const get = async (q: string) => (await (await fetch(`${fake.apiBaseUrl}/me/player/recently-played?${q}`, { headers: bearer })).json()) as {
    items: { played_at: string }[]; next: string | null; cursors: { after: string; before: string } | null; limit: number;
  };
  const timeline = loadTimeline(sharedData);
  const win = timeline.slice(10, 60);
  const newest = await get('limit=50');
  assert.deepEqual(newest.items.map((i) => i.played_at), [...win].reverse().map((e) => e.item.played_at));
  assert.equal(newest.next, null);
  const first = await get(`after=${win[4].ms}&limit=20`);
  assert.deepEqual(first.items.map((i) => i.played_at), win.slice(5, 25).reverse().map((e) => e.item.played_at));
  assert.equal(first.cursors?.after, String(win[24].ms));
  assert.ok(first.next?.includes(`after=${win[24].ms}`));
  const older = await get(`before=${win[5].ms}&limit=3`);
  assert.deepEqual(older.items.map((i) => i.played_at), win.slice(2, 5).reverse().map((e) => e.item.played_at));
  const empty = await get(`after=${win[49].ms}&limit=50`);
  assert.deepEqual([empty.items.length, empty.cursors, empty.next], [0, null, null]);
  const bad = await fetch(`${fake.apiBaseUrl}/me/player/recently-played?limit=51`, { headers: bearer });
  assert.equal(bad.status, 400);
  assert.ok(fake.specErrors.every((e) => OLD_ALBUM.test(e)), fake.specErrors.find((e) => !OLD_ALBUM.test(e)));
  assert.ok(fake.specErrors.length > 0, 'the fake validated the 2017 items it served');
});
