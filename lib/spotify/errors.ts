// Errors of the Spotify client. Messages start with what failed and never contain a token.
import { LakehouseError } from '../errors.ts';

/** Login, token refresh or token storage failed; the message says what to do next. */
export class SpotifyAuthError extends LakehouseError {}

/** A Spotify API call answered with a non-2xx status after every retry. */
export class SpotifyHttpError extends LakehouseError {
  constructor(readonly status: number, readonly url: string, detail: string) {
    super(`${redactUrl(url)}: HTTP ${status}${detail ? ` (${detail})` : ''}`);
  }
}

/** A request could not be completed at all (network error, timeout, unreadable body) after every retry. */
export class SpotifyNetworkError extends LakehouseError {
  constructor(readonly url: string, detail: string, options?: { cause?: unknown }) {
    super(`${redactUrl(url)}: ${detail}`, options);
  }
}

/** Query strings may carry codes; only the path is shown in messages and logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return '<url>';
  }
}

export function reloginHint(listener: string): string {
  return `run \`lakehouse auth login --listener ${listener}\` again`;
}
