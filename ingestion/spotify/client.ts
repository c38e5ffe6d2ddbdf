// A Spotify Web API client for one listener: the official SDK with our auth strategy and our fetch
// (retries, timeouts, configured base URL, one token refresh on a 401). Each call also returns the
// raw body exactly as received, for landing.
import { SpotifyApi, type AudioFeatures, type IValidateResponses, type RecentlyPlayedTracksPage } from '@spotify/web-api-ts-sdk';
import type { Config } from '../../lib/config.ts';
import type { Logger } from '../../lib/logger.ts';
import { ListenerAuthStrategy } from './auth-strategy.ts';
import { SpotifyHttpError, reloginHint } from './errors.ts';
import { createResilientFetch, emptyStats, type FetchLike, type HttpStats, type RetryPolicy } from '../../lib/http.ts';
import type { TokenStore } from './tokens.ts';

export interface ClientOptions {
  log?: Logger;
  policy?: Partial<RetryPolicy>;
  stats?: HttpStats;
  store?: TokenStore;
}

export interface RawCall<T> {
  data: T;
  /** The response body exactly as received. */
  raw: string;
  url: string;
}

export interface SpotifyClient {
  readonly listener: string;
  readonly stats: HttpStats;
  readonly sdk: SpotifyApi;
  recentlyPlayed(q: { limit: number; after?: number; before?: number }): Promise<RawCall<RecentlyPlayedTracksPage>>;
  audioFeatures(ids: string[]): Promise<RawCall<(AudioFeatures | null)[]>>;
}

/** The root the SDK prefixes to every path (a private static of SpotifyApi in 1.2.0). */
export const SDK_ROOT_URL = 'https://api.spotify.com/v1/';

/** Maps the SDK's fixed root onto the configured API base (SPOTIFY_API_BASE_URL). */
export function baseRewriter(apiBaseUrl: string): (url: string) => string {
  const base = `${apiBaseUrl.replace(/\/+$/, '')}/`;
  return (url) => (url.startsWith(SDK_ROOT_URL) ? base + url.slice(SDK_ROOT_URL.length) : url);
}

/** On a 401, refreshes the token once and repeats the request with the new bearer. */
function withTokenRefresh(inner: FetchLike, strategy: ListenerAuthStrategy): FetchLike {
  return async (url, init = {}) => {
    const res = await inner(url, init);
    if (res.status !== 401) return res;
    const token = await strategy.forceRefresh();
    const headers = new Headers(init.headers);
    headers.set('Authorization', `Bearer ${token}`);
    return inner(url, { ...init, headers });
  };
}

class StatusValidator implements IValidateResponses {
  constructor(private readonly listener: string, private readonly lastUrl: () => string) {}
  async validateResponse(res: Response): Promise<void> {
    if (res.status >= 200 && res.status < 300) return;
    const body = await res.text().catch(() => '');
    let detail = '';
    try {
      const e = (JSON.parse(body) as { error?: { message?: string; reason?: string } }).error;
      detail = [e?.message, e?.reason].filter(Boolean).join(', ');
    } catch { /* not JSON: keep the status only */ }
    if (res.status === 401) detail = `token rejected even after a refresh; ${reloginHint(this.listener)}`;
    throw new SpotifyHttpError(res.status, this.lastUrl(), detail);
  }
}

export function createSpotifyClient(config: Config, listener: string, opts: ClientOptions = {}): SpotifyClient {
  const stats = opts.stats ?? emptyStats();
  const rewrite = baseRewriter(config.spotify.apiBaseUrl);
  let last = { url: '', body: '' };
  const strategy = new ListenerAuthStrategy(config, listener, { store: opts.store, stats, policy: opts.policy, log: opts.log });
  const http = createResilientFetch({
    service: 'Spotify', stats, policy: opts.policy, log: opts.log,
    rewrite,
    onBody: (url, _status, body) => void (last = { url, body }),
  });
  const fetchWithAuth = withTokenRefresh(http, strategy);
  const sdk = new SpotifyApi(strategy, {
    fetch: (req, init) => {
      last = { url: rewrite(String(req)), body: '' };
      return fetchWithAuth(String(req), init);
    },
    responseValidator: new StatusValidator(listener, () => last.url),
  });
  const call = async <T>(fn: () => Promise<T>): Promise<RawCall<T>> => {
    last = { url: '', body: '' };
    const data = await fn();
    return { data, raw: last.body, url: last.url };
  };
  return {
    listener, stats, sdk,
    recentlyPlayed: (q) => call(() => sdk.player.getRecentlyPlayedTracks(
      q.limit as 50,
      q.after !== undefined ? { type: 'after', timestamp: q.after } : q.before !== undefined ? { type: 'before', timestamp: q.before } : undefined,
    )),
    audioFeatures: (ids) => call(async () => (await sdk.tracks.audioFeatures(ids)) as (AudioFeatures | null)[]),
  };
}
