// Imports privacy-export files of one listener into bronze.listening_history (append-only,
// deduplicated on listener, played_at and track key) with their rejects, in the caller's
// transaction: every file is checked before anything is staged, so a command imports all of its
// files or none.
import type { BuildContext } from '../../lib/build-context.ts';
import { quoteIdent, quoteLiteral, queryRows } from '../../lib/duckdb.ts';
import { relationExists } from '../../lib/lake.ts';
import { UsageError } from '../../lib/errors.ts';
import listeningHistory, { historyColumns } from '../../bronze/listening_history.ts';
import { writeRejectsFrom, utcNow } from '../../bronze/write-rejects.ts';
import { ensureListeners } from '../../bronze/listener-registry.ts';
import { FORMAT_KEYS, TRACK_KEY_SQL, mappingSql, recordChecks, type ExportFormat } from './formats.ts';
import { inspectExportFile, loadExportFile, type ExportFile } from './source.ts';
import { discoverExports, readdressError, type ExportDiscovery } from './discover.ts';

export interface ExportFileSummary {
  file: string;
  format: ExportFormat | 'empty';
  records: number;
  rejected: number;
}

export interface ExportIngestSummary {
  listener_id: string;
  files: ExportFileSummary[];
  records: number;
  rows_added: number;
  duplicates_skipped: number;
  rows_rejected: number;
  by_content_type: Record<string, number>;
  /** Files of a folder or archive that are not a listening history (never read beyond their start). */
  skipped: { file: string; reason: string }[];
  /** The listener's time zone, whether it was given or defaulted (LAKEHOUSE_TIMEZONE), and whether this import registered them. */
  timezone: string;
  timezone_source: 'given' | 'default' | null;
  new_listener: boolean;
}

/** Typed columns of the staging table, in bronze order up to incognito_mode. */
const TYPED = historyColumns.filter((c) => !['listener_id', 'source', 'source_file', 'file_sha256', 'source_row', 'started_at', 'track_key', 'context_type', 'context_uri', 'ingested_at', 'run_id'].includes(c.name));

/** Personal keys blanked in the text of a rejected element that is no record (an array may hold one). */
const PERSONAL_KEYS = ['ip_addr', 'ip_addr_decrypted', 'username', 'user_agent_decrypted', 'user_agent', 'platform', 'conn_country'];
const scrubbed = (col: string) => `left(regexp_replace(${col}, '"(${PERSONAL_KEYS.join('|')})"\\s*:\\s*("(\\\\.|[^"\\\\])*"|[^,\\]}]*)', '"\\1":null', 'g'), 200)`;

async function stageFile(ctx: BuildContext, file: ExportFile, listenerId: string): Promise<ExportFileSummary> {
  const records = await loadExportFile(ctx.conn, file, '_export_raw');
  if (!file.format) return { file: file.name, format: 'empty', records: 0, rejected: 0 };
  // Only the known keys of the format are kept in the raw line, so personal fields never are.
  const raw = `case when kind = 'OBJECT' then to_json(struct_pack(${FORMAT_KEYS[file.format].map((k) => `${quoteIdent(k)} := ${quoteIdent(k)}`).join(', ')}))::varchar
    else ${scrubbed('element_text')} end`;
  const checks = recordChecks(file.format);
  const field = `case ${checks.map((c) => `when ${c.when} then ${c.field ?? 'null'}`).join(' ')} end`;
  const reason = `case ${checks.map((c) => `when ${c.when} then ${c.reason}`).join(' ')} end`;
  const target = ['listener_id', 'source', 'source_file', 'file_sha256', 'source_row', ...TYPED.map((c) => c.name), 'raw_line', 'reject_field', 'reject_reason'];
  await ctx.conn.run(`insert into _history_incoming (${target.join(', ')})
    with mapped as (select source_row, kind, element_text, dup_key, ${raw} as raw_line, ${mappingSql(file.format)} from _export_raw),
    checked as (select *, ${field} as reject_field, ${reason} as reject_reason from mapped)
    -- The raw record is kept only for rejects: carrying it for every play multiplied staging memory.
    select $listener, $source, $file, $sha, source_row, ${TYPED.map((c) => c.name).join(', ')},
      case when reject_reason is not null then raw_line end, reject_field, reject_reason
    from checked`, { listener: listenerId, source: file.format, file: file.name, sha: file.sha256, now: utcNow() });
  const [{ n }] = await queryRows<{ n: number }>(ctx.conn, 'select count(*)::integer as n from _history_incoming where file_sha256 = $sha and reject_reason is not null', { sha: file.sha256 });
  return { file: file.name, format: file.format, records, rejected: n };
}

