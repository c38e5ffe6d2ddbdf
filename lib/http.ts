// The retrying fetch the API clients (Spotify, Last.fm) go through: a timeout on every attempt (body
// included), 429 honours Retry-After, 5xx / network errors / timeouts / unreadable JSON bodies are
// retried with exponential backoff and jitter up to a limit, URLs may be rewritten to a configured
// base, and the counts end up in the run summary. Bodies are read here, so callers get a complete,
// already-checked Response. URLs in messages and logs lose their query string (keys, codes).
import type { Logger } from './logger.ts';
import { LakehouseError, errorMessage } from './errors.ts';
import { backoffDelay, sleep } from './retry.ts';

/** A request could not be completed at all (network error, timeout, unreadable body) after every retry. */
export class HttpNetworkError extends LakehouseError {
  constructor(readonly url: string, detail: string, options?: { cause?: unknown }) {
    super(`${redactUrl(url)}: ${detail}`, options);
  }
}

/** Query strings may carry API keys or codes; only the path is shown in messages and logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return '<url>';
  }
}

export interface RetryPolicy {
  maxRetries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  timeoutMs: number;
  /** A Retry-After longer than this is not waited for: the request fails instead. */
  maxRetryAfterMs: number;
}

export const DEFAULT_POLICY: RetryPolicy = { maxRetries: 5, baseDelayMs: 500, maxDelayMs: 30_000, timeoutMs: 15_000, maxRetryAfterMs: 120_000 };

export interface HttpStats {
  requests: number;
  retries: number;
  failures: number;
  rate_limited: number;
  server_errors: number;
  network_errors: number;
  timeouts: number;
  malformed_bodies: number;
  /** Counted by clients that refresh an OAuth token (Spotify); 0 for the others. */
  token_refreshes: number;
  waited_ms: number;
}

export function emptyStats(): HttpStats {
  return { requests: 0, retries: 0, failures: 0, rate_limited: 0, server_errors: 0, network_errors: 0, timeouts: 0, malformed_bodies: 0, token_refreshes: 0, waited_ms: 0 };
}

export type FetchLike = (url: string, init?: RequestInit) => Promise<Response>;

export interface ResilientFetchOptions {
  /** Names the service in retry logs ("retrying Spotify request"). */
  service?: string;
  policy?: Partial<RetryPolicy>;
  stats?: HttpStats;
  log?: Logger;
  /** Maps the URL the caller built (e.g. the Spotify SDK's fixed root) to the configured base. */
  rewrite?: (url: string) => string;
  /** Sees every final body exactly as received (raw landing). */
  onBody?: (url: string, status: number, body: string) => void;
  random?: () => number;
  fetchImpl?: FetchLike;
}

type Attempt = { kind: 'response'; res: Response; body: string } | { kind: 'error'; error: unknown; timeout: boolean };

/** Seconds or an HTTP date, as RFC 9110 allows; null when absent or unparsable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | null {
  if (!value) return null;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.round(Number(value) * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

async function attempt(fetchImpl: FetchLike, url: string, init: RequestInit, timeoutMs: number): Promise<Attempt> {
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const res = await fetchImpl(url, { ...init, signal });
    return { kind: 'response', res, body: await res.text() };
  } catch (error) {
    return { kind: 'error', error, timeout: signal.aborted };
  }
}

function isMalformedJson(res: Response, body: string): boolean {
  if (res.status < 200 || res.status >= 300 || body.length === 0) return false;
  if (!(res.headers.get('content-type') ?? '').includes('json')) return false;
  try {
    JSON.parse(body);
    return false;
  } catch {
    return true;
  }
}

function rebuild(res: Response, body: string): Response {
  const empty = res.status === 204 || res.status === 304;
  return new Response(empty ? null : body, { status: res.status, statusText: res.statusText, headers: res.headers });
}

export function createResilientFetch(opts: ResilientFetchOptions = {}): FetchLike {
  const policy = { ...DEFAULT_POLICY, ...opts.policy };
  const stats = opts.stats ?? emptyStats();
  const fetchImpl = opts.fetchImpl ?? ((u, i) => fetch(u, i));
  const random = opts.random ?? Math.random;
  return async (input, init = {}) => {
    const url = opts.rewrite ? opts.rewrite(input) : input;
    for (let n = 0; ; n++) {
      stats.requests++;
      const a = await attempt(fetchImpl, url, init, policy.timeoutMs);
      const verdict = judge(a, stats);
      const last = n >= policy.maxRetries;
      if (verdict.ok && a.kind === 'response') {
        opts.onBody?.(url, a.res.status, a.body);
        return rebuild(a.res, a.body);
      }
      let wait = backoffDelay(n, policy, random);
      if (a.kind === 'response' && a.res.status === 429) {
        const retryAfter = parseRetryAfter(a.res.headers.get('retry-after'));
        if (retryAfter !== null) wait = retryAfter;
      }
      if (last || wait > policy.maxRetryAfterMs) {
        stats.failures++;
        if (a.kind === 'response' && !verdict.malformed) return rebuild(a.res, a.body);
        throw new HttpNetworkError(url, `${verdict.reason} after ${n + 1} attempt(s)`, { cause: a.kind === 'error' ? a.error : undefined });
      }
      stats.retries++;
      stats.waited_ms += wait;
      opts.log?.warn({ url: redactUrl(url), reason: verdict.reason, attempt: n + 1, wait_ms: wait }, `retrying ${opts.service ?? 'HTTP'} request`);
      await sleep(wait);
    }
  };
}

function judge(a: Attempt, stats: HttpStats): { ok: boolean; reason: string; malformed?: boolean } {
  if (a.kind === 'error') {
    if (a.timeout) stats.timeouts++;
    else stats.network_errors++;
    return { ok: false, reason: a.timeout ? 'request timed out' : `network error: ${errorMessage(a.error)}` };
  }
  const s = a.res.status;
  if (s === 429) {
    stats.rate_limited++;
    return { ok: false, reason: 'HTTP 429 rate limited' };
  }
  if (s >= 500) {
    stats.server_errors++;
    return { ok: false, reason: `HTTP ${s}` };
  }
  if (isMalformedJson(a.res, a.body)) {
    stats.malformed_bodies++;
    return { ok: false, reason: 'response body is not valid JSON', malformed: true };
  }
  return { ok: true, reason: '' };
}
