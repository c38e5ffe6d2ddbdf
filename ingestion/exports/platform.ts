// What the file readers of the other platforms (ingestion/lastfm, apple-music, youtube-music) share:
// the play row they produce, the value of bronze.listening_history.source (the file format) and the
// platform it belongs to (silver's history_source), a CSV reader that keeps only the named columns,
// and the staging of parsed rows into the export import's staging table.
import { createReadStream, readFileSync } from 'node:fs';
import { Transform } from 'node:stream';
import { parse } from 'csv-parse';
import { parse as parseSync } from 'csv-parse/sync';
import type { DuckDBConnection } from '../../lib/duckdb.ts';
import { appendRows, type AppendColumn } from '../../lib/appender.ts';
import { InputFileError, errorMessage } from '../../lib/errors.ts';

/**
 * bronze.listening_history.source of the other platforms: the file format (a Last.fm CSV layout, an
 * Apple file, a Takeout file, the Last.fm API). silver's history_source is the platform (historySourceSql).
 */
export type PlatformFormat =
  | 'lastfm_csv_headerless' | 'lastfm_csv_ghan' | 'lastfm_csv_utc_time' | 'lastfm_csv_lastfmr' | 'lastfm_csv_boeing'
  | 'lastfm_csv' | 'lastfm_api'
  | 'apple_play_activity' | 'apple_recently_played' | 'apple_daily_tracks'
  | 'youtube_watch_history';

export type Platform = 'lastfm' | 'apple_music' | 'youtube_music';

export function platformOf(format: PlatformFormat): Platform {
  if (format.startsWith('lastfm')) return 'lastfm';
  if (format.startsWith('apple')) return 'apple_music';
  return 'youtube_music';
}

/** SQL: the platform (history_source) of a bronze `source` value; Spotify's formats are their own value. */
export function historySourceSql(col: string): string {
  return `case when ${col} like 'lastfm%' then 'lastfm' when ${col} like 'apple%' then 'apple_music'
    when ${col} like 'youtube%' then 'youtube_music' else ${col} end`;
}

/** Plays of the other platforms must end between this day and a day after the import (Audioscrobbler began in 2002). */
export const PLATFORM_EARLIEST = Date.UTC(2002, 0, 1);

/** One record of a file as a play (or a reject: then `reject` is set and the raw record kept). */
export interface PlayRow {
  sourceRow: number;
  /** End of playback (or the scrobble/watch time where that is all the source has), epoch ms UTC. */
  playedAt: number | null;
  msPlayed: number | null;
  track: string | null;
  artist: string | null;
  album: string | null;
  reasonEnd?: string | null;
  skipped?: boolean | null;
  shuffle?: boolean | null;
  offline?: boolean | null;
  /** The record's known fields only (never personal columns); stored with a reject. */
  raw: Record<string, string | null>;
  reject?: { field: string | null; reason: string };
}

/** A parsed file: its format, every record as a row or reject, and what is no play at all. */
export interface ParsedFile {
  format: PlatformFormat;
  /** Records (CSV data rows, array elements) in the file. */
  records: number;
  rows: PlayRow[];
  /** Records that are no listening history at all and are dropped uncounted (e.g. YouTube video views): not stored anywhere. */
  notPlays: number;
  /** The listener's most common UTC offset in the file (Apple Play Activity), seconds. */
  utcOffsetSeconds?: number | null;
  /** Apple daily aggregates (bronze.apple_music_daily_tracks), not plays. */
  daily?: DailyTrackRow[];
}

export interface DailyTrackRow {
  sourceRow: number;
  datePlayed: string;
  hours: string | null;
  playDurationMs: number | null;
  playCount: number | null;
  skipCount: number | null;
  endReasonType: string | null;
  sourceType: string | null;
  trackIdentifier: string | null;
  trackDescription: string | null;
  artist: string | null;
  track: string | null;
}

/** Reject helper. */
export const reject = (row: Omit<PlayRow, 'reject'>, field: string | null, reason: string): PlayRow => ({ ...row, reject: { field, reason } });

