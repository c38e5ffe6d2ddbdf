import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../test/helpers.ts';
import { silentLogger } from '../../lib/logger.ts';
import { withReader } from '../../lib/session.ts';
import { queryRows } from '../../lib/duckdb.ts';
import { relationExists } from '../../lib/lake.ts';
import type { Config } from '../../lib/config.ts';
import { ingestSpotify, ingestSpotifyInSession, stageAll } from './ingest.ts';
import { silverStage } from '../../pipeline/stages.ts';
import { withWriter } from '../../lib/session.ts';
import { rebuildSpotifyFromRaw } from './rebuild.ts';
import { forgetSpotifyListener } from './erase.ts';
import { readState } from './state.ts';
import { AUDIO_FEATURES_FILES, loadTimeline } from './fake-recordings.ts';
import { connect, fakeConfig, fakeSpotify } from './test-support.ts';
import { sharedData, testConfig } from '../../test/helpers.ts';

const timeline = loadTimeline(sharedData);
const fast = { policy: { baseDelayMs: 2 } };

async function apiPlays(config: Config, listener: string): Promise<string[]> {
  return withReader(config, silentLogger, async (s) => {
    if (!(await relationExists(s.conn, 'bronze', 'listening_history'))) return [];
    const rows = await queryRows<{ at: string }>(s.conn, `select strftime(played_at, '%Y-%m-%dT%H:%M:%S.%gZ') as at from bronze.listening_history
      where listener_id = $l and source = 'spotify_api' order by played_at`, { l: listener });
    return rows.map((r) => r.at);
  });
}

const expected = (from: number, to: number) => timeline.slice(from, to).map((e) => e.item.played_at);

test('paging forward across pages and runs: no duplicate, no gap, gaps beyond the 50-play window reported', async (t) => {
  const fake = await fakeSpotify({ visible: 10 });
  const { dir, cleanup } = tempDir();
  t.after(async () => { await fake.stop(); cleanup(); });
  const config = fakeConfig(dir, fake);
  await connect(config, 'p01');

  const r1 = await ingestSpotify(config, silentLogger, { listener: 'p01', pageLimit: 4, ...fast });
  const l1 = r1.listeners[0];
  assert.deepEqual([l1.status, l1.pages, l1.plays_fetched, l1.plays_added, l1.probable_gap], ['ok', 3, 10, 10, null]);
  assert.deepEqual(await apiPlays(config, 'p01'), expected(0, 10));
  assert.equal(readState(dir, 'p01').after, timeline[9].item.played_at);

  fake.advance(5);
  const r2 = await ingestSpotify(config, silentLogger, { listener: 'p01', pageLimit: 4, ...fast });
  assert.deepEqual([r2.listeners[0].plays_added, r2.listeners[0].duplicates_skipped, r2.listeners[0].probable_gap], [5, 0, null]);
  const r3 = await ingestSpotify(config, silentLogger, { listener: 'p01', pageLimit: 4, ...fast });
  assert.deepEqual([r3.listeners[0].plays_fetched, r3.listeners[0].plays_added, r3.listeners[0].pages], [0, 0, 1]);
  assert.deepEqual(await apiPlays(config, 'p01'), expected(0, 15));

  fake.advance(57); // 57 new plays, but the API only keeps the last 50: 7 are gone
  const r4 = await ingestSpotify(config, silentLogger, { listener: 'p01', ...fast });
  const l4 = r4.listeners[0];
  assert.equal(l4.plays_added, 50);
  assert.deepEqual(l4.probable_gap && [l4.probable_gap.after, l4.probable_gap.before], [timeline[14].item.played_at, timeline[22].item.played_at]);
  assert.match(l4.probable_gap!.backfill, /lakehouse ingest export .* --listener p01/);
  assert.equal(r4.probable_gaps, 1);
  assert.deepEqual(await apiPlays(config, 'p01'), [...expected(0, 15), ...expected(22, 72)]);
  const afterQueries = fake.requests.filter((r) => r.route === 'recently-played' && r.query.after !== undefined).map((r) => Number(r.query.after));
  assert.ok(afterQueries.every((a, i) => i === 0 || a >= afterQueries[i - 1]), 'the after cursor never moves back');
});

