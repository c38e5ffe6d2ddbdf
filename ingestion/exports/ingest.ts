// Imports privacy-export files of one listener into bronze.listening_history (append-only,
// deduplicated on listener, played_at and track key) with their rejects, in the caller's
// transaction: every file is checked before anything is staged, so a command imports all of its
// files or none.
import type { BuildContext } from '../../lib/build-context.ts';
import { quoteIdent, quoteLiteral, queryRows, scalar } from '../../lib/duckdb.ts';
import { relationExists } from '../../lib/lake.ts';
import { UsageError } from '../../lib/errors.ts';
import listeningHistory, { historyColumns } from '../../bronze/listening_history.ts';
import { writeRejectsFrom, utcNow } from '../../bronze/write-rejects.ts';
import { ensureListeners } from '../../bronze/listener-registry.ts';
import { TRACK_KEY_SQL, type ExportFormat } from './formats.ts';
import { inspectExportFile, type ExportFile } from './source.ts';
import { TYPED, stageSpotifyFiles, type SpotifyEntry } from './stage-spotify.ts';
import { discoverExports, readdressError, type ExportDiscovery } from './discover.ts';
import { basename } from 'node:path';
import { fileSha256 } from '../../lib/files.ts';
import { loadRows, type AppendColumn } from '../../lib/appender.ts';
import appleDailyTracks from '../../bronze/apple_music_daily_tracks.ts';
import { rejectsByReason, stagePlatformRows, type DailyTrackRow, type ParsedFile, type PlatformFormat } from './platform.ts';
import { readPlatformFile } from './platforms.ts';
import { zoneForOffset } from '../apple-music/parse.ts';

export interface ExportFileSummary {
  file: string;
  /** Spotify's export shapes, or another platform's file format (bronze `source`, e.g. lastfm_csv_ghan). */
  format: ExportFormat | PlatformFormat | 'empty';
  records: number;
  rejected: number;
  /** Other platforms: records that are no plays (YouTube entries that are not YouTube Music, Apple daily aggregates). */
  not_plays?: number;
  /** Other platforms: rejected records per reason. */
  rejected_by_reason?: Record<string, number>;
}

export interface ExportIngestSummary {
  listener_id: string;
  files: ExportFileSummary[];
  records: number;
  rows_added: number;
  duplicates_skipped: number;
  rows_rejected: number;
  by_content_type: Record<string, number>;
  /** Records that are no plays (see ExportFileSummary.not_plays), not counted as duplicates. */
  not_plays: number;
  /** Apple Music daily aggregates added to bronze.apple_music_daily_tracks. */
  daily_rows_added: number;
  /** Files of a folder or archive that are not a listening history (never read beyond their start). */
  skipped: { file: string; reason: string }[];
  /** The listener's time zone, whether it was given or defaulted (LAKEHOUSE_TIMEZONE), and whether this import registered them. */
  timezone: string;
  timezone_source: 'given' | 'default' | 'file' | null;
  new_listener: boolean;
}

/** Rejected rows per listener, file name and file hash in the staging table. */
async function countStagedRejects(ctx: BuildContext): Promise<Map<string, number>> {
  const rows = await queryRows<{ listener_id: string; source_file: string; file_sha256: string; n: number }>(ctx.conn,
    'select listener_id, source_file, file_sha256, count(*)::integer as n from _history_incoming where reject_reason is not null group by all');
  return new Map(rows.map((r) => [JSON.stringify([r.listener_id, r.source_file, r.file_sha256]), r.n]));
}

export async function createStaging(ctx: BuildContext): Promise<void> {
  const cols = TYPED.map((c) => `${c.name} ${c.type}`).join(', ');
  await ctx.conn.run(`create or replace temp table _history_incoming (listener_id VARCHAR, source VARCHAR, source_file VARCHAR, file_sha256 VARCHAR, source_row BIGINT, ${cols}, context_type VARCHAR, context_uri VARCHAR, raw_line VARCHAR, reject_field VARCHAR, reject_reason VARCHAR)`);
}

