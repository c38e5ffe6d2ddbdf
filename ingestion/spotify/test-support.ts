// Shared by the Spotify tests: a fake server, a config pointing at it, a login driven through the
// fake's authorize redirect, and a logger whose every line is kept for leak checks.
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import type { Config } from '../../lib/config.ts';
import { login } from './login.ts';
import { sharedData, testConfig } from '../../test/helpers.ts';
import { startFakeSpotify, type FakeSpotify, type FakeSpotifyOptions } from './fake-server.ts';

export async function fakeSpotify(opts: Partial<FakeSpotifyOptions> = {}): Promise<FakeSpotify> {
  return startFakeSpotify({ sharedDataDir: sharedData, ...opts });
}

export function fakeConfig(dataDir: string, fake: FakeSpotify, env: Record<string, string> = {}): Config {
  return testConfig(dataDir, {}, { ...fake.env(), ...env });
}

/** Follows the fake's /authorize redirect to our callback server, optionally tampering with it. */
export function driveAuthorize(tamper?: (callback: URL) => void): (url: string) => Promise<void> {
  return async (url) => {
    const res = await fetch(url, { redirect: 'manual' });
    const callback = new URL(res.headers.get('location') ?? '');
    tamper?.(callback);
    await (await fetch(callback)).text();
  };
}

export async function connect(config: Config, listener: string, scopes?: string[]): Promise<void> {
  await login(config, { listener, scopes, onUrl: driveAuthorize(), timeoutMs: 10_000 });
}

export function capturingLogger(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({ write(chunk, _enc, cb) { lines.push(String(chunk)); cb(); } });
  return { log: pino({ level: 'trace' }, stream), lines };
}

export function leakedTokens(fake: FakeSpotify, text: string): string[] {
  return fake.accounts.issued.filter((t) => text.includes(t));
}
