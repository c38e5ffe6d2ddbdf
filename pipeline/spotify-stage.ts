// The scheduler's Spotify stage: every connected, active listener, one transaction each (a failure
// of one does not stop the others). Each request is already retried with backoff by the HTTP layer;
// listeners that still failed on a transient error (rate limit, 5xx, network, timeout) get another
// pass after a longer backoff, as long as the run is not being stopped.
import type { LakeSession } from '../lib/session.ts';
import { readCatalog } from '../lib/lake.ts';
import { TokenStore } from '../ingestion/spotify/tokens.ts';
import { ingestSpotifyInSession, summarise, type ListenerIngestSummary, type SpotifyIngestSummary } from '../ingestion/spotify/ingest.ts';
import type { RetryPolicy } from '../lib/http.ts';
import type { RunControl } from './run-control.ts';
import { changedTables, type StageResult } from './stages.ts';

export const DEFAULT_SPOTIFY_RETRY_DELAYS_MS = [30_000, 120_000];

const TRANSIENT = /HTTP (429|5\d\d)|timed? ?out|timeout|network|ECONN|ETIMEDOUT|EAI_AGAIN|socket|fetch failed|unreadable/i;

export function isTransient(error: string | undefined): boolean {
  return error !== undefined && TRANSIENT.test(error);
}

/** Listeners with a stored token (connected); the stage is skipped when there are none. */
export function connectedListeners(session: LakeSession): string[] {
  return TokenStore.fromConfig(session.config).listeners();
}

export interface SpotifyStageOptions {
  /** Backoff before each extra pass over listeners that failed on a transient error. */
  retryDelaysMs?: number[];
  /** Per-request retry policy of the HTTP layer (default DEFAULT_POLICY). */
  policy?: Partial<RetryPolicy>;
  /** Only these connected listeners (run --study). */
  only?: (listener: string) => boolean;
}

/** The first pass: every connected listener, or (run --study) those the filter keeps, one by one. */
async function firstPass(session: LakeSession, o: SpotifyStageOptions): Promise<SpotifyIngestSummary> {
  if (!o.only) return ingestSpotifyInSession(session, { all: true, policy: o.policy });
  const summaries: SpotifyIngestSummary[] = [];
  for (const listener of connectedListeners(session).filter(o.only)) summaries.push(await ingestSpotifyInSession(session, { listener, policy: o.policy }));
  return summarise(session.runId, summaries.flatMap((x) => x.listeners), { featuresUnavailable: summaries.some((x) => x.audio_features === 'unavailable') });
}

export async function spotifyStage(session: LakeSession, control: RunControl, o: SpotifyStageOptions = {}): Promise<StageResult<SpotifyIngestSummary>> {
  const started = Date.now();
  const before = readCatalog(session.config.dataDir);
  const first = await firstPass(session, o);
  const byListener = new Map<string, ListenerIngestSummary>(first.listeners.map((l) => [l.listener_id, l]));
  for (const delay of o.retryDelaysMs ?? DEFAULT_SPOTIFY_RETRY_DELAYS_MS) {
    const retry = [...byListener.values()].filter((l) => l.status === 'failed' && isTransient(l.error));
    if (retry.length === 0) break;
    session.log.warn({ listeners: retry.map((l) => l.listener_id), delay_ms: delay }, 'retrying Spotify listeners that failed on a transient error');
    if (!(await control.sleep(delay))) break;
    for (const l of retry) {
      const again = await ingestSpotifyInSession(session, { listener: l.listener_id, policy: o.policy });
      for (const s of again.listeners) byListener.set(s.listener_id, s);
    }
  }
  const detail = summarise(session.runId, [...byListener.values()], { featuresUnavailable: first.audio_features === 'unavailable' });
  return { stage: 'ingest spotify', duration_ms: Date.now() - started, tables: changedTables(before, session.config.dataDir), detail };
}
