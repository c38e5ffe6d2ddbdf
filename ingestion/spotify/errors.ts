// Errors of the Spotify client. Messages start with what failed and never contain a token.
import { LakehouseError } from '../../lib/errors.ts';
import { redactUrl } from '../../lib/http.ts';

/** Login, token refresh or token storage failed; the message says what to do next. */
export class SpotifyAuthError extends LakehouseError {}

/** A Spotify API call answered with a non-2xx status after every retry. */
export class SpotifyHttpError extends LakehouseError {
  constructor(readonly status: number, readonly url: string, detail: string) {
    super(`${redactUrl(url)}: HTTP ${status}${detail ? ` (${detail})` : ''}`);
  }
}

export function reloginHint(listener: string): string {
  return `run \`lakehouse auth login --listener ${listener}\` again`;
}
