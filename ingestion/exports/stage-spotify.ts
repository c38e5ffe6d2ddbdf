// Stages Spotify export files into the import's staging table (_history_incoming): every element
// mapped onto the history columns by its file's format, with the reason, field and raw line of a
// reject. Files are read together, as few DuckDB scans as their size allows, and staged with one
// INSERT per format; files that cannot be read together are staged one by one as before.
import { statSync } from 'node:fs';
import type { BuildContext } from '../../lib/build-context.ts';
import { quoteIdent, quoteLiteral } from '../../lib/duckdb.ts';
import { loadRows } from '../../lib/appender.ts';
import { historyColumns } from '../../bronze/listening_history.ts';
import { utcNow } from '../../bronze/write-rejects.ts';
import { FORMAT_KEYS, mappingSql, recordChecks, type ExportFormat } from './formats.ts';
import { loadExportFile, loadExportFiles, type ExportFile } from './source.ts';

/** Typed columns of the staging table, in bronze order up to incognito_mode. */
export const TYPED = historyColumns.filter((c) => !['listener_id', 'source', 'source_file', 'file_sha256', 'source_row', 'started_at', 'track_key', 'context_type', 'context_uri', 'ingested_at', 'run_id'].includes(c.name));

/** Personal keys blanked in the text of a rejected element that is no record (an array may hold one). */
const PERSONAL_KEYS = ['ip_addr', 'ip_addr_decrypted', 'username', 'user_agent_decrypted', 'user_agent', 'platform', 'conn_country'];
const scrubbed = (col: string) => `left(regexp_replace(${col}, '"(${PERSONAL_KEYS.join('|')})"\\s*:\\s*("(\\\\.|[^"\\\\])*"|[^,\\]}]*)', '"\\1":null', 'g'), 200)`;

/**
 * Bytes of JSON read by one scan. The scan's elements are held in a temp table until staged; this
 * bounds it (about a quarter million plays) while a study's thousands of small files still take a
 * handful of scans instead of one round trip each.
 */
export const SCAN_BYTES = 256 * 1024 * 1024;

export interface SpotifyFileStaged { file: string; format: ExportFormat | 'empty'; records: number; rejected: number }
export interface SpotifyEntry { listenerId: string; file: ExportFile }

/**
 * The INSERT that stages the rows of `relation` as `format`: its columns are those of a loaded file
 * (source.ts) plus listener_id, source_file and file_sha256. $now is the import time.
 */
function stagingSql(format: ExportFormat, relation: string): string {
  // Only the known keys of the format are kept in the raw line, so personal fields never are. The
  // record is only packed per row; the text is made for rejects alone (for every row it was a sixth
  // of the staging statement's time).
  const record = `struct_pack(${FORMAT_KEYS[format].map((k) => `${quoteIdent(k)} := ${quoteIdent(k)}`).join(', ')})`;
  const raw = `case when kind = 'OBJECT' then to_json(raw_record)::varchar else ${scrubbed('element_text')} end`;
  const checks = recordChecks(format);
  const field = `case ${checks.map((c) => `when ${c.when} then ${c.field ?? 'null'}`).join(' ')} end`;
  const reason = `case ${checks.map((c) => `when ${c.when} then ${c.reason}`).join(' ')} end`;
  const target = ['listener_id', 'source', 'source_file', 'file_sha256', 'source_row', ...TYPED.map((c) => c.name), 'raw_line', 'reject_field', 'reject_reason'];
  return `insert into _history_incoming (${target.join(', ')})
    with mapped as (select listener_id, source_file, file_sha256, source_row, kind, element_text, dup_key, ${record} as raw_record, ${mappingSql(format)} from ${relation}),
    checked as (select *, ${field} as reject_field, ${reason} as reject_reason from mapped)
    -- The raw record is kept only for rejects: carrying it for every play multiplied staging memory.
    select listener_id, ${quoteLiteral(format)}, source_file, file_sha256, source_row, ${TYPED.map((c) => c.name).join(', ')},
      case when reject_reason is not null then ${raw} end, reject_field, reject_reason
    from checked`;
}

// Rejects are counted for all files at once after staging (countStagedRejects in ingest.ts): a count
// per file scanned the whole staging table each time, quadratic in a study's files.
const summary = (file: ExportFile): SpotifyFileStaged => ({ file: file.name, format: file.format ?? 'empty', records: file.format ? file.records : 0, rejected: 0 });