type PlannedFile =
  | { kind: 'spotify'; file: ExportFile }
  | { kind: 'platform'; name: string; sha256: string; parsed: ParsedFile };

interface DailyStaged { listenerId: string; file: string; sha256: string; row: DailyTrackRow }

const DAILY_COLUMNS: AppendColumn[] = [
  { name: 'listener_id', type: 'VARCHAR' }, { name: 'source_file', type: 'VARCHAR' }, { name: 'file_sha256', type: 'VARCHAR' },
  { name: 'source_row', type: 'BIGINT' }, { name: 'date_played', type: 'VARCHAR' }, { name: 'hours', type: 'VARCHAR' },
  { name: 'play_duration_ms', type: 'BIGINT' }, { name: 'play_count', type: 'INTEGER' }, { name: 'skip_count', type: 'INTEGER' },
  { name: 'end_reason_type', type: 'VARCHAR' }, { name: 'source_type', type: 'VARCHAR' }, { name: 'track_identifier', type: 'VARCHAR' },
  { name: 'track_description', type: 'VARCHAR' }, { name: 'artist_name', type: 'VARCHAR' }, { name: 'track_name', type: 'VARCHAR' },
];

/** Appends Apple daily aggregates to bronze.apple_music_daily_tracks (a re-import of the same file adds nothing); rows added per listener. */
async function appendDailyTracks(ctx: BuildContext, rows: DailyStaged[]): Promise<Map<string, number>> {
  if (rows.length === 0) return new Map();
  await loadRows(ctx.conn, '_daily_incoming', DAILY_COLUMNS, rows.map(({ listenerId, file, sha256, row: d }) => [
    listenerId, file, sha256, d.sourceRow, d.datePlayed, d.hours, d.playDurationMs, d.playCount, d.skipCount, d.endReasonType,
    d.sourceType, d.trackIdentifier, d.trackDescription, d.artist, d.track,
  ]));
  const exists = await relationExists(ctx.conn, 'bronze', 'apple_music_daily_tracks');
  await ctx.conn.run(`create or replace temp table _daily_fresh as
    select listener_id, source_file, file_sha256, source_row, date_played::date as date_played, hours, play_duration_ms, play_count, skip_count,
      end_reason_type, source_type, track_identifier, track_description, artist_name, track_name, $now::timestamp as ingested_at, $run as run_id
    from (select * from _daily_incoming qualify row_number() over (partition by listener_id, file_sha256, source_row order by source_file) = 1) i
    ${exists ? 'anti join bronze.apple_music_daily_tracks b using (listener_id, file_sha256, source_row)' : ''}`, { now: utcNow(), run: ctx.runId });
  const counts = await queryRows<{ listener_id: string; n: number }>(ctx.conn, 'select listener_id, count(*)::integer as n from _daily_fresh group by all');
  await ctx.tx.write(appleDailyTracks, { mode: 'append', sql: 'select * from _daily_fresh', orderBy: 'listener_id, date_played, file_sha256, source_row', inputs: [] });
  await ctx.conn.run('drop table if exists _daily_fresh; drop table if exists _daily_incoming');
  return new Map(counts.map((c) => [c.listener_id, c.n]));
}

export interface ExportBatch {
  listenerId: string;
  paths: string[];
  timezone?: string;
  /** Study of a new listener (default 'default'); an existing listener keeps theirs. */
  study?: string;
}

export async function ingestExports(ctx: BuildContext, paths: string[], listenerId: string, timezone?: string, study?: string): Promise<ExportIngestSummary> {
  const [summary] = await ingestExportBatches(ctx, [{ listenerId, paths, timezone, study }]);
  return summary;
}

/**
 * Imports the files of several listeners at once (one staging pass, one dedup against bronze, one
 * new version): how a study or the benchmark loads many people without a run per person.
 */
export async function ingestExportBatches(ctx: BuildContext, batches: ExportBatch[]): Promise<ExportIngestSummary[]> {
  const discoveries: ExportDiscovery[] = [];
  try {
    return await ingestDiscovered(ctx, batches, discoveries);
  } catch (err) {
    throw discoveries.reduce((e, d) => readdressError(e, d), err);
  } finally {
    for (const d of discoveries) d.cleanup();
  }
}

