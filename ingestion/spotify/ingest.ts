// `lakehouse ingest spotify`: for each selected listener, fetch and land recently played (and audio
// features), then write bronze in one transaction per listener and only then advance the cursor.
// A failure of one listener is reported in the summary and does not stop the others.
import type { Config } from '../../lib/config.ts';
import type { Logger } from '../../lib/logger.ts';
import { withWriter, type LakeSession } from '../../lib/session.ts';
import { readListeners } from '../../bronze/listener-registry.ts';
import { ensureListeners } from '../../bronze/listener-registry.ts';
import { UsageError, errorMessage } from '../../lib/errors.ts';
import { createSpotifyClient } from './client.ts';
import { emptyStats, type HttpStats, type RetryPolicy } from '../../lib/http.ts';
import { TokenStore } from './tokens.ts';
import { checkListenerId } from '../../lib/listener-id.ts';
import { parseAudioFeatures, parsePlays, parseTrackMetadata, trackId, items } from './parse.ts';
import { Lander, fetchAudioFeatures, fetchRecentlyPlayed, type FeaturesResult, type LandedFile } from './source.ts';
import { missingFeatureIds, writeFeatures, writePlays, writeTrackMetadata } from './stage.ts';
import { readState, writeState } from './state.ts';

export interface SpotifyIngestOptions {
  listener?: string;
  all?: boolean;
  /** Page size for recently played (the API's maximum, 50, unless a test wants more pages). */
  pageLimit?: number;
  maxPages?: number;
  featureBatchSize?: number;
  policy?: Partial<RetryPolicy>;
  /** Test seam: runs after landing and staging, right before the commit. */
  beforeCommit?: (listener: string) => void | Promise<void>;
}

export interface ListenerIngestSummary {
  listener_id: string;
  status: 'ok' | 'failed' | 'skipped_paused';
  pages: number;
  plays_fetched: number;
  plays_added: number;
  duplicates_skipped: number;
  features_added: number;
  audio_features: FeaturesResult['status'];
  cursor_before: string | null;
  cursor_after: string | null;
  /** Plays between these times may be missing: import the privacy export to backfill them. */
  probable_gap: { after: string; before: string; backfill: string } | null;
  raw_dir: string | null;
  http: HttpStats;
  error?: string;
}

export interface SpotifyIngestSummary {
  run_id: string;
  listeners: ListenerIngestSummary[];
  plays_added: number;
  probable_gaps: number;
  failed: number;
  audio_features: 'ok' | 'unavailable' | 'failed' | 'skipped';
  http: HttpStats;
}

export interface RunShared {
  featuresUnavailable: boolean;
}

function addStats(into: HttpStats, from: HttpStats): void {
  for (const k of Object.keys(into) as (keyof HttpStats)[]) into[k] += from[k];
}

/** Connected listeners to ingest: the one asked for, or every connected one that is not paused or withdrawn. */
export async function selectListeners(config: Config, session: LakeSession, opts: SpotifyIngestOptions): Promise<{ run: string[]; paused: string[] }> {
  const connected = TokenStore.fromConfig(config).listeners();
  const wanted = opts.listener ? [checkListenerId(opts.listener)] : connected;
  const inactive = new Set((await readListeners(session.conn)).filter((l) => l.status !== 'active').map((l) => l.listener_id));
  return { run: wanted.filter((l) => !inactive.has(l)), paused: wanted.filter((l) => inactive.has(l)) };
}

/** Opens the writer (lock) and ingests; use ingestSpotifyInSession inside an existing writer session. */
export async function ingestSpotify(config: Config, log: Logger, opts: SpotifyIngestOptions): Promise<SpotifyIngestSummary> {
  if (!opts.listener === !opts.all) throw new UsageError('ingest spotify: give either --listener <id> or --all');
  if (opts.listener) checkListenerId(opts.listener);
  return withWriter(config, log, 'ingest spotify', (session) => ingestSpotifyInSession(session, opts));
}

/** One transaction per listener, each committed on its own; the scheduler can call this in its session. */
export async function ingestSpotifyInSession(session: LakeSession, opts: SpotifyIngestOptions): Promise<SpotifyIngestSummary> {
  const { config, log } = session;
  const { run, paused } = await selectListeners(config, session, opts);
  const shared: RunShared = { featuresUnavailable: false };
  const listeners: ListenerIngestSummary[] = paused.map((l) => ({ ...emptySummary(l), status: 'skipped_paused' }));
  for (const l of paused) log.info({ listener: l }, 'listener is paused or withdrawn; skipped');
  if (opts.all && run.length + paused.length === 0) log.warn('no listener is connected to Spotify; run `lakehouse auth login --listener <id>` first');
  for (const l of run) listeners.push(await ingestListener(session, l, opts, shared));
  return summarise(session.runId, listeners, shared);
}