/** Range check shared by every platform: a reason, or null when the time is plausible. */
export function timeRangeProblem(ms: number, raw: string, nowMs: number): string | null {
  if (ms < PLATFORM_EARLIEST || ms > nowMs + 86_400_000) return `timestamp out of range: "${raw.slice(0, 100)}" (expected 2002-01-01 to one day after the import)`;
  return null;
}

const NAME = (s: string) => s.replace(/^\uFEFF/, '').trim().toLowerCase();

/**
 * Reads a CSV file record by record with csv-parse, giving each data record as an object of the
 * `wanted` columns only (by header name, case-insensitive; other columns, e.g. personal ones, are
 * never copied out of the parser's array). `header` false: the columns are `wanted` by position.
 * Broken quoting refuses the file naming the line.
 */
export async function readCsvColumns(path: string, wanted: string[], opts: { header: boolean; relaxQuotes?: boolean }):
  Promise<{ header: string[]; records: { row: number; fields: Record<string, string | null>; width: number }[] }> {
  const parser = parse({ bom: true, relax_column_count: true, relax_quotes: opts.relaxQuotes ?? false, skip_empty_lines: true });
  const source = createReadStream(path);
  const decoder = strictUtf8(path);
  // pipe() does not forward errors: a read or decoding error ends the parser with it.
  source.on('error', (e) => parser.destroy(e));
  decoder.on('error', (e) => { source.destroy(); parser.destroy(e); });
  source.pipe(decoder).pipe(parser);
  let header: string[] | null = opts.header ? null : wanted;
  let index: number[] = wanted.map((_, i) => i);
  const records: { row: number; fields: Record<string, string | null>; width: number }[] = [];
  try {
    for await (const rec of parser as AsyncIterable<string[]>) {
      if (header === null) {
        header = rec.map((h) => h.replace(/^\uFEFF/, '').trim());
        const names = header.map(NAME);
        index = wanted.map((w) => names.indexOf(NAME(w)));
        continue;
      }
      const fields: Record<string, string | null> = {};
      wanted.forEach((w, i) => { fields[w] = index[i] >= 0 && index[i] < rec.length ? rec[index[i]] : null; });
      records.push({ row: records.length + 1, fields, width: rec.length });
    }
  } catch (err) {
    if (err instanceof InputFileError) throw err;
    throw new InputFileError(path, `malformed CSV: ${errorMessage(err).split('\n')[0].slice(0, 300)}`);
  }
  return { header: header ?? [], records };
}

/** Decodes UTF-8 strictly: invalid bytes refuse the file naming the byte offset (never silently U+FFFD). */
export function strictUtf8(path: string): Transform {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let offset = 0;
  const fail = (chunk: Uint8Array) => {
    // Find the first invalid byte of this chunk for the message.
    // Prefixes decode (in stream mode) until the first invalid byte: a binary search finds it.
    const ok = (n: number) => { try { new TextDecoder('utf-8', { fatal: true }).decode(chunk.subarray(0, n), { stream: true }); return true; } catch { return false; } };
    let good = 0;
    let bad = chunk.length;
    while (bad - good > 1) { const mid = (good + bad) >> 1; if (ok(mid)) good = mid; else bad = mid; }
    return new InputFileError(path, `not valid UTF-8 near byte ${offset + good + 1}`);
  };
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      try {
        const text = decoder.decode(chunk, { stream: true });
        offset += chunk.length;
        done(null, text);
      } catch {
        done(fail(chunk));
      }
    },
    flush(done) {
      try { done(null, decoder.decode()); } catch { done(new InputFileError(path, `not valid UTF-8: the file ends inside a character (byte ${offset})`)); }
    },
  });
}

/** A whole file as strictly decoded UTF-8 text (JSON readers). */
export function readUtf8(path: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(readFileSync(path));
  } catch {
    throw new InputFileError(path, 'not valid UTF-8');
  }
}

