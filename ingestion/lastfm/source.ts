// Reading Last.fm files: recognising them by content (CSV header or shape; a JSON object holding
// user.getrecenttracks tracks) and turning every record into a play or a reject.
import { readFileSync } from 'node:fs';
import { InputFileError } from '../../lib/errors.ts';
import { firstCsvRecords, readCsvColumns, readJsonDocument, type ParsedFile, type PlatformFormat, type PlayRow } from '../exports/platform.ts';
import { lastfmApiRow, lastfmCsvRow, lastfmLayout, type ApiTrack, type CsvLayout } from './parse.ts';

/** The Last.fm format of a file head (text), or null. */
export function recogniseLastfm(text: string): PlatformFormat | null {
  if (/^\s*\{\s*"(recenttracks|recentTracks)"\s*:/.test(text)) return 'lastfm_api';
  if (/^\s*[[{]/.test(text)) return null;
  const recs = firstCsvRecords(text, 21);
  return recs ? lastfmLayout(recs)?.format ?? null : null;
}

/** Reads a whole Last.fm file (CSV of any known layout, or a recorded getrecenttracks JSON). */
export async function readLastfmFile(path: string, format: PlatformFormat, nowMs = Date.now()): Promise<ParsedFile> {
  if (format === 'lastfm_api') return readApiFile(path, nowMs);
  const head = readFileSync(path).subarray(0, 256 * 1024).toString('utf8');
  const layout: CsvLayout | null = lastfmLayout(firstCsvRecords(head, 21) ?? []);
  if (!layout) throw new InputFileError(path, 'not a Last.fm CSV: the header (or the first records) match no known layout');
  const { records } = await readCsvColumns(path, layout.columns, { header: layout.header, relaxQuotes: true });
  const rows: PlayRow[] = records.map((r) => lastfmCsvRow(layout, r.row, r.fields, r.width, nowMs));
  return { format: layout.format, records: records.length, rows, notPlays: 0 };
}

/** The tracks of a getrecenttracks reply ({recenttracks:{track:[…]}}) or of a wrapper holding them ({recentTracks:[…]}). */
export function apiTracks(doc: unknown): unknown[] | null {
  if (!doc || typeof doc !== 'object') return null;
  const o = doc as Record<string, unknown>;
  if (Array.isArray(o.recentTracks)) return o.recentTracks;
  const rt = o.recenttracks as Record<string, unknown> | undefined;
  if (rt && typeof rt === 'object') {
    if (Array.isArray(rt.track)) return rt.track;
    if (rt.track && typeof rt.track === 'object') return [rt.track];
    return [];
  }
  return null;
}

async function readApiFile(path: string, nowMs: number): Promise<ParsedFile> {
  const doc = readJsonDocument(path);
  const tracks = apiTracks(doc);
  if (!tracks) throw new InputFileError(path, 'not a Last.fm recent-tracks file: no recenttracks.track or recentTracks list');
  const rows = tracks.map((t, i) => (t && typeof t === 'object' && !Array.isArray(t)
    ? lastfmApiRow(t as ApiTrack, i + 1, nowMs)
    : { sourceRow: i + 1, playedAt: null, msPlayed: null, track: null, artist: null, album: null, raw: { element: JSON.stringify(t).slice(0, 200) }, reject: { field: null, reason: 'not a record: the track list element is no object' } }));
  return { format: 'lastfm_api', records: tracks.length, rows, notPlays: 0 };
}