async function ingestDiscovered(ctx: BuildContext, batches: ExportBatch[], discoveries: ExportDiscovery[]): Promise<ExportIngestSummary[]> {
  const planned: { batch: ExportBatch; files: PlannedFile[] }[] = [];
  const skipped = new Map<string, { file: string; reason: string }[]>();
  for (const batch of batches) {
    const found = await discoverExports(batch.paths);
    discoveries.push(found);
    const skips = found.skipped.map((s) => ({ file: s.file, reason: s.reason }));
    skipped.set(batch.listenerId, [...(skipped.get(batch.listenerId) ?? []), ...skips]);
    if (found.histories.length === 0) {
      throw new UsageError(`ingest export: no listening history found in ${batch.paths.join(', ')}${skips.length ? ` (skipped: ${skips.map((s) => `${s.file} (${s.reason})`).join(', ')})` : ''}`);
    }
    const files: PlannedFile[] = [];
    for (const h of found.histories) {
      if (h.platform) {
        const parsed = await readPlatformFile(h.path, h.platform);
        files.push({ kind: 'platform', name: basename(h.path), sha256: await fileSha256(h.path), parsed });
      } else files.push({ kind: 'spotify', file: await inspectExportFile(ctx.conn, h.path) });
    }
    planned.push({ batch, files });
  }
  await createStaging(ctx);
  const perListener = new Map<string, ExportFileSummary[]>();
  const daily: DailyStaged[] = [];
  const spotifySummaries: { listenerId: string; sha256: string; summary: ExportFileSummary }[] = [];
  // Every Spotify file of the command is staged first, read together (stage-spotify.ts).
  const entries: SpotifyEntry[] = planned.flatMap(({ batch, files }) => files.flatMap((f) => (f.kind === 'spotify' ? [{ listenerId: batch.listenerId, file: f.file }] : [])));
  const staged = new Map<ExportFile, ExportFileSummary>((await stageSpotifyFiles(ctx, entries)).map((s, i) => [entries[i].file, s]));
  for (const { batch, files } of planned) {
    const list = perListener.get(batch.listenerId) ?? [];
    for (const f of files) {
      if (f.kind === 'spotify') {
        const summary = staged.get(f.file)!;
        spotifySummaries.push({ listenerId: batch.listenerId, sha256: f.file.sha256, summary });
        list.push(summary);
        continue;
      }
      const rejected = await stagePlatformRows(ctx.conn, f.parsed, { listenerId: batch.listenerId, file: f.name, sha256: f.sha256 });
      for (const d of f.parsed.daily ?? []) daily.push({ listenerId: batch.listenerId, file: f.name, sha256: f.sha256, row: d });
      list.push({ file: f.name, format: f.parsed.format, records: f.parsed.records, rejected, not_plays: f.parsed.notPlays, rejected_by_reason: rejectsByReason(f.parsed) });
    }
    perListener.set(batch.listenerId, list);
  }
  if (spotifySummaries.length > 0) {
    const rejects = await countStagedRejects(ctx);
    for (const { listenerId, sha256, summary } of spotifySummaries) {
      if (summary.format !== 'empty') summary.rejected = rejects.get(JSON.stringify([listenerId, summary.file, sha256])) ?? 0;
    }
  }
  // A new listener without --timezone takes the zone of their Apple Music offset (UTC Offset In Seconds) when a file gives one.
  const fileZone = (b: ExportBatch) => {
    // The offset of the file with the most records, when the listener's files disagree.
    const offset = (planned.find((p) => p.batch === b)?.files ?? []).flatMap((f) => (f.kind === 'platform' && f.parsed.utcOffsetSeconds != null ? [f.parsed] : []))
      .sort((x, y) => y.records - x.records)[0]?.utcOffsetSeconds;
    return offset === undefined || offset === null ? undefined : zoneForOffset(offset) ?? undefined;
  };
  const registry = await ensureListeners(ctx, batches.map((b) => ({
    ...(b.timezone ? { id: b.listenerId, timezone: b.timezone } : fileZone(b) ? { id: b.listenerId, timezone: fileZone(b), timezoneSource: 'file' as const } : { id: b.listenerId }),
    ...(b.study ? { study: b.study } : {}),
  })));
  const dailyAdded = await appendDailyTracks(ctx, daily);
  const added = await appendHistoryCounts(ctx, '_history_incoming');
  await ctx.conn.run(`create or replace temp table _export_rejects as
    select source, source_file, file_sha256, source_row, listener_id, reject_field as field, reject_reason as reason, raw_line
    from _history_incoming where reject_reason is not null`);
  await writeRejectsFrom(ctx, '_export_rejects');
  const byType = await queryRows<{ listener_id: string; content_type: string; n: number }>(ctx.conn,
    'select listener_id, content_type, count(*)::integer as n from _history_incoming where reject_reason is null group by all order by all');
  await ctx.conn.run('drop table if exists _history_incoming; drop table if exists _export_raw; drop table if exists _export_rejects');
  return [...perListener.entries()].map(([listenerId, files]) => {
    const records = files.reduce((sum, f) => sum + f.records, 0);
    const rejected = files.reduce((sum, f) => sum + f.rejected, 0);
    const notPlays = files.reduce((sum, f) => sum + (f.not_plays ?? 0), 0);
    const rowsAdded = added.get(listenerId) ?? 0;
    const listener = registry.rows.find((r) => r.listener_id === listenerId);
    return {
      listener_id: listenerId, files, records, rows_added: rowsAdded,
      skipped: skipped.get(listenerId) ?? [], timezone: listener?.timezone ?? ctx.config.timezone,
      timezone_source: listener?.timezone_source ?? null, new_listener: registry.added.includes(listenerId),
      duplicates_skipped: records - rejected - notPlays - rowsAdded, rows_rejected: rejected,
      not_plays: notPlays, daily_rows_added: dailyAdded.get(listenerId) ?? 0,
      by_content_type: Object.fromEntries(byType.filter((r) => r.listener_id === listenerId).map((r) => [r.content_type, r.n])),
    };
  });
}