test('a failure after landing but before commit loses nothing and moves no cursor; the next run resumes', async (t) => {
  const fake = await fakeSpotify({ visible: 20 });
  const { dir, cleanup } = tempDir();
  t.after(async () => { await fake.stop(); cleanup(); });
  const config = fakeConfig(dir, fake);
  await connect(config, 'p02');
  const failed = await ingestSpotify(config, silentLogger, { listener: 'p02', ...fast, beforeCommit: () => { throw new Error('injected crash'); } });
  assert.deepEqual([failed.failed, failed.listeners[0].status, failed.listeners[0].error], [1, 'failed', 'injected crash']);
  assert.deepEqual(await apiPlays(config, 'p02'), []);
  assert.equal(readState(dir, 'p02').after_ms, null);
  const landed = readdirSync(failed.listeners[0].raw_dir!);
  assert.ok(landed.includes('recently-played-0001.json'), 'the raw response was landed before the failure');
  const body = readFileSync(join(failed.listeners[0].raw_dir!, 'recently-played-0001.json'), 'utf8');
  assert.equal(JSON.parse(body).items.length, 20);

  fake.advance(3);
  const ok = await ingestSpotify(config, silentLogger, { listener: 'p02', ...fast });
  assert.deepEqual([ok.failed, ok.listeners[0].plays_added], [0, 23]);
  assert.deepEqual(await apiPlays(config, 'p02'), expected(0, 23));
});

test('a 403 on audio features is recorded once per run and the run goes on; retries are counted', async (t) => {
  const fake = await fakeSpotify({ visible: 30 });
  const { dir, cleanup } = tempDir();
  t.after(async () => { await fake.stop(); cleanup(); });
  const config = fakeConfig(dir, fake);
  await connect(config, 'p03');
  await connect(config, 'p04');
  fake.inject({ route: 'audio-features', kind: '403', times: Infinity });
  fake.inject({ route: 'recently-played', kind: '429', retryAfterSec: 0 });
  fake.inject({ route: 'recently-played', kind: '500' });
  const r = await ingestSpotify(config, silentLogger, { all: true, ...fast });
  assert.deepEqual(r.listeners.map((l) => [l.listener_id, l.status, l.plays_added, l.audio_features]), [['p03', 'ok', 30, 'unavailable'], ['p04', 'ok', 30, 'unavailable']]);
  assert.equal(r.audio_features, 'unavailable');
  assert.equal(fake.requests.filter((q) => q.route === 'audio-features').length, 1, 'asked once per run');
  assert.deepEqual([r.http.rate_limited, r.http.server_errors, r.http.retries, r.http.failures], [1, 1, 2, 0]);
});

test('audio features are requested in batches for tracks without features; track metadata tolerates missing fields', async (t) => {
  const fake = await fakeSpotify();
  const { dir, cleanup } = tempDir();
  t.after(async () => { await fake.stop(); cleanup(); });
  const config = fakeConfig(dir, fake);
  await connect(config, 'p05');
  const r = await ingestSpotify(config, silentLogger, { listener: 'p05', featureBatchSize: 20, ...fast });
  const distinct = new Set(timeline.slice(-50).map((e) => e.item.track.id)).size;
  const batches = fake.requests.filter((q) => q.route === 'audio-features');
  assert.equal(batches.length, Math.ceil(distinct / 20));
  assert.equal(batches.reduce((n, b) => n + b.query.ids.split(',').length, 0), distinct);
  assert.equal(r.listeners[0].audio_features, 'ok');
  await withReader(config, silentLogger, async (s) => {
    const [m] = await queryRows<{ n: number; pop: number; albums: number }>(s.conn,
      'select count(*)::integer as n, count(popularity)::integer as pop, count(album_name)::integer as albums from bronze.track_metadata_api');
    assert.equal(m.n, distinct);
    assert.ok(m.pop > 0 && m.pop <= m.n);
  });
  assert.ok(existsSync(join(dir, 'raw', 'spotify', 'p05')));
});

