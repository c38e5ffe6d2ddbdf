// The stages of a run and the wrapper every stage goes through: it refuses to start once a stop was
// requested, interrupts the stage's DuckDB queries on a hard abort, and times the stage.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../lib/config.ts';
import type { Logger } from '../lib/logger.ts';
import type { LakeSession } from '../lib/session.ts';
import { readCatalog, relationExists, type Catalog } from '../lib/lake.ts';
import { MODULE_EXT } from '../lib/module-ext.ts';
import { emitProgress } from '../lib/progress.ts';
import { generateDemo } from '../lib/generator/index.ts';
import { DEFAULT_STUDY } from '../lib/study-id.ts';
import { readListeners } from '../bronze/listener-registry.ts';
import type { CheckResult } from '../ops/quality-checks.ts';
import type { PublishStatus, RunStatus, TableWritten } from '../ops/run-history.ts';
import { RunInterruptedError, type RunControl } from './run-control.ts';
import { ingestExportStage, ingestKaggleStage, silverStage, summarise, type StageResult } from './stages.ts';
import { importInbox, inboxProblems, pendingInbox, tidyInboxAreas, type InboxOptions } from './inbox.ts';
import { connectedListeners, spotifyStage, type SpotifyStageOptions } from './spotify-stage.ts';
import { lastfmStage, lastfmStageWanted, type LastfmStageOptions } from './lastfm-stage.ts';
import { scopeToStudy, studyMembership } from './study-scope.ts';

/** Publishes the lake (default: publishLake to TRINO_URL). */
export type Publisher = (config: Config, log: Logger) => Promise<unknown>;

export interface RunOptions {
  demo?: boolean;
  /** Kaggle CSV and export folders to ingest before building (optional). */
  kaggleCsv?: string;
  exports?: { listener: string; paths: string[]; timezone?: string; study?: string }[];
  /** cli (lakehouse run), schedule (a cron tick) or startup (schedule --run-at-start). */
  trigger?: string;
  /** Lets the caller stop the run (the scheduler on shutdown). */
  control?: RunControl;
  /** Overall time limit; default LAKEHOUSE_RUN_TIMEOUT. */
  timeoutMs?: number;
  /** Gold tables to build (default all), e.g. a category, or another declarations folder. */
  gold?: { category?: string; table?: string; root?: string };
  /** undefined: publishLake when TRINO_URL is set; null: never publish. */
  publish?: Publisher | null;
  /** false: leave the export inbox alone. Never read with --demo. */
  inbox?: InboxOptions | false;
  /** The Spotify API stage runs when a listener is connected (never with --demo); false: never. */
  spotify?: false | SpotifyStageOptions;
  /** The Last.fm API stage runs when LASTFM_API_KEY is set and a listener is linked (never with --demo); false: never. */
  lastfm?: false | LastfmStageOptions;
  /**
   * Only this study's listeners (run --study): ingestion of their exports, inbox folders and APIs, and
   * their silver and gold rows; every other listener's rows are carried over (pipeline/study-scope.ts).
   */
  study?: string;
}

export interface RunState {
  session: LakeSession;
  log: Logger;
  control: RunControl;
  trigger: string;
  started: Date;
  stages: StageResult[];
  durations: Record<string, number>;
  checks: CheckResult[];
  status: RunStatus;
  failedStage: string | null;
  error: string | null;
  publishStatus: PublishStatus;
  /** Extra facts for the run's summary JSON (e.g. a recovered lock). */
  notes: Record<string, unknown>;
}

/** Runs one stage: refuses to start when stopping, interrupts DuckDB on a hard abort, times it. */
export async function stage<T>(state: RunState, name: string, fn: () => Promise<T>): Promise<T> {
  state.control.checkpoint(name);
  const started = Date.now();
  const conn = state.session.conn;
  let repeat: NodeJS.Timeout | undefined;
  const off = state.control.onAbort(() => {
    conn.interrupt();
    // A query that starts after the first interrupt is interrupted too, until the stage gives up.
    repeat = setInterval(() => conn.interrupt(), 200);
  });
  const guard = state.session.commitGuard;
  state.session.commitGuard = () => {
    const stop = state.control.stopping;
    if (state.control.aborted && stop) throw new RunInterruptedError(stop.kind, name, `interrupted before publishing (${stop.detail})`);
    guard();
  };
  state.log.debug({ stage: name }, `stage ${name} started`);
  emitProgress({ kind: 'stage-start', stage: name });
  let ok = false;
  try {
    const result = await fn();
    ok = true;
    return result;
  } catch (err) {
    state.failedStage ??= name;
    throw err;
  } finally {
    emitProgress({ kind: 'stage-end', stage: name, ms: Date.now() - started, ok });
    state.session.commitGuard = guard;
    off();
    clearInterval(repeat);
    state.durations[name] = (state.durations[name] ?? 0) + Date.now() - started;
  }
}

/** A stage that yields a StageResult (null = nothing to do), recorded in the run. */
async function step(state: RunState, name: string, fn: () => Promise<StageResult | null>): Promise<void> {
  const result = await stage(state, name, fn);
  if (!result) return;
  state.stages.push(result);
  state.log.info({ stage: result.stage, duration_ms: result.duration_ms, tables: result.tables }, `stage ${result.stage} done`);
}