export function summarise(runId: string, listeners: ListenerIngestSummary[], shared: RunShared): SpotifyIngestSummary {
  const http = emptyStats();
  listeners.forEach((s) => addStats(http, s.http));
  const statuses = listeners.map((s) => s.audio_features);
  return {
    run_id: runId, listeners, http,
    plays_added: listeners.reduce((n, s) => n + s.plays_added, 0),
    probable_gaps: listeners.filter((s) => s.probable_gap).length,
    failed: listeners.filter((s) => s.status === 'failed').length,
    audio_features: shared.featuresUnavailable ? 'unavailable' : statuses.includes('failed') ? 'failed' : statuses.includes('ok') ? 'ok' : 'skipped',
  };
}

export function emptySummary(listener: string): ListenerIngestSummary {
  return { listener_id: listener, status: 'ok', pages: 0, plays_fetched: 0, plays_added: 0, duplicates_skipped: 0, features_added: 0, audio_features: 'skipped', cursor_before: null, cursor_after: null, probable_gap: null, raw_dir: null, http: emptyStats() };
}

async function ingestListener(session: LakeSession, listener: string, opts: SpotifyIngestOptions, shared: RunShared): Promise<ListenerIngestSummary> {
  const { config, log } = session;
  const s = emptySummary(listener);
  const state = readState(config.dataDir, listener);
  s.cursor_before = state.after;
  const client = createSpotifyClient(config, listener, { log, policy: opts.policy, stats: s.http });
  const lander = new Lander(config.dataDir, listener, session.runId);
  const tx = session.begin();
  try {
    const recent = await fetchRecentlyPlayed(client, lander, { afterMs: state.after_ms, limit: opts.pageLimit ?? 50, maxPages: opts.maxPages ?? 20 });
    Object.assign(s, { pages: recent.pages, plays_fetched: recent.plays, raw_dir: lander.dir });
    if (recent.gap) s.probable_gap = { ...recent.gap, backfill: `plays between ${recent.gap.after} and ${recent.gap.before} may be missing (the API keeps only the last 50); import the listener's privacy export: lakehouse ingest export <files> --listener ${listener}` };
    const ctx = session.context(tx);
    const pages = lander.files.filter((f) => f.kind === 'recently-played');
    const ids = [...new Set(pages.flatMap((f) => items(JSON.parse(f.body)).map(trackId)).filter((id): id is string => id !== null))];
    const features = shared.featuresUnavailable ? { status: 'unavailable' as const } : await fetchAudioFeatures(client, lander, await missingFeatureIds(ctx, ids), { batchSize: opts.featureBatchSize ?? 100, log });
    s.audio_features = features.status;
    if (features.status === 'unavailable') shared.featuresUnavailable = true;
    await stageAll(ctx, listener, lander.files, s);
    await opts.beforeCommit?.(listener);
    await tx.commit();
    if (recent.newestMs !== null && recent.newestMs > (state.after_ms ?? 0)) {
      writeState(config.dataDir, { listener_id: listener, after_ms: recent.newestMs, after: new Date(recent.newestMs).toISOString(), last_run_id: session.runId, last_success_at: new Date().toISOString() });
    }
    s.cursor_after = readState(config.dataDir, listener).after;
    log.info({ listener, added: s.plays_added, fetched: s.plays_fetched, gap: Boolean(s.probable_gap), retries: s.http.retries }, 'spotify listener ingested');
  } catch (err) {
    await tx.abort();
    Object.assign(s, { status: 'failed', error: errorMessage(err), cursor_after: state.after });
    log.error({ listener, error: s.error }, 'spotify ingestion failed for listener; its cursor did not move');
  }
  return s;
}

/** Parses every landed body and stages bronze writes in the listener's transaction. */
export async function stageAll(ctx: Parameters<typeof writePlays>[0], listener: string, files: LandedFile[], s: Pick<ListenerIngestSummary, 'plays_added' | 'duplicates_skipped' | 'features_added'>): Promise<void> {
  const pages = files.filter((f) => f.kind === 'recently-played');
  const plays = pages.flatMap((f) => parsePlays(JSON.parse(f.body), f));
  await ensureListeners(ctx, [{ id: listener }]);
  s.plays_added = plays.length > 0 ? await writePlays(ctx, plays) : 0;
  s.duplicates_skipped = plays.length - s.plays_added;
  await writeTrackMetadata(ctx, pages.flatMap((f) => parseTrackMetadata(JSON.parse(f.body), f)));
  s.features_added = await writeFeatures(ctx, files.filter((f) => f.kind === 'audio-features').flatMap((f) => parseAudioFeatures(JSON.parse(f.body), f)));
}