test('recorded audio features land in bronze.track_features_api once (first answer kept)', async (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const config = testConfig(dir);
  const body = readFileSync(join(sharedData, AUDIO_FEATURES_FILES[0]), 'utf8');
  const landed = { kind: 'audio-features' as const, body, listenerId: 'p01', sourceFile: 'p01/run-a/audio-features-0001.json', sha256: 'abc' };
  for (const expectedAdded of [1, 0]) {
    await withWriter(config, silentLogger, 'test', async (s) => {
      const tx = s.begin();
      const sum = { plays_added: 0, duplicates_skipped: 0, features_added: 0 };
      await stageAll(s.context(tx), 'p01', [landed], sum);
      assert.equal(sum.features_added, expectedAdded);
      await tx.commit();
    });
  }
  await withReader(config, silentLogger, async (s) => {
    const rows = await queryRows<Record<string, unknown>>(s.conn, 'select track_id, danceability, key, tempo, time_signature, duration_ms::double as duration_ms from bronze.track_features_api');
    const f = JSON.parse(body).audio_features[0];
    assert.deepEqual(rows, [{ track_id: f.id, danceability: f.danceability, key: f.key, tempo: f.tempo, time_signature: f.time_signature, duration_ms: f.duration_ms }]);
  });
});

test('bronze is rebuilt from the landed raw responses without the API; erasure removes raw, cursor and tokens', async (t) => {
  const fake = await fakeSpotify({ visible: 12 });
  const a = tempDir();
  const b = tempDir();
  t.after(async () => { await fake.stop(); a.cleanup(); b.cleanup(); });
  const config = fakeConfig(a.dir, fake);
  await connect(config, 'p01');
  await ingestSpotify(config, silentLogger, { listener: 'p01', ...fast });
  await fake.stop();
  cpSync(join(a.dir, 'raw'), join(b.dir, 'raw'), { recursive: true });
  const configB = testConfig(b.dir);
  for (const added of [12, 0]) {
    const [r] = await withWriter(configB, silentLogger, 'test', (s) => rebuildSpotifyFromRaw(s));
    assert.deepEqual([r.listener_id, r.plays_added], ['p01', added]);
  }
  assert.deepEqual(await apiPlays(configB, 'p01'), await apiPlays(config, 'p01'));
  assert.equal(readState(b.dir, 'p01').after, timeline[11].item.played_at);
  const removed = forgetSpotifyListener(config, 'p01');
  assert.equal(removed.length, 3);
  assert.ok(removed.every((p) => !existsSync(p)));
});

test('API plays flow into silver as spotify_api plays of their listener', async (t) => {
  const fake = await fakeSpotify({ visible: 25 });
  const { dir, cleanup } = tempDir();
  t.after(async () => { await fake.stop(); cleanup(); });
  const config = fakeConfig(dir, fake);
  await connect(config, 'p06');
  await withWriter(config, silentLogger, 'test', async (s) => {
    const r = await ingestSpotifyInSession(s, { listener: 'p06', ...fast });
    assert.equal(r.plays_added, 25);
    await silverStage(s);
    const rows = await queryRows<{ n: number; api: number; tz: string }>(s.conn, `select count(*)::integer as n, count(*) filter (where history_source = 'spotify_api')::integer as api,
      any_value(l.timezone) as tz from silver.listening_with_features join bronze.listeners l using (listener_id) where listener_id = 'p06'`);
    assert.deepEqual(rows, [{ n: 25, api: 25, tz: 'UTC' }]);
  });
});
