import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readdirSync, readFileSync } from 'node:fs';
import { runCliChild, sharedData, tempDir, testConfig } from '../../test/helpers.ts';
import { silentLogger } from '../../lib/logger.ts';
import { withWriter } from '../../lib/session.ts';
import { FakeLastfm, loadRecordedTracks } from './fake-server.ts';
import { ingestLastfm, readLastfmState } from './api.ts';
import { lakeRows } from '../exports/platform-test-support.ts';
import { lastfmStage } from '../../pipeline/lastfm-stage.ts';

const KEY = 'test-key-0123456789';
const FAST = { baseDelayMs: 5, maxDelayMs: 20 };

test('ingest lastfm pages through the real recorded replies, survives 429 and 5xx, skips now playing, resumes from the cursor', async () => {
  const fake = new FakeLastfm({ sharedDataDir: sharedData, apiKey: KEY, user: 'rec' });
  await fake.start();
  const { dir, cleanup } = tempDir();
  try {
    const config = testConfig(dir, {}, { LASTFM_API_KEY: KEY, LASTFM_API_BASE_URL: fake.url });
    fake.fault({ kind: '429', retryAfterSec: 0 });
    fake.fault({ kind: '503' });
    const first = await withWriter(config, silentLogger, 'test', (s) => ingestLastfm(s, config, { listener: 'p1', user: 'rec', limit: 20, policy: FAST }));
    assert.equal(first.pages, 3);
    assert.equal(first.rows_added, 49, 'all 49 recorded scrobbles');
    assert.equal(first.now_playing_skipped, 1);
    assert.equal(first.rows_rejected, 0);
    assert.equal(first.http.rate_limited, 1);
    assert.equal(first.http.server_errors, 1);
    // The newest recorded scrobble: "2025-01-23 22:00" UTC per SOURCES.md.
    const [{ newest, n, src }] = await lakeRows<{ newest: string; n: number; src: string }>(config,
      "select strftime(max(played_at), '%Y-%m-%d %H:%M') as newest, count(*)::integer as n, any_value(source) as src from bronze.listening_history where listener_id = 'p1'");
    assert.deepEqual({ newest, n, src }, { newest: '2025-01-23 22:00', n: 49, src: 'lastfm_api' });
    const state = readLastfmState(dir, 'p1')!;
    const recorded = loadRecordedTracks(sharedData).scrobbles.map((t) => Number(t.date!.uts));
    assert.equal(state.from_uts, Math.max(...recorded));
    // Landed pages keep no user name.
    const raw = join(dir, 'raw', 'lastfm', 'p1');
    for (const f of readdirSync(raw)) assert.ok(!readFileSync(join(raw, f), 'utf8').includes('"user":"rec"'), f);
    // Second run (the scheduler stage): from = cursor + 1, nothing new, the user remembered.
    const before = fake.requests.length;
    const again = await withWriter(config, silentLogger, 'test', (s) => lastfmStage(s, { policy: FAST }));
    assert.equal(again.detail!.rows_added, 0);
    assert.equal(again.detail!.listeners[0].status, 'ok');
    assert.equal(fake.requests[before].query.from, String(state.from_uts! + 1));
  } finally {
    cleanup();
    await fake.stop();
  }
});

test('lakehouse ingest lastfm: a missing API key is a usage error; a wrong key fails naming the API error', async () => {
  const fake = new FakeLastfm({ sharedDataDir: sharedData, apiKey: KEY, user: 'rec' });
  await fake.start();
  const { dir, cleanup } = tempDir();
  try {
    const none = await runCliChild(['ingest', 'lastfm', '--listener', 'p1', '--user', 'rec', '--data-dir', dir], { LASTFM_API_KEY: '' });
    assert.equal(none.code, 2, none.stderr);
    assert.match(none.stderr, /LASTFM_API_KEY/);
    const wrong = await runCliChild(['ingest', 'lastfm', '--listener', 'p1', '--user', 'rec', '--data-dir', dir], { LASTFM_API_KEY: 'nope', LASTFM_API_BASE_URL: fake.url });
    assert.equal(wrong.code, 1, wrong.stderr);
    assert.match(wrong.stderr, /error 10: Invalid API key/);
    const ok = await runCliChild(['ingest', 'lastfm', '--listener', 'p1', '--user', 'rec', '--data-dir', dir, '--json'], { LASTFM_API_KEY: KEY, LASTFM_API_BASE_URL: fake.url });
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(JSON.parse(ok.stdout).rows_added, 49);
  } finally {
    cleanup();
    await fake.stop();
  }
});

test('a scheduled run fetches linked listeners; a failing one is a warn-level ingest check, not a failed run', async () => {
  const { ingestChecks } = await import('../../pipeline/ingest-checks.ts');
  const fake = new FakeLastfm({ sharedDataDir: sharedData, apiKey: KEY, user: 'rec' });
  await fake.start();
  const { dir, cleanup } = tempDir();
  try {
    const config = testConfig(dir, {}, { LASTFM_API_KEY: KEY, LASTFM_API_BASE_URL: fake.url });
    await withWriter(config, silentLogger, 'test', (s) => ingestLastfm(s, config, { listener: 'p1', user: 'rec', policy: FAST }));
    // p2 is linked to a user the service does not know.
    const { writeFileSync, mkdirSync } = await import('node:fs');
    mkdirSync(join(dir, 'state', 'lastfm'), { recursive: true });
    writeFileSync(join(dir, 'state', 'lastfm', 'p2.json'), JSON.stringify({ listener_id: 'p2', user: 'nobody', from_uts: null, last_run_id: null, last_success_at: null }));
    const stage = await withWriter(config, silentLogger, 'test', (s) => lastfmStage(s, { policy: FAST }));
    assert.deepEqual(stage.detail!.listeners.map((l) => [l.listener_id, l.status]), [['p1', 'ok'], ['p2', 'failed']]);
    const [check] = ingestChecks([stage]);
    assert.equal(check.status, 'fail');
    assert.equal(check.level, 'warn');
    assert.match(check.detail, /p2 \(.*error 6: User not found/);
  } finally {
    cleanup();
    await fake.stop();
  }
});
