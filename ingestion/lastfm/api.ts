// `lakehouse ingest lastfm`: a listener's scrobbles from the Last.fm API (user.getrecenttracks), paged,
// from the stored cursor on. Every request goes through the same resilient fetch as the Spotify client
// (timeouts, 429 with Retry-After, 5xx and network errors retried with backoff). Each page is landed
// under raw/lastfm/<listener>/ and its tracks become plays (the now-playing entry is skipped); the
// cursor (newest committed scrobble) is written only after the bronze transaction commits.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { LakeSession } from '../../lib/session.ts';
import type { Config } from '../../lib/config.ts';
import { ConfigError, LakehouseError, errorMessage } from '../../lib/errors.ts';
import { createResilientFetch, emptyStats, type FetchLike, type HttpStats, type RetryPolicy } from '../../lib/http.ts';
import { ingestParsedPlays } from '../exports/ingest.ts';
import type { ParsedFile, PlayRow } from '../exports/platform.ts';
import { apiTracks } from './source.ts';
import { isNowPlaying, lastfmApiRow, type ApiTrack } from './parse.ts';

export interface LastfmState {
  listener_id: string;
  user: string;
  /** uts of the newest committed scrobble: the next run asks for scrobbles from it on. */
  from_uts: number | null;
  last_run_id: string | null;
  last_success_at: string | null;
}

export const lastfmStateDir = (dataDir: string) => join(dataDir, 'state', 'lastfm');
const statePath = (dataDir: string, listener: string) => join(lastfmStateDir(dataDir), `${listener}.json`);

export function readLastfmState(dataDir: string, listener: string): LastfmState | null {
  const f = statePath(dataDir, listener);
  return existsSync(f) ? (JSON.parse(readFileSync(f, 'utf8')) as LastfmState) : null;
}

function writeLastfmState(dataDir: string, state: LastfmState): void {
  mkdirSync(lastfmStateDir(dataDir), { recursive: true, mode: 0o700 });
  const f = statePath(dataDir, state.listener_id);
  writeFileSync(`${f}.tmp`, JSON.stringify(state, null, 2), { mode: 0o600 });
  renameSync(`${f}.tmp`, f);
}

export class LastfmApiError extends LakehouseError {}

export interface LastfmIngestOptions {
  listener: string;
  /** Last.fm user name; default: the one stored for the listener by an earlier run. */
  user?: string;
  /** Entries per page (the API allows up to 200). */
  limit?: number;
  policy?: Partial<RetryPolicy>;
  fetchImpl?: FetchLike;
}

export interface LastfmIngestSummary {
  listener_id: string;
  pages: number;
  tracks: number;
  now_playing_skipped: number;
  rows_added: number;
  rows_rejected: number;
  from_uts: number | null;
  cursor_uts: number | null;
  http: HttpStats;
}

/** Fetches every page after the cursor and appends the scrobbles in one transaction. */
export async function ingestLastfm(session: LakeSession, config: Config, o: LastfmIngestOptions): Promise<LastfmIngestSummary> {
  if (!config.lastfm.apiKey) throw new ConfigError('ingest lastfm: LASTFM_API_KEY is not set (see .env.example)');
  const stored = readLastfmState(config.dataDir, o.listener);
  const user = o.user ?? stored?.user;
  if (!user) throw new ConfigError(`ingest lastfm: no Last.fm user for listener ${o.listener}: give --user <name>`);
  const from = stored && stored.user === user ? stored.from_uts : null;
  const stats = emptyStats();
  const fetch = createResilientFetch({ service: 'Last.fm', policy: o.policy, stats, log: session.log, fetchImpl: o.fetchImpl });
  const limit = o.limit ?? 200;
  const nowMs = Date.now();
  const rawDir = join(config.dataDir, 'raw', 'lastfm', o.listener);
  mkdirSync(rawDir, { recursive: true, mode: 0o700 });
  const files: { name: string; sha256: string; parsed: ParsedFile }[] = [];
  let nowPlaying = 0;
  let tracks = 0;
  let newest = from;
  for (let page = 1, pages = 1; page <= pages; page++) {
    const url = new URL(config.lastfm.apiBaseUrl);
    const q = { method: 'user.getrecenttracks', user, api_key: config.lastfm.apiKey, format: 'json', limit: String(limit), page: String(page), ...(from !== null ? { from: String(from + 1) } : {}) };
    for (const [k, v] of Object.entries(q)) url.searchParams.set(k, v);
    const res = await fetch(url.toString());
    const body = await res.text();
    let doc: Record<string, unknown>;
    try {
      doc = JSON.parse(body) as Record<string, unknown>;
    } catch (err) {
      throw new LastfmApiError(`Last.fm user.getrecenttracks page ${page}: HTTP ${res.status}, body is not JSON (${errorMessage(err).slice(0, 100)})`);
    }
    if (!res.ok || typeof doc.error === 'number') throw new LastfmApiError(`Last.fm user.getrecenttracks page ${page}: HTTP ${res.status}${doc.error ? `, error ${doc.error}: ${String(doc.message ?? '')}` : ''}`);
    const list = apiTracks(doc);
    if (!list) throw new LastfmApiError(`Last.fm user.getrecenttracks page ${page}: no recenttracks.track in the reply`);
    const attr = ((doc.recenttracks as Record<string, unknown>)['@attr'] ?? {}) as Record<string, unknown>;
    pages = Math.max(1, Number(attr.totalPages ?? 1) || 1);
    const name = `${session.runId}-page-${String(page).padStart(5, '0')}.json`;
    // The reply is landed without the user name it echoes (a personal identifier).
    writeFileSync(join(rawDir, name), body.replace(/"user":"(?:[^"\\]|\\.)*"/g, '"user":null'), { mode: 0o600 });
    const rows: PlayRow[] = [];
    list.forEach((t, i) => {
      if (!t || typeof t !== 'object') return;
      if (isNowPlaying(t as ApiTrack)) { nowPlaying++; return; }
      const row = lastfmApiRow(t as ApiTrack, i + 1, nowMs);
      if (!row.reject && row.playedAt !== null) newest = Math.max(newest ?? 0, row.playedAt / 1000);
      rows.push(row);
    });
    tracks += list.length;
    files.push({ name, sha256: createHash('sha256').update(body).digest('hex'), parsed: { format: 'lastfm_api', records: rows.length, rows, notPlays: 0 } });
  }
  const tx = session.begin();
  let added: { rows_added: number; rows_rejected: number };
  try {
    added = files.length ? await ingestParsedPlays(session.context(tx), o.listener, files) : { rows_added: 0, rows_rejected: 0 };
    await tx.commit();
  } catch (err) {
    await tx.abort();
    throw err;
  }
  writeLastfmState(config.dataDir, { listener_id: o.listener, user, from_uts: newest, last_run_id: session.runId, last_success_at: new Date().toISOString() });
  return { listener_id: o.listener, pages: files.length, tracks, now_playing_skipped: nowPlaying, ...added, from_uts: from, cursor_uts: newest, http: stats };
}

/** Listeners linked to a Last.fm user by an earlier `ingest lastfm --user` (the scheduler stage's list). */
export function lastfmListeners(dataDir: string): string[] {
  const dir = lastfmStateDir(dataDir);
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)).sort();
}
