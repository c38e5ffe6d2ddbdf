import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../test/helpers.ts';
import { login } from './login.ts';
import { TokenStore } from './tokens.ts';
import { createSpotifyClient } from './client.ts';
import { SpotifyAuthError } from './errors.ts';
import { ConfigError } from '../../lib/errors.ts';
import { capturingLogger, connect, driveAuthorize, fakeConfig, fakeSpotify, leakedTokens } from './test-support.ts';

test('login stores the tokens in a 0600 file under a 0700 folder and status shows no token', async (t) => {
  const fake = await fakeSpotify({ clientSecret: 'fake-secret' });
  const { dir, cleanup } = tempDir();
  t.after(async () => { await fake.stop(); cleanup(); });
  const config = fakeConfig(dir, fake);
  const { log, lines } = capturingLogger();
  const status = await login(config, { listener: 'p01', onUrl: driveAuthorize(), log });
  assert.equal(status.connected, true);
  assert.deepEqual(status.scopes, ['user-read-recently-played']);
  const store = TokenStore.fromConfig(config);
  assert.equal(store.dir, join(dir, 'secrets', 'spotify'));
  assert.equal(statSync(store.fileFor('p01')).mode & 0o777, 0o600);
  assert.equal(statSync(store.dir).mode & 0o777, 0o700);
  const stored = JSON.parse(readFileSync(store.fileFor('p01'), 'utf8'));
  assert.ok(fake.accounts.issued.includes(stored.access_token));
  assert.deepEqual(leakedTokens(fake, lines.join('') + JSON.stringify(status)), []);
  assert.deepEqual(store.listeners(), ['p01']);
});

test('login refuses a callback whose state does not match', async (t) => {
  const fake = await fakeSpotify();
  const { dir, cleanup } = tempDir();
  t.after(async () => { await fake.stop(); cleanup(); });
  const config = fakeConfig(dir, fake);
  const tamper = driveAuthorize((cb) => cb.searchParams.set('state', 'forged-state'));
  await assert.rejects(login(config, { listener: 'p01', onUrl: tamper }), (err: Error) => err instanceof SpotifyAuthError && /state does not match/.test(err.message));
  assert.equal(TokenStore.fromConfig(config).has('p01'), false);
});

test('login gives up with a clear error when no callback arrives', async (t) => {
  const fake = await fakeSpotify();
  const { dir, cleanup } = tempDir();
  t.after(async () => { await fake.stop(); cleanup(); });
  await assert.rejects(login(fakeConfig(dir, fake), { listener: 'p01', onUrl: () => {}, timeoutMs: 200 }), /no callback within/);
});

test('an expiring token is refreshed before use, a 401 triggers one refresh, rotated tokens are stored', async (t) => {
  const fake = await fakeSpotify({ tokenTtlSec: 30 });
  const { dir, cleanup } = tempDir();
  t.after(async () => { await fake.stop(); cleanup(); });
  const config = fakeConfig(dir, fake);
  await connect(config, 'p01');
  const store = TokenStore.fromConfig(config);
  const first = store.read('p01');
  const client = createSpotifyClient(config, 'p01', { policy: { baseDelayMs: 1 } });
  await client.recentlyPlayed({ limit: 5 });
  assert.equal(client.stats.token_refreshes, 1, 'a token expiring within the margin is refreshed before the call');
  const second = store.read('p01');
  assert.notEqual(second.refresh_token, first.refresh_token, 'the rotated refresh token was persisted');
  assert.equal(statSync(store.fileFor('p01')).mode & 0o777, 0o600);

  const fresh = await fakeSpotify({ tokenTtlSec: 3600 });
  t.after(() => fresh.stop());
  const config2 = fakeConfig(dir, fresh, { SPOTIFY_TOKEN_DIR: join(dir, 'tokens2') });
  await connect(config2, 'p02');
  const client2 = createSpotifyClient(config2, 'p02', { policy: { baseDelayMs: 1 } });
  fresh.accounts.expireAccessTokens();
  const page = await client2.recentlyPlayed({ limit: 5 });
  assert.equal(page.data.items.length, 5);
  assert.equal(client2.stats.token_refreshes, 1);
  assert.equal(fresh.requests.filter((r) => r.route === 'recently-played' && r.status === 401).length, 1);
});

test('a revoked refresh token gives the "log in again" error', async (t) => {
  const fake = await fakeSpotify();
  const { dir, cleanup } = tempDir();
  t.after(async () => { await fake.stop(); cleanup(); });
  const config = fakeConfig(dir, fake);
  await connect(config, 'p07');
  fake.accounts.expireAccessTokens();
  fake.accounts.revokeRefreshTokens();
  const client = createSpotifyClient(config, 'p07', { policy: { baseDelayMs: 1 } });
  await assert.rejects(client.recentlyPlayed({ limit: 5 }), (err: Error) =>
    err instanceof SpotifyAuthError && err.message.includes('run `lakehouse auth login --listener p07` again') && leakedTokens(fake, err.message).length === 0);
});

test('login refuses a localhost redirect URI and a missing client id before listening', async (t) => {
  const fake = await fakeSpotify();
  const { dir, cleanup } = tempDir();
  t.after(async () => { await fake.stop(); cleanup(); });
  const onUrl = () => assert.fail('no URL may be printed');
  await assert.rejects(login(fakeConfig(dir, fake, { SPOTIFY_REDIRECT_URI: 'http://localhost:8888/callback' }), { listener: 'p01', onUrl }), (err: Error) => err instanceof ConfigError && /refuses localhost/.test(err.message));
  await assert.rejects(login(fakeConfig(dir, fake, { SPOTIFY_CLIENT_ID: '' }), { listener: 'p01', onUrl }), (err: Error) => err instanceof ConfigError && /SPOTIFY_CLIENT_ID/.test(err.message));
  await assert.rejects(login(fakeConfig(dir, fake), { listener: '../evil', onUrl }), /listener id/);
});

test('a failed token refresh names Spotify\'s error message, never "[object Object]"', async (t) => {
  const fake = await fakeSpotify();
  const { dir, cleanup } = tempDir();
  t.after(async () => { await fake.stop(); cleanup(); });
  const config = fakeConfig(dir, fake);
  await connect(config, 'p08');
  fake.accounts.expireAccessTokens();
  // The token endpoint answers like the Web API does on a server fault: {"error": {"status", "message"}}.
  fake.inject({ route: 'token', kind: '500', times: Infinity });
  const failing = createSpotifyClient(config, 'p08', { policy: { baseDelayMs: 1, maxRetries: 1 } });
  await assert.rejects(failing.recentlyPlayed({ limit: 5 }), (err: Error) =>
    err instanceof SpotifyAuthError && !err.message.includes('[object Object]') && /token refresh failed \(HTTP 500, Server error\)/.test(err.message));
  fake.clearFaults();
  fake.inject({ route: 'token', kind: '401', times: 1 });
  const refused = createSpotifyClient(config, 'p08', { policy: { baseDelayMs: 1, maxRetries: 1 } });
  await assert.rejects(refused.recentlyPlayed({ limit: 5 }), (err: Error) =>
    err instanceof SpotifyAuthError && !err.message.includes('[object Object]') && /refused the refresh token \(The access token expired: revoked or expired\)/.test(err.message));
});