/**
 * Stages already parsed plays of one listener (an API reader's pages) and appends them like an
 * import: same staging table, dedup and rejects. The listener is registered when new.
 */
export async function ingestParsedPlays(ctx: BuildContext, listenerId: string, files: { name: string; sha256: string; parsed: ParsedFile }[]): Promise<{ rows_added: number; rows_rejected: number; records: number }> {
  await createStaging(ctx);
  let rejected = 0;
  for (const f of files) rejected += await stagePlatformRows(ctx.conn, f.parsed, { listenerId, file: f.name, sha256: f.sha256 });
  await ensureListeners(ctx, [{ id: listenerId }]);
  const added = await appendHistoryCounts(ctx, '_history_incoming');
  await ctx.conn.run(`create or replace temp table _export_rejects as
    select source, source_file, file_sha256, source_row, listener_id, reject_field as field, reject_reason as reason, raw_line
    from _history_incoming where reject_reason is not null`);
  if (rejected > 0) await writeRejectsFrom(ctx, '_export_rejects');
  await ctx.conn.run('drop table if exists _history_incoming; drop table if exists _export_rejects');
  return { rows_added: added.get(listenerId) ?? 0, rows_rejected: rejected, records: files.reduce((n, f) => n + f.parsed.records, 0) };
}

/** The grain of bronze.listening_history (one play of a listener), as its declaration gives it. */
const HISTORY_GRAIN = listeningHistory.grain;
const GRAIN_SQL = HISTORY_GRAIN.join(', ');
const REPEATS_TABLE = '_history_repeats';

/**
 * Writes the grain keys that more than one valid row of a staging relation has into temp table
 * `table`, and returns how many there are (0: every play comes once).
 */
