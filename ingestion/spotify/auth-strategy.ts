// Our IAuthStrategy for the SDK: reads the listener's stored token, refreshes it shortly before it
// expires (and on demand after a 401), and writes the refreshed token back (mode 0600).
import type { AccessToken, IAuthStrategy, SdkConfiguration } from '@spotify/web-api-ts-sdk';
import type { Config } from '../../lib/config.ts';
import type { Logger } from '../../lib/logger.ts';
import type { HttpStats, RetryPolicy } from '../../lib/http.ts';
import { refreshToken } from './oauth.ts';
import { TokenStore, type StoredToken } from './tokens.ts';

export interface StrategyOptions {
  store?: TokenStore;
  stats?: HttpStats;
  policy?: Partial<RetryPolicy>;
  log?: Logger;
  /** Refresh when the token expires within this many ms. */
  refreshMarginMs?: number;
  now?: () => number;
}

export class ListenerAuthStrategy implements IAuthStrategy {
  private readonly store: TokenStore;
  private current: StoredToken | null = null;
  private refreshing: Promise<StoredToken> | null = null;

  constructor(private readonly config: Config, readonly listener: string, private readonly opts: StrategyOptions = {}) {
    this.store = opts.store ?? TokenStore.fromConfig(config);
  }

  setConfiguration(_configuration: SdkConfiguration): void {}

  async getOrCreateAccessToken(): Promise<AccessToken> {
    const token = this.current ?? this.store.read(this.listener);
    this.current = token;
    const now = this.opts.now?.() ?? Date.now();
    if (token.expires_at - (this.opts.refreshMarginMs ?? 60_000) <= now) return toAccessToken(await this.refresh());
    return toAccessToken(token);
  }

  async getAccessToken(): Promise<AccessToken | null> {
    return this.current ? toAccessToken(this.current) : null;
  }

  removeAccessToken(): void {
    this.current = null;
  }

  /** Refreshes now (after a 401); concurrent callers share one refresh. */
  async forceRefresh(): Promise<string> {
    return (await this.refresh()).access_token;
  }

  private refresh(): Promise<StoredToken> {
    this.refreshing ??= (async () => {
      try {
        const previous = this.current ?? this.store.read(this.listener);
        const next = await refreshToken(this.config, this.listener, previous, { stats: this.opts.stats, policy: this.opts.policy });
        this.store.write(this.listener, next);
        this.current = next;
        if (this.opts.stats) this.opts.stats.token_refreshes++;
        this.opts.log?.info({ listener: this.listener }, 'Spotify access token refreshed');
        return next;
      } finally {
        this.refreshing = null;
      }
    })();
    return this.refreshing;
  }
}

function toAccessToken(t: StoredToken): AccessToken {
  return { access_token: t.access_token, refresh_token: t.refresh_token, token_type: t.token_type, expires_in: Math.max(0, Math.round((t.expires_at - Date.now()) / 1000)), expires: t.expires_at };
}
