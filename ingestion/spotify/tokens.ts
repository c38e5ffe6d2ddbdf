// Per-listener OAuth tokens on disk: one JSON file per listener, mode 0600, in a folder of mode 0700
// (<dataDir>/secrets/spotify unless SPOTIFY_TOKEN_DIR says otherwise). Tokens are never logged or
// printed; status() reports only whether a listener is connected, its scopes and expiry.
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Config } from '../../lib/config.ts';
import { checkErasableListenerId, checkListenerId, isListenerId } from '../../lib/listener-id.ts';
import { SpotifyAuthError, reloginHint } from './errors.ts';

export interface StoredToken {
  access_token: string;
  refresh_token: string;
  token_type: string;
  scope: string;
  /** Epoch milliseconds when the access token expires. */
  expires_at: number;
  obtained_at: string;
  refreshed_at?: string;
}

export interface TokenStatus {
  listener_id: string;
  connected: boolean;
  scopes: string[];
  expires_at: string | null;
  expired: boolean;
}


export function tokenDir(config: Config): string {
  return config.spotify.tokenDir ?? join(config.dataDir, 'secrets', 'spotify');
}

export class TokenStore {
  constructor(readonly dir: string) {}

  static fromConfig(config: Config): TokenStore {
    return new TokenStore(tokenDir(config));
  }

  /** `erasable` also takes an id registered before the id rule (lib/listener-id.ts), to remove its file. */
  fileFor(listener: string, opts: { erasable?: boolean } = {}): string {
    return join(this.dir, `${opts.erasable ? checkErasableListenerId(listener) : checkListenerId(listener)}.json`);
  }

  has(listener: string): boolean {
    return existsSync(this.fileFor(listener));
  }

  read(listener: string): StoredToken {
    const file = this.fileFor(listener);
    if (!existsSync(file)) throw new SpotifyAuthError(`listener ${listener}: not connected to Spotify; ${reloginHint(listener)}`);
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as StoredToken;
    } catch {
      throw new SpotifyAuthError(`listener ${listener}: token file ${file} is unreadable; ${reloginHint(listener)}`);
    }
  }

  /** Writes atomically; the file is created with mode 0600 before any token byte is written. */
  write(listener: string, token: StoredToken): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    chmodSync(this.dir, 0o700);
    const file = this.fileFor(listener);
    const tmp = `${file}.tmp-${randomBytes(4).toString('hex')}`;
    writeFileSync(tmp, JSON.stringify(token, null, 2), { mode: 0o600, flag: 'wx' });
    chmodSync(tmp, 0o600);
    renameSync(tmp, file);
  }

  remove(listener: string): boolean {
    const file = this.fileFor(listener);
    if (!existsSync(file)) return false;
    rmSync(file);
    return true;
  }

  listeners(): string[] {
    if (!existsSync(this.dir)) return [];
    return readdirSync(this.dir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => f.slice(0, -'.json'.length))
      .filter((id) => isListenerId(id))
      .sort();
  }

  status(listener: string, now = Date.now()): TokenStatus {
    if (!this.has(listener)) return { listener_id: listener, connected: false, scopes: [], expires_at: null, expired: false };
    const t = this.read(listener);
    return {
      listener_id: listener,
      connected: Boolean(t.refresh_token),
      scopes: (t.scope ?? '').split(/\s+/).filter(Boolean).sort(),
      expires_at: new Date(t.expires_at).toISOString(),
      expired: t.expires_at <= now,
    };
  }
}