export async function stageRepeatedPlays(ctx: BuildContext, relation: string, table: string): Promise<number> {
  await ctx.conn.run(`create or replace temp table ${quoteIdent(table)} as
    select ${GRAIN_SQL} from (select listener_id, played_at, ${TRACK_KEY_SQL} as track_key, ms_played from ${relation} where reject_reason is null)
    group by ${GRAIN_SQL} having count(*) > 1`);
  return Number(await scalar(ctx.conn, `select count(*) from ${quoteIdent(table)}`));
}

/**
 * Appends the valid rows of a staging relation to bronze.listening_history, skipping plays already
 * stored. The relation has every bronze history column except started_at, track_key, ingested_at
 * and run_id (derived here), plus reject_reason (null = valid row). Returns rows added per listener.
 */
export async function appendHistoryCounts(ctx: BuildContext, relation: string): Promise<Map<string, number>> {
  const exists = await relationExists(ctx.conn, 'bronze', 'listening_history');
  const listeners = (await queryRows<{ listener_id: string }>(ctx.conn, `select distinct listener_id from ${relation} where reject_reason is null`)).map((r) => r.listener_id);
  const cols = historyColumns.map((c) => c.name);
  const select = cols.map((c) => {
    if (c === 'started_at') return `played_at - to_milliseconds(ms_played) as started_at`;
    if (c === 'track_key') return `${TRACK_KEY_SQL} as track_key`;
    if (c === 'ingested_at') return `$now::timestamp as ingested_at`;
    if (c === 'run_id') return `$run as run_id`;
    return c;
  });
  // Most imports hold every play once. Only the rows of a repeated play go through the window that
  // keeps the first copy (partitioned and sorted on the grain); the others are sorted once, for the write.
  const repeated = await stageRepeatedPlays(ctx, relation, REPEATS_TABLE);
  const same = (a: string, b: string) => HISTORY_GRAIN.map((c) => `${a}.${c} is not distinct from ${b}.${c}`).join(' and ');
  // A literal list lets DuckDB skip the row groups of other listeners when it scans bronze.
  const inList = listeners.length > 0 ? listeners.map(quoteLiteral).join(', ') : 'null';
  const sql = `with incoming as (
      select ${select.join(', ')} from ${relation} where reject_reason is null
    ), deduped as (
      ${repeated > 0 ? `select i.* from incoming i anti join ${REPEATS_TABLE} r on ${same('i', 'r')}
      union all
      select * from (select i.* from incoming i semi join ${REPEATS_TABLE} r on ${same('i', 'r')})
      qualify row_number() over (partition by ${GRAIN_SQL} order by source_file, source_row) = 1` : 'select * from incoming'}
    )${exists ? `, existing as (
      select listener_id, played_at, track_key, ms_played from bronze.listening_history where listener_id in (${inList})
    )
    select d.* from deduped d anti join existing b
      on b.listener_id = d.listener_id and b.played_at = d.played_at and b.track_key = d.track_key
     and b.ms_played is not distinct from d.ms_played` : ' select * from deduped'}`;
  const now = utcNow();
  await ctx.tx.write(listeningHistory, { mode: 'append', sql, params: { now, run: ctx.runId }, orderBy: GRAIN_SQL, inputs: [] });
  await ctx.conn.run(`drop table if exists ${REPEATS_TABLE}`);
  // The rows this append added are the ones stamped with its time and run (older parts' row groups
  // are skipped on their ingested_at statistics); none when nothing was new.
  const counts = await queryRows<{ listener_id: string; n: number }>(ctx.conn,
    'select listener_id, count(*)::integer as n from bronze.listening_history where ingested_at = $now::timestamp and run_id = $run group by all', { now, run: ctx.runId });
  return new Map(counts.map((c) => [c.listener_id, c.n]));
}

/** appendHistoryCounts, summed: rows added over all listeners. */
export async function appendHistory(ctx: BuildContext, relation: string): Promise<number> {
  let total = 0;
  for (const n of (await appendHistoryCounts(ctx, relation)).values()) total += n;
  return total;
}
