// Fetching and landing for one listener: recently played, paged forward from the stored `after`
// cursor, and audio features in batches. Every response body is written unchanged under
// <dataDir>/raw/spotify/<listener>/<runId>/ before anything is parsed, so bronze can be rebuilt from
// the raw files without calling the API again.
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Logger } from '../../lib/logger.ts';
import type { SpotifyClient } from './client.ts';
import { SpotifyHttpError } from './errors.ts';
import { items, playedAtMs, type LandedMeta } from './parse.ts';

export interface LandedFile extends LandedMeta {
  kind: 'recently-played' | 'gap-probe' | 'audio-features';
  body: string;
}

export function rawRoot(dataDir: string): string {
  return join(dataDir, 'raw', 'spotify');
}

export class Lander {
  readonly dir: string;
  readonly files: LandedFile[] = [];
  private readonly counters = new Map<string, number>();

  constructor(private readonly dataDir: string, private readonly listenerId: string, runId: string) {
    this.dir = join(rawRoot(dataDir), listenerId, runId);
  }

  land(kind: LandedFile['kind'], body: string): LandedFile {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const n = (this.counters.get(kind) ?? 0) + 1;
    this.counters.set(kind, n);
    const file = join(this.dir, `${kind}-${String(n).padStart(4, '0')}.json`);
    const tmp = `${file}.tmp-${randomBytes(3).toString('hex')}`;
    writeFileSync(tmp, body, { mode: 0o600 });
    renameSync(tmp, file);
    const landed: LandedFile = { kind, body, listenerId: this.listenerId, sourceFile: relative(rawRoot(this.dataDir), file), sha256: createHash('sha256').update(body).digest('hex') };
    this.files.push(landed);
    return landed;
  }
}

export interface RecentResult {
  pages: number;
  plays: number;
  newestMs: number | null;
  oldestMs: number | null;
  /** Set when plays between the stored cursor and the oldest play returned may be missing. */
  gap: { after: string; before: string } | null;
}

/**
 * Pages forward with `after` until a short or empty page. Does not rely on `next`: the next cursor
 * is the newest played_at of the page, which is what `cursors.after` holds.
 */
export async function fetchRecentlyPlayed(client: SpotifyClient, lander: Lander, opts: { afterMs: number | null; limit: number; maxPages: number }): Promise<RecentResult> {
  let cursor = opts.afterMs ?? 0;
  const r: RecentResult = { pages: 0, plays: 0, newestMs: null, oldestMs: null, gap: null };
  while (r.pages < opts.maxPages) {
    const { raw } = await client.recentlyPlayed({ limit: opts.limit, after: cursor });
    const landed = lander.land('recently-played', raw);
    r.pages++;
    const times = items(JSON.parse(landed.body)).map(playedAtMs).filter((ms): ms is number => ms !== null && ms > cursor);
    if (times.length === 0) break;
    r.plays += times.length;
    r.oldestMs = Math.min(r.oldestMs ?? Infinity, ...times);
    r.newestMs = Math.max(r.newestMs ?? 0, ...times);
    cursor = r.newestMs;
    if (times.length < opts.limit) break;
  }
  if (opts.afterMs !== null && r.oldestMs !== null) r.gap = await probeGap(client, lander, opts.afterMs, r.oldestMs);
  return r;
}

/**
 * The API keeps only the last 50 plays. If the play just before the oldest one we got is at or before
 * the stored cursor, the history is contiguous; if the API has nothing older, plays may have fallen
 * out of its window between runs.
 */
async function probeGap(client: SpotifyClient, lander: Lander, storedMs: number, oldestMs: number): Promise<RecentResult['gap']> {
  const { raw } = await client.recentlyPlayed({ limit: 1, before: oldestMs });
  const previous = items(JSON.parse(lander.land('gap-probe', raw).body)).map(playedAtMs).filter((ms): ms is number => ms !== null);
  if (previous.length > 0 && Math.max(...previous) <= storedMs) return null;
  return { after: new Date(storedMs).toISOString(), before: new Date(oldestMs).toISOString() };
}

export interface FeaturesResult {
  status: 'ok' | 'unavailable' | 'failed' | 'skipped';
  requested: number;
  batches: number;
  detail?: string;
}

/** Audio features in batches; a 403 (endpoint closed for newer apps) stops the requests for this run. */
export async function fetchAudioFeatures(client: SpotifyClient, lander: Lander, ids: string[], opts: { batchSize: number; log?: Logger }): Promise<FeaturesResult> {
  const r: FeaturesResult = { status: ids.length ? 'ok' : 'skipped', requested: 0, batches: 0 };
  for (let i = 0; i < ids.length; i += opts.batchSize) {
    const batch = ids.slice(i, i + opts.batchSize);
    try {
      const { raw } = await client.audioFeatures(batch);
      lander.land('audio-features', raw);
      r.batches++;
      r.requested += batch.length;
    } catch (err) {
      const forbidden = err instanceof SpotifyHttpError && err.status === 403;
      r.status = forbidden ? 'unavailable' : 'failed';
      r.detail = forbidden ? 'GET /audio-features answered 403 (apps created after November 2024 have no access); silver falls back to Kaggle, then synthetic features' : (err as Error).message;
      opts.log?.warn({ listener: client.listener, status: r.status }, `audio features ${r.status}: ${r.detail}`);
      break;
    }
  }
  return r;
}
