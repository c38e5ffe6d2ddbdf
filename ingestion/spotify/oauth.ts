// Authorization Code with PKCE against the Spotify accounts service: the authorize URL, the code
// exchange and the refresh. The client secret is sent (HTTP Basic) when configured; without it the
// app is a public PKCE client. We refresh ourselves because the SDK's own refresh fails for apps that
// use a client secret.
import { createHash, randomBytes } from 'node:crypto';
import type { Config } from '../../lib/config.ts';
import { ConfigError } from '../../lib/errors.ts';
import { SpotifyAuthError, reloginHint } from './errors.ts';
import { createResilientFetch, type FetchLike, type HttpStats, type RetryPolicy } from '../../lib/http.ts';
import type { StoredToken } from './tokens.ts';

export const DEFAULT_SCOPES = ['user-read-recently-played'];

export interface Pkce {
  verifier: string;
  challenge: string;
}

export function createPkce(): Pkce {
  const verifier = randomBytes(64).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export function randomState(): string {
  return randomBytes(24).toString('base64url');
}

export function accountsUrl(config: Config, path: string): string {
  return `${config.spotify.accountsBaseUrl.replace(/\/+$/, '')}${path}`;
}

export function requireClientId(config: Config): string {
  const id = config.spotify.clientId;
  if (!id) throw new ConfigError('SPOTIFY_CLIENT_ID: not set; create a Spotify app and set it (see ingestion/spotify/README.md)');
  return id;
}

export function authorizeUrl(config: Config, p: { redirectUri: string; state: string; challenge: string; scopes: string[] }): string {
  const q = new URLSearchParams({
    client_id: requireClientId(config),
    response_type: 'code',
    redirect_uri: p.redirectUri,
    state: p.state,
    code_challenge_method: 'S256',
    code_challenge: p.challenge,
    scope: p.scopes.join(' '),
  });
  return `${accountsUrl(config, '/authorize')}?${q.toString()}`;
}

interface TokenResponse {
  access_token?: string;
  refresh_token?: string;
  token_type?: string;
  scope?: string;
  expires_in?: number;
  /** OAuth answers a string ("invalid_grant"); a server fault may answer the Web API's {status, message}. */
  error?: unknown;
  error_description?: unknown;
}

/** The error a token response names, as text (never "[object Object]"); '' when it names none. */
export function tokenErrorText(body: TokenResponse): string {
  const e = body.error as { message?: unknown; status?: unknown } | string | undefined | null;
  const text = typeof e === 'string' ? e : e && typeof e === 'object' ? (typeof e.message === 'string' ? e.message : JSON.stringify(e)) : '';
  const description = typeof body.error_description === 'string' ? body.error_description : '';
  return description && text ? `${text}: ${description}` : text || description;
}

export interface TokenRequestOptions {
  stats?: HttpStats;
  policy?: Partial<RetryPolicy>;
  fetchImpl?: FetchLike;
}

async function postToken(config: Config, form: Record<string, string>, opts: TokenRequestOptions): Promise<{ status: number; body: TokenResponse }> {
  const headers: Record<string, string> = { 'Content-Type': 'application/x-www-form-urlencoded' };
  const clientId = requireClientId(config);
  if (config.spotify.clientSecret) {
    headers.Authorization = `Basic ${Buffer.from(`${clientId}:${config.spotify.clientSecret}`).toString('base64')}`;
  }
  const http = createResilientFetch({ service: 'Spotify', stats: opts.stats, policy: opts.policy, fetchImpl: opts.fetchImpl });
  const res = await http(accountsUrl(config, '/api/token'), { method: 'POST', headers, body: new URLSearchParams({ client_id: clientId, ...form }).toString() });
  const text = await res.text();
  let body: TokenResponse = {};
  try {
    body = text ? (JSON.parse(text) as TokenResponse) : {};
  } catch {
    body = { error: 'unreadable token response' };
  }
  return { status: res.status, body };
}

function toStored(body: TokenResponse, previous?: StoredToken, now = Date.now()): StoredToken {
  return {
    access_token: body.access_token!,
    // Spotify may or may not rotate the refresh token; keep the old one when none is returned.
    refresh_token: body.refresh_token ?? previous?.refresh_token ?? '',
    token_type: body.token_type ?? 'Bearer',
    scope: body.scope ?? previous?.scope ?? '',
    expires_at: now + (body.expires_in ?? 3600) * 1000,
    obtained_at: previous?.obtained_at ?? new Date(now).toISOString(),
    refreshed_at: previous ? new Date(now).toISOString() : undefined,
  };
}

export async function exchangeCode(config: Config, p: { code: string; redirectUri: string; verifier: string }, opts: TokenRequestOptions = {}): Promise<StoredToken> {
  const { status, body } = await postToken(config, { grant_type: 'authorization_code', code: p.code, redirect_uri: p.redirectUri, code_verifier: p.verifier }, opts);
  if (status !== 200 || !body.access_token || !body.refresh_token) {
    throw new SpotifyAuthError(`Spotify login: the code exchange failed (HTTP ${status}${tokenErrorText(body) ? `, ${tokenErrorText(body)}` : ''})`);
  }
  return toStored(body);
}

export async function refreshToken(config: Config, listener: string, previous: StoredToken, opts: TokenRequestOptions = {}): Promise<StoredToken> {
  if (!previous.refresh_token) throw new SpotifyAuthError(`listener ${listener}: no refresh token stored; ${reloginHint(listener)}`);
  const { status, body } = await postToken(config, { grant_type: 'refresh_token', refresh_token: previous.refresh_token }, opts);
  const said = tokenErrorText(body);
  if (status === 400 || status === 401) {
    throw new SpotifyAuthError(`listener ${listener}: Spotify refused the refresh token (${said || `HTTP ${status}`}: revoked or expired); ${reloginHint(listener)}`);
  }
  if (status !== 200 || !body.access_token) {
    throw new SpotifyAuthError(`listener ${listener}: token refresh failed (HTTP ${status}${said ? `, ${said}` : ''})`);
  }
  return toStored(body, previous);
}