async function demoInputs(state: RunState): Promise<Pick<RunOptions, 'kaggleCsv' | 'exports'>> {
  const dir = join(state.session.config.dataDir, '_demo_input');
  const demo = await generateDemo(dir);
  state.log.info({ dir, catalog_rows: demo.catalogRows, listeners: demo.listeners.length }, 'demo data generated');
  return { kaggleCsv: demo.catalogCsv, exports: demo.listeners.map((l) => ({ listener: l.id, paths: l.files, timezone: l.timezone, study: l.study })) };
}

const hasGold = () => existsSync(join(import.meta.dirname, '..', 'gold', `build${MODULE_EXT}`));

/** The tables silver and gold will write, in build order (numbers the lines of the terminal view). */
async function buildPlan(opts: RunOptions['gold']): Promise<string[]> {
  const silver = ['silver.listening_with_features', 'silver.catalog_tracks'];
  if (!hasGold()) return silver;
  const { loadGoldTables, selectGoldTables } = await import('../gold/build.ts');
  return [...silver, ...selectGoldTables(await loadGoldTables(opts?.root), opts ?? {}).map((s) => `gold.${s.name}`)];
}

async function goldStage(session: LakeSession, opts: RunOptions['gold']): Promise<StageResult | null> {
  if (!hasGold()) return null;
  const { buildGold } = await import('../gold/build.ts');
  const started = Date.now();
  const published = await buildGold(session, opts ?? {});
  return { stage: 'gold', duration_ms: Date.now() - started, tables: published.map(summarise) };
}

async function inboxStage(state: RunState, opts: InboxOptions): Promise<StageResult | null> {
  const { session } = state;
  const tidied = await tidyInboxAreas(session.config.dataDir);
  if (tidied.processed_copies_removed + tidied.failed_non_history_removed > 0) {
    state.notes.inbox_tidied = tidied;
    state.log.info(tidied, 'exports kept in processed/ by an earlier version are now manifest entries; non-history files removed from failed/');
  }
  const pending = pendingInbox(session.config.dataDir, opts);
  const waiting = pending.reduce((n, p) => n + p.waiting, 0);
  if (waiting > 0) state.log.info({ files: waiting }, 'inbox files changed in the last seconds are left for the next run (they may still be copying)');
  // Entries outside a valid listener folder are reported (warning and check) even when nothing is pending.
  if (!pending.some((p) => p.files.length > 0) && inboxProblems(session.config.dataDir).length === 0) return null;
  const started = Date.now();
  const { summary, results } = await importInbox(session, opts);
  return { stage: 'ingest inbox', duration_ms: Date.now() - started, tables: results.flatMap((r) => r.tables), detail: summary };
}

/** Ingest, silver and gold. Silver and gold are skipped (with a warning) while bronze holds no plays yet. */
export async function dataStages(state: RunState, opts: RunOptions): Promise<void> {
  const { session } = state;
  const inputs = opts.demo ? await stage(state, 'demo', () => demoInputs(state)) : opts;
  // --study: a listener is in the study by the registry; a new one by the study its export brings (else default).
  // (Without --study nothing is awaited here: the first stage starts at once, as before studies.)
  const member = opts.study ? await studyMembership(session.conn, opts.study) : null;
  const registered = opts.study ? new Set((await readListeners(session.conn)).map((l) => l.listener_id)) : new Set<string>();
  const only = member ?? undefined;
  const wanted = (e: { listener: string; study?: string }) => !member || (registered.has(e.listener) ? member(e.listener) : (e.study ?? DEFAULT_STUDY) === opts.study);
  if (inputs.kaggleCsv) await step(state, 'ingest kaggle', () => ingestKaggleStage(session, inputs.kaggleCsv!));
  for (const e of (inputs.exports ?? []).filter(wanted)) await step(state, `ingest export ${e.listener}`, () => ingestExportStage(session, e.paths, e.listener, e.timezone, e.study));
  if (!opts.demo && opts.inbox !== false) await step(state, 'ingest inbox', () => inboxStage(state, { ...(opts.inbox || {}), only }));
  if (!opts.demo && opts.spotify !== false && connectedListeners(session).filter((l) => !only || only(l)).length > 0) {
    await step(state, 'ingest spotify', () => spotifyStage(session, state.control, { ...(opts.spotify || {}), only }));
  }
  if (!opts.demo && opts.lastfm !== false && lastfmStageWanted(session)) await step(state, 'ingest lastfm', () => lastfmStage(session, { ...(opts.lastfm || {}), only }));
  if (!(await relationExists(session.conn, 'bronze', 'listening_history'))) {
    state.log.warn('no listening history yet: nothing to build; drop export files into <data dir>/inbox/<listener>/ or connect a listener (lakehouse auth login)');
    return;
  }
  if (opts.study) {
    state.notes.study = opts.study;
    state.notes.study_listeners = await scopeToStudy(session, opts.study);
  }
  emitProgress({ kind: 'plan', tables: await buildPlan(opts.gold) });
  await step(state, 'silver', () => silverStage(session));
  await step(state, 'gold', () => goldStage(session, opts.gold));
}

/** Every table version the run published: layer.table -> version, rows and rows added since `before`. */
export function tablesWritten(before: Catalog, dataDir: string): Record<string, TableWritten> {
  const out: Record<string, TableWritten> = {};
  for (const [key, meta] of Object.entries(readCatalog(dataDir).tables)) {
    const prev = before.tables[key];
    if (prev?.version === meta.version || key.startsWith('ops.')) continue;
    out[key] = { version: meta.version, rows: meta.rows, delta: meta.rows - (prev?.rows ?? 0) };
  }
  return out;
}
