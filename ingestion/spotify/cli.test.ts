// The Spotify verbs as real child processes: login through the printed URL, a SIGKILL in the middle
// of an ingest, the resume, and no token in anything the CLI prints.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, tempDir } from '../../test/helpers.ts';
import { silentLogger } from '../../lib/logger.ts';
import { withWriter } from '../../lib/session.ts';
import { writeListeners, readListeners } from '../../bronze/listener-registry.ts';
import { ingestSpotify } from './ingest.ts';
import { readState } from './state.ts';
import { driveAuthorize, fakeConfig, fakeSpotify, leakedTokens, connect } from './test-support.ts';
import type { FakeSpotify } from './fake-server.ts';

interface Run { child: ChildProcess; out: () => string; err: () => string; exit: Promise<number | null> }

function lakehouse(fake: FakeSpotify, dataDir: string, args: string[]): Run {
  const child = spawn(process.execPath, [join(repoRoot, 'bin', 'lakehouse.js'), '--data-dir', dataDir, ...args], {
    cwd: dataDir, env: { ...process.env, ...fake.env(), LOG_LEVEL: 'debug', TZ: 'UTC' }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (c) => (out += c));
  child.stderr!.on('data', (c) => (err += c));
  return { child, out: () => out, err: () => err, exit: new Promise((r) => child.on('close', (code) => r(code))) };
}

async function until(cond: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 25));
  }
}

test('auth login as a child process: URL on stderr, callback, tokens stored, nothing leaked', async (t) => {
  const fake = await fakeSpotify({ clientSecret: 'fake-secret' });
  const { dir, cleanup } = tempDir();
  t.after(async () => { await fake.stop(); cleanup(); });
  const run = lakehouse(fake, dir, ['auth', 'login', '--listener', 'p09', '--timeout', '30']);
  await until(() => /https?:\/\/\S+\/authorize\?\S+/.test(run.err()));
  await driveAuthorize()(/https?:\/\/\S+\/authorize\?\S+/.exec(run.err())![0]);
  assert.equal(await run.exit, 0, run.err());
  assert.match(run.out(), /^p09: connected \(scopes: user-read-recently-played;/);
  const status = lakehouse(fake, dir, ['auth', 'status', '--json']);
  assert.equal(await status.exit, 0);
  assert.deepEqual(JSON.parse(status.out()).map((s: { listener_id: string; connected: boolean }) => [s.listener_id, s.connected]), [['p09', true]]);
  assert.deepEqual(leakedTokens(fake, run.out() + run.err() + status.out() + status.err()), []);
  assert.ok(fake.accounts.issued.length >= 2);
});

test('SIGKILL in the middle of `ingest spotify` loses nothing; the next run resumes; paused listeners are skipped', async (t) => {
  const fake = await fakeSpotify({ visible: 30 });
  const { dir, cleanup } = tempDir();
  t.after(async () => { await fake.stop(); cleanup(); });
  const config = fakeConfig(dir, fake);
  await connect(config, 'p01');
  fake.inject({ route: 'audio-features', kind: 'hang', times: Infinity });
  const run = lakehouse(fake, dir, ['ingest', 'spotify', '--listener', 'p01']);
  await until(() => fake.requests.some((r) => r.route === 'audio-features'));
  run.child.kill('SIGKILL');
  await run.exit;
  const rawDir = join(dir, 'raw', 'spotify', 'p01');
  assert.equal(readdirSync(rawDir).length, 1, 'the killed run had landed its responses');
  assert.equal(readState(dir, 'p01').after_ms, null, 'the cursor did not move');
  assert.equal(existsSync(join(dir, 'bronze', 'listening_history')), false);

  fake.clearFaults();
  fake.advance(2);
  await connect(config, 'p02');
  await withWriter(config, silentLogger, 'test', async (s) => {
    const tx = s.begin();
    await writeListeners(s.context(tx), [{ listener_id: 'p02', display_label: null, timezone: 'UTC', created_at: '2026-01-01 00:00:00', consent_recorded_at: null, status: 'paused', timezone_source: 'given' }]);
    await tx.commit();
    assert.equal((await readListeners(s.conn)).length, 1);
  });
  const again = lakehouse(fake, dir, ['ingest', 'spotify', '--all', '--json']);
  assert.equal(await again.exit, 0, again.err());
  const summary = JSON.parse(again.out());
  assert.deepEqual(summary.listeners.map((l: { listener_id: string; status: string; plays_added: number }) => [l.listener_id, l.status, l.plays_added]), [['p02', 'skipped_paused', 0], ['p01', 'ok', 32]]);
  assert.deepEqual(leakedTokens(fake, run.err() + again.err() + again.out()), []);
  const rerun = await ingestSpotify(config, silentLogger, { listener: 'p01', policy: { baseDelayMs: 2 } });
  assert.deepEqual([rerun.listeners[0].plays_fetched, rerun.listeners[0].plays_added], [0, 0]);
});
