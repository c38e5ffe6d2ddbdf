// Reading Apple Music CSVs: recognised by their column names, read with csv-parse keeping only the
// columns the importer needs (never the personal ones).
import { readFileSync } from 'node:fs';
import { InputFileError } from '../../lib/errors.ts';
import { firstCsvRecords, readCsvColumns, type DailyTrackRow, type ParsedFile, type PlatformFormat, type PlayRow } from '../exports/platform.ts';
import {
  DAILY_TRACKS_COLUMNS, PLAY_ACTIVITY_COLUMNS, RECENTLY_PLAYED_COLUMNS, appleFormat, dailyTrackRow, playActivityRow,
  recentlyPlayedRow, usualOffset,
} from './parse.ts';

/** The Apple Music format of a file head (text), or null. */
export function recogniseApple(text: string): PlatformFormat | null {
  if (/^\s*[[{]/.test(text)) return null;
  const recs = firstCsvRecords(text, 1);
  return recs && recs.length > 0 ? appleFormat(recs[0]) : null;
}

export async function readAppleFile(path: string, nowMs = Date.now()): Promise<ParsedFile> {
  const head = readFileSync(path).subarray(0, 256 * 1024).toString('utf8');
  const recs = firstCsvRecords(head, 1);
  const format = recs && recs.length > 0 ? appleFormat(recs[0]) : null;
  if (!format) throw new InputFileError(path, 'not an Apple Music CSV: the header names none of Play Activity, Recently Played Tracks or Daily Tracks');
  if (format === 'apple_play_activity') {
    const { records } = await readCsvColumns(path, PLAY_ACTIVITY_COLUMNS, { header: true });
    const rows = records.map((r) => playActivityRow(r.row, r.fields, nowMs));
    const offset = usualOffset(records.map((r) => r.fields['UTC Offset In Seconds']));
    return { format, records: records.length, rows, notPlays: 0, utcOffsetSeconds: offset };
  }
  if (format === 'apple_recently_played') {
    const { records } = await readCsvColumns(path, RECENTLY_PLAYED_COLUMNS, { header: true });
    return { format, records: records.length, rows: records.map((r) => recentlyPlayedRow(r.row, r.fields, nowMs)), notPlays: 0 };
  }
  const { records } = await readCsvColumns(path, DAILY_TRACKS_COLUMNS, { header: true });
  const daily: DailyTrackRow[] = [];
  const rows: PlayRow[] = [];
  for (const r of records) {
    const d = dailyTrackRow(r.row, r.fields);
    if ('reason' in d) rows.push({ sourceRow: r.row, playedAt: null, msPlayed: null, track: null, artist: null, album: null, raw: r.fields, reject: { field: d.field, reason: d.reason } });
    else daily.push(d);
  }
  // Daily aggregates are no plays: they go to their own table (rows holds only the rejects).
  return { format, records: records.length, rows, notPlays: daily.length, daily };
}