/** Stages one file with its own scan: the path for files that cannot be read with others. */
export async function stageSpotifyFile(ctx: BuildContext, file: ExportFile, listenerId: string): Promise<SpotifyFileStaged> {
  await loadExportFile(ctx.conn, file, '_export_raw');
  if (file.format) {
    await ctx.conn.run(stagingSql(file.format, `(select $listener as listener_id, $file as source_file, $sha as file_sha256, * from _export_raw)`),
      { listener: listenerId, file: file.name, sha: file.sha256, now: utcNow() });
  }
  return summary(file);
}

/** Distinct paths in order, cut into runs of at most `bytes` of files (a larger file runs alone). */
function scans(entries: SpotifyEntry[], bytes: number): string[][] {
  const out: string[][] = [];
  let size = Infinity;
  for (const path of new Set(entries.map((e) => e.file.path))) {
    const n = statSync(path).size;
    if (size + n > bytes) {
      out.push([]);
      size = 0;
    }
    out[out.length - 1].push(path);
    size += n;
  }
  return out;
}

/**
 * Stages the files at `paths` (of `entries`) read in one scan, with one INSERT per format; false,
 * staging nothing, when the scan refuses them (loadExportFiles).
 */
async function stageScan(ctx: BuildContext, entries: SpotifyEntry[], paths: string[]): Promise<boolean> {
  const at = new Map(paths.map((p, i) => [p, i]));
  const files = paths.map((p) => entries.find((e) => e.file.path === p)!.file);
  const firsts = await loadExportFiles(ctx.conn, files, '_export_batch');
  if (!firsts) {
    await ctx.conn.run('drop table if exists _export_batch');
    return false;
  }
  for (const e of entries) Object.assign(e.file, { records: files[at.get(e.file.path)!].records, format: files[at.get(e.file.path)!].format });
  await loadRows(ctx.conn, '_export_batch_files', [
    { name: 'file_index', type: 'INTEGER' }, { name: 'first_seq', type: 'BIGINT' }, { name: 'listener_id', type: 'VARCHAR' },
    { name: 'source_file', type: 'VARCHAR' }, { name: 'file_sha256', type: 'VARCHAR' }, { name: 'format', type: 'VARCHAR' },
  ], entries.map((e) => [at.get(e.file.path)!, firsts[at.get(e.file.path)!], e.listenerId, e.file.name, e.file.sha256, e.file.format]));
  for (const format of new Set(files.flatMap((f) => (f.format ? [f.format] : [])))) {
    await ctx.conn.run(stagingSql(format, `(select f.listener_id, f.source_file, f.file_sha256, r.element_seq - f.first_seq + 1 as source_row,
        r.* exclude (element_seq, file_index)
      from _export_batch r join _export_batch_files f on f.file_index = r.file_index where f.format = ${quoteLiteral(format)})`), { now: utcNow() });
  }
  // Freed before the next scan: only one scan's elements are held at a time.
  await ctx.conn.run('drop table _export_batch; drop table _export_batch_files');
  return true;
}

/**
 * Stages the files of `entries` (a listener each; the same file may come for several listeners)
 * and returns their summaries in the same order. Each run of files up to `scanBytes` is read in one
 * scan; when a scan refuses its files they are staged one by one, so a broken file fails exactly
 * as it did alone.
 */
export async function stageSpotifyFiles(ctx: BuildContext, entries: SpotifyEntry[], scanBytes = SCAN_BYTES): Promise<SpotifyFileStaged[]> {
  const staged = new Map<SpotifyEntry, SpotifyFileStaged>();
  for (const paths of scans(entries, scanBytes)) {
    const mine = entries.filter((e) => paths.includes(e.file.path));
    if (!(await stageScan(ctx, mine, paths))) {
      for (const e of mine) staged.set(e, await stageSpotifyFile(ctx, e.file, e.listenerId));
    } else for (const e of mine) staged.set(e, summary(e.file));
  }
  // Only on success: a failure propagates as it is, and the temp tables end with the connection.
  await ctx.conn.run('drop table if exists _export_batch; drop table if exists _export_batch_files; drop table if exists _export_raw');
  return entries.map((e) => staged.get(e)!);
}
