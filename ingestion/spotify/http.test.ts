import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { tempDir } from '../../test/helpers.ts';
import { createSpotifyClient } from './client.ts';
import { SpotifyHttpError } from './errors.ts';
import type { Config } from '../../lib/config.ts';
import { capturingLogger, connect, fakeConfig, fakeSpotify, leakedTokens } from './test-support.ts';
import type { FakeSpotify } from './fake-server.ts';

let fake: FakeSpotify;
let config: Config;
let cleanup: () => void;

before(async () => {
  fake = await fakeSpotify();
  const t = tempDir();
  cleanup = t.cleanup;
  config = fakeConfig(t.dir, fake);
  await connect(config, 'p01');
});
after(async () => { await fake.stop(); cleanup(); });

const client = (policy = {}) => {
  const { log, lines } = capturingLogger();
  return { c: createSpotifyClient(config, 'p01', { log, policy: { baseDelayMs: 5, ...policy } }), lines };
};

test('a 429 waits for Retry-After, then succeeds; the wait and the retry are counted', async () => {
  fake.inject({ route: 'recently-played', kind: '429', retryAfterSec: 1 });
  const { c, lines } = client();
  const started = Date.now();
  const page = await c.recentlyPlayed({ limit: 3 });
  assert.equal(page.data.items.length, 3);
  assert.ok(Date.now() - started >= 1000, 'waited at least the Retry-After second');
  assert.equal(c.stats.rate_limited, 1);
  assert.equal(c.stats.retries, 1);
  assert.ok(c.stats.waited_ms >= 1000);
  assert.ok(lines.some((l) => l.includes('retrying Spotify request')));
  assert.deepEqual(leakedTokens(fake, lines.join('')), []);
});

test('5xx, a dropped connection and a malformed body are retried and counted', async () => {
  fake.inject({ route: 'recently-played', kind: '500', times: 2 });
  fake.inject({ route: 'recently-played', kind: 'drop' });
  fake.inject({ route: 'recently-played', kind: 'malformed' });
  const { c } = client();
  const page = await c.recentlyPlayed({ limit: 2 });
  assert.equal(page.data.items.length, 2);
  assert.deepEqual({ server: c.stats.server_errors, net: c.stats.network_errors, bad: c.stats.malformed_bodies, retries: c.stats.retries, failures: c.stats.failures },
    { server: 2, net: 1, bad: 1, retries: 4, failures: 0 });
  assert.doesNotThrow(() => JSON.parse(page.raw), 'the raw body handed back is the good one');
});

test('a hanging request times out and is retried', async () => {
  fake.inject({ route: 'recently-played', kind: 'hang' });
  const { c } = client({ timeoutMs: 300 });
  const page = await c.recentlyPlayed({ limit: 1 });
  assert.equal(page.data.items.length, 1);
  assert.equal(c.stats.timeouts, 1);
});

test('retries stop at the limit with a failure counted and an error naming the endpoint', async () => {
  fake.inject({ route: 'recently-played', kind: '503', times: Infinity });
  const { c } = client({ maxRetries: 2 });
  try {
    await assert.rejects(c.recentlyPlayed({ limit: 1 }), (err: Error) => err instanceof SpotifyHttpError && err.status === 503 && err.message.includes('/v1/me/player/recently-played'));
    assert.equal(c.stats.requests, 3);
    assert.equal(c.stats.failures, 1);
  } finally {
    fake.clearFaults();
  }
});

test('the SDK URL is rewritten to the configured base and the bearer is checked', async () => {
  const before = fake.requests.length;
  const { c } = client();
  await c.recentlyPlayed({ limit: 1, after: 0 });
  const seen = fake.requests.slice(before);
  assert.deepEqual(seen.map((r) => [r.route, r.query.after, r.status]), [['recently-played', '0', 200]]);
  const anonymous = await fetch(`${fake.apiBaseUrl}/me/player/recently-played`);
  assert.equal(anonymous.status, 401);
});