/** A whole file parsed as JSON, strictly decoded; malformed JSON is refused naming the file. */
export function readJsonDocument(path: string): unknown {
  const text = readUtf8(path);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new InputFileError(path, `malformed JSON: ${errorMessage(err).slice(0, 300)}`);
  }
}

/** The first `n` CSV records of a file head (complete lines only), for recognising a file by its header; null when it is no CSV. */
export function firstCsvRecords(text: string, n: number): string[][] | null {
  const lastNl = text.lastIndexOf('\n');
  const complete = lastNl >= 0 ? text.slice(0, lastNl + 1) : text;
  const opts = { bom: true, relax_column_count: true, relax_quotes: true, skip_empty_lines: true };
  try {
    return parseSync(complete, { ...opts, to_line: n }) as string[][];
  } catch {
    // Broken quoting further down: the header alone still says what the file is (the importer then refuses it naming the line).
    try {
      const firstLine = complete.slice(0, complete.indexOf('\n') + 1 || undefined);
      return parseSync(firstLine, { ...opts, to_line: 1 }) as string[][];
    } catch {
      return null;
    }
  }
}

const STAGING: AppendColumn[] = [
  { name: 'source_row', type: 'BIGINT' }, { name: 'played_at_ms', type: 'BIGINT' }, { name: 'ms_played', type: 'BIGINT' },
  { name: 'track_name', type: 'VARCHAR' }, { name: 'artist_name', type: 'VARCHAR' }, { name: 'album_name', type: 'VARCHAR' },
  { name: 'reason_end', type: 'VARCHAR' }, { name: 'skipped', type: 'BOOLEAN' }, { name: 'shuffle', type: 'BOOLEAN' }, { name: 'offline', type: 'BOOLEAN' },
  { name: 'raw_line', type: 'VARCHAR' }, { name: 'reject_field', type: 'VARCHAR' }, { name: 'reject_reason', type: 'VARCHAR' },
];

const clean = (s: string | null | undefined) => {
  if (s === null || s === undefined) return null;
  const t = s.trim();
  return t === '' ? null : t;
};

/**
 * Appends a parsed file's rows to `_history_incoming` (the export import's staging table): plays as
 * tracks with the file format as `source`, rejects with their raw record (known fields only).
 */
export async function stagePlatformRows(conn: DuckDBConnection, parsed: ParsedFile, meta: { listenerId: string; file: string; sha256: string }): Promise<number> {
  const cols = STAGING.map((c) => `${c.name} ${c.type}`).join(', ');
  await conn.run(`create or replace temp table _platform_rows (${cols})`);
  await appendRows(conn, '_platform_rows', STAGING, parsed.rows.map((r) => [
    r.sourceRow, r.reject ? null : r.playedAt, r.reject ? null : r.msPlayed, clean(r.track), clean(r.artist), clean(r.album),
    clean(r.reasonEnd ?? null), r.skipped ?? null, r.shuffle ?? null, r.offline ?? null,
    r.reject ? JSON.stringify(r.raw) : null, r.reject?.field ?? null, r.reject?.reason ?? null,
  ]));
  await conn.run(`insert into _history_incoming (listener_id, source, source_file, file_sha256, source_row, played_at, ms_played, content_type,
      track_name, artist_name, album_name, reason_end, skipped, shuffle, offline, raw_line, reject_field, reject_reason)
    select $listener, $source, $file, $sha, source_row, make_timestamp(played_at_ms * 1000), ms_played, 'track',
      track_name, artist_name, album_name, reason_end, skipped, shuffle, offline, raw_line, reject_field, reject_reason
    from _platform_rows`, { listener: meta.listenerId, source: parsed.format, file: meta.file, sha: meta.sha256 });
  await conn.run('drop table _platform_rows');
  return parsed.rows.filter((r) => r.reject).length;
}

/** Rejected rows per reason (the reason up to its first colon), for summaries and READMEs. */
export function rejectsByReason(parsed: ParsedFile): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of parsed.rows) if (r.reject) { const k = r.reject.reason.split(':')[0]; out[k] = (out[k] ?? 0) + 1; }
  return out;
}