async function createStaging(ctx: BuildContext): Promise<void> {
  const cols = TYPED.map((c) => `${c.name} ${c.type}`).join(', ');
  await ctx.conn.run(`create or replace temp table _history_incoming (listener_id VARCHAR, source VARCHAR, source_file VARCHAR, file_sha256 VARCHAR, source_row BIGINT, ${cols}, context_type VARCHAR, context_uri VARCHAR, raw_line VARCHAR, reject_field VARCHAR, reject_reason VARCHAR)`);
}

export interface ExportBatch {
  listenerId: string;
  paths: string[];
  timezone?: string;
}

export async function ingestExports(ctx: BuildContext, paths: string[], listenerId: string, timezone?: string): Promise<ExportIngestSummary> {
  const [summary] = await ingestExportBatches(ctx, [{ listenerId, paths, timezone }]);
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
  const planned: { batch: ExportBatch; files: ExportFile[] }[] = [];
  const skipped = new Map<string, { file: string; reason: string }[]>();
  for (const batch of batches) {
    const found = await discoverExports(batch.paths);
    discoveries.push(found);
    const skips = found.skipped.map((s) => ({ file: s.file, reason: s.reason }));
    skipped.set(batch.listenerId, [...(skipped.get(batch.listenerId) ?? []), ...skips]);
    if (found.histories.length === 0) {
      throw new UsageError(`ingest export: no listening history found in ${batch.paths.join(', ')}${skips.length ? ` (skipped: ${skips.map((s) => `${s.file} (${s.reason})`).join(', ')})` : ''}`);
    }
    const files: ExportFile[] = [];
    for (const h of found.histories) files.push(await inspectExportFile(ctx.conn, h.path));
    planned.push({ batch, files });
  }
  await createStaging(ctx);
  const perListener = new Map<string, ExportFileSummary[]>();
  for (const { batch, files } of planned) {
    const list = perListener.get(batch.listenerId) ?? [];
    for (const f of files) list.push(await stageFile(ctx, f, batch.listenerId));
    perListener.set(batch.listenerId, list);
  }
  const registry = await ensureListeners(ctx, batches.map((b) => ({ id: b.listenerId, timezone: b.timezone })));
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
    const rowsAdded = added.get(listenerId) ?? 0;
    const listener = registry.rows.find((r) => r.listener_id === listenerId);
    return {
      listener_id: listenerId, files, records, rows_added: rowsAdded,
      skipped: skipped.get(listenerId) ?? [], timezone: listener?.timezone ?? ctx.config.timezone,
      timezone_source: listener?.timezone_source ?? null, new_listener: registry.added.includes(listenerId),
      duplicates_skipped: records - rejected - rowsAdded, rows_rejected: rejected,
      by_content_type: Object.fromEntries(byType.filter((r) => r.listener_id === listenerId).map((r) => [r.content_type, r.n])),
    };
  });
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
  // A literal list lets DuckDB skip the row groups of other listeners when it scans bronze.
  const inList = listeners.length > 0 ? listeners.map(quoteLiteral).join(', ') : 'null';
  await ctx.conn.run(`create or replace temp table _history_fresh as
    with incoming as (
      select ${select.join(', ')} from ${relation} where reject_reason is null
    ), deduped as (
      select * from incoming
      qualify row_number() over (partition by listener_id, played_at, track_key, ms_played order by source_file, source_row) = 1
    )${exists ? `, existing as (
      select listener_id, played_at, track_key, ms_played from bronze.listening_history where listener_id in (${inList})
    )
    select d.* from deduped d anti join existing b
      on b.listener_id = d.listener_id and b.played_at = d.played_at and b.track_key = d.track_key
     and b.ms_played is not distinct from d.ms_played` : ' select * from deduped'}`, { now: utcNow(), run: ctx.runId });
  const counts = await queryRows<{ listener_id: string; n: number }>(ctx.conn, 'select listener_id, count(*)::integer as n from _history_fresh group by all');
  await ctx.tx.write(listeningHistory, {
    mode: 'append',
    sql: 'select * from _history_fresh',
    orderBy: 'listener_id, played_at, track_key, ms_played',
    inputs: [],
  });
  await ctx.conn.run('drop table if exists _history_fresh');
  return new Map(counts.map((c) => [c.listener_id, c.n]));
}

/** appendHistoryCounts, summed: rows added over all listeners. */
export async function appendHistory(ctx: BuildContext, relation: string): Promise<number> {
  let total = 0;
  for (const n of (await appendHistoryCounts(ctx, relation)).values()) total += n;
  return total;
}
