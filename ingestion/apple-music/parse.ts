// Apple Music files of an Apple Media Services data request, by column names (any schema
// generation): Play Activity (one row per playback event), Recently Played Tracks (one row per track
// with its last play) and Play History Daily Tracks (daily aggregates, not plays). Personal columns
// (Apple ID, device and client ids, client IP, IP city/latitude/longitude) are in no column list
// here, so they are never copied out of the CSV parser.
import { reject, timeRangeProblem, type DailyTrackRow, type PlatformFormat, type PlayRow } from '../exports/platform.ts';

export const PLAY_ACTIVITY_COLUMNS = [
  'Song Name', 'Content Name', 'Artist Name', 'Album Name', 'Event Start Timestamp', 'Event End Timestamp',
  'Play Duration Milliseconds', 'End Reason Type', 'UTC Offset In Seconds', 'Item Type', 'Event Type', 'Shuffle Play', 'Offline',
];
export const RECENTLY_PLAYED_COLUMNS = [
  'Last Modified', 'Container Type', 'Container Description', 'Track Description', 'Last Event End Timestamp',
  'Total plays', 'Total skips', 'Total play duration in millis', 'Last End Reason Tyoe', 'Last End Reason Type',
];
export const DAILY_TRACKS_COLUMNS = [
  'Track Identifier', 'Date Played', 'Hours', 'Play Duration Milliseconds', 'End Reason Type', 'Source Type',
  'Play Count', 'Skip Count', 'Track Description',
];

/** The Apple file a CSV header (first record) belongs to, or null. */
export function appleFormat(header: string[]): PlatformFormat | null {
  const h = new Set(header.map((x) => x.replace(/^\uFEFF/, '').trim().toLowerCase()));
  const has = (c: string) => h.has(c.toLowerCase());
  if ((has('Event Start Timestamp') || has('Event End Timestamp')) && (has('Song Name') || has('Content Name')) && has('Play Duration Milliseconds')) return 'apple_play_activity';
  if (has('Date Played') && has('Track Description') && has('Play Count')) return 'apple_daily_tracks';
  if (has('Last Modified') && has('Track Description') && has('Container Type')) return 'apple_recently_played';
  return null;
}

const text = (s: string | null | undefined) => (s === null || s === undefined || s.trim() === '' ? null : s.trim());
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$/;

function isoMs(s: string): number | null {
  if (!ISO.test(s)) return null;
  const ms = Date.parse(s);
  return Number.isNaN(ms) ? null : ms;
}

/** A whole number written as "186000" or pandas' "186000.0"; null when it is not one. */
export function wholeNumber(s: string): number | null {
  if (!/^-?\d+(\.0+)?$/.test(s.trim())) return null;
  return Number(s.trim());
}

const bool = (s: string | null) => {
  const t = text(s)?.toLowerCase();
  return t === 'true' ? true : t === 'false' ? false : null;
};

/** Item types that are songs (catalogue or library content); every other type is quarantined. */
const SONG_ITEM_TYPES = new Set(['ITUNES_STORE_CONTENT']);
/** Event types that are playback; LYRIC_DISPLAY and others are not plays. */
const PLAY_EVENT_TYPES = new Set(['PLAY_END', 'PLAY_START']);
/** End reasons that count as a skip (is_skip). */
export const SKIP_END_REASONS = new Set(['TRACK_SKIPPED_FORWARDS', 'TRACK_SKIPPED_BACKWARDS']);
const MAX_MS = 86_400_000;

/** One Play Activity row as a play or a reject (first failing rule wins; README "Apple Music"). */
export function playActivityRow(row: number, f: Record<string, string | null>, nowMs: number): PlayRow {
  const raw = f;
  const base: Omit<PlayRow, 'reject'> = {
    sourceRow: row, playedAt: null, msPlayed: null,
    track: text(f['Song Name']) ?? text(f['Content Name']), artist: text(f['Artist Name']), album: text(f['Album Name']),
    reasonEnd: text(f['End Reason Type']), skipped: null, shuffle: bool(f['Shuffle Play']), offline: bool(f.Offline), raw,
  };
  const titleField = f['Song Name'] !== null && f['Song Name'] !== undefined ? 'Song Name' : 'Content Name';
  const item = text(f['Item Type']);
  if (item !== null && !SONG_ITEM_TYPES.has(item)) return reject(base, 'Item Type', `not a song: Item Type ${item.slice(0, 60)}`);
  const event = text(f['Event Type']);
  if (event !== null && !PLAY_EVENT_TYPES.has(event)) return reject(base, 'Event Type', `not a play: Event Type ${event.slice(0, 60)}`);
  if (base.track === null) return reject(base, titleField, 'empty title');
  const durRaw = text(f['Play Duration Milliseconds']);
  let ms: number | null = null;
  if (durRaw !== null) {
    ms = wholeNumber(durRaw);
    if (ms === null) return reject(base, 'Play Duration Milliseconds', `play time is not a whole number of milliseconds: "${durRaw.slice(0, 100)}"`);
    if (ms < 0) return reject(base, 'Play Duration Milliseconds', `negative play time: "${durRaw.slice(0, 100)}"`);
    if (ms > MAX_MS) return reject(base, 'Play Duration Milliseconds', `play time out of range: "${durRaw.slice(0, 100)}" (expected 0 to ${MAX_MS} ms, 24 h)`);
  }
  const endRaw = text(f['Event End Timestamp']);
  const startRaw = text(f['Event Start Timestamp']);
  let at: number | null = null;
  let field = 'Event End Timestamp';
  if (endRaw !== null) {
    at = isoMs(endRaw);
    if (at === null) return reject(base, field, `unparsable timestamp: "${endRaw.slice(0, 100)}"`);
  } else if (startRaw !== null) {
    field = 'Event Start Timestamp';
    const start = isoMs(startRaw);
    if (start === null) return reject(base, field, `unparsable timestamp: "${startRaw.slice(0, 100)}"`);
    at = start + (ms ?? 0);
  } else {
    return reject(base, 'Event End Timestamp', 'missing timestamp: neither Event End nor Event Start Timestamp');
  }
  const range = timeRangeProblem(at!, endRaw ?? startRaw ?? '', nowMs);
  if (range) return reject(base, field, range);
  const skipped = base.reasonEnd ? SKIP_END_REASONS.has(base.reasonEnd) : null;
  return { ...base, playedAt: at, msPlayed: ms, skipped };
}

/** "Artist - Title" split at the first " - " (null artist when there is none). */
export function splitDescription(s: string | null): { artist: string | null; track: string | null } {
  const t = text(s);
  if (t === null) return { artist: null, track: null };
  const i = t.indexOf(' - ');
  return i < 0 ? { artist: null, track: t } : { artist: text(t.slice(0, i)), track: text(t.slice(i + 3)) };
}

/**
 * One Recently Played Tracks row: a track with its last play. Imported as one play at the last
 * event's end (2024 schema) or at `Last Modified` (2020 schema, no durations); ms_played only when
 * the row sums exactly one play. Descriptions without "Artist - Title" (radio stations) are quarantined.
 */
export function recentlyPlayedRow(row: number, f: Record<string, string | null>, nowMs: number): PlayRow {
  const { artist, track } = splitDescription(f['Track Description']);
  const container = text(f['Container Type']);
  const album = container?.toLowerCase() === 'album' ? splitDescription(f['Container Description']).track : null;
  const reasonEnd = text(f['Last End Reason Type']) ?? text(f['Last End Reason Tyoe']);
  const base: Omit<PlayRow, 'reject'> = {
    sourceRow: row, playedAt: null, msPlayed: null, track, artist, album, reasonEnd, skipped: reasonEnd === null ? null : SKIP_END_REASONS.has(reasonEnd), raw: f,
  };
  if (track === null) return reject(base, 'Track Description', 'empty title');
  if (artist === null) return reject(base, 'Track Description', `no "Artist - Title": not a song (e.g. a radio station): "${track.slice(0, 100)}"`);
  const field = text(f['Last Event End Timestamp']) !== null ? 'Last Event End Timestamp' : 'Last Modified';
  const atRaw = text(f[field]);
  if (atRaw === null) return reject(base, field, 'missing timestamp');
  const at = isoMs(atRaw);
  if (at === null) return reject(base, field, `unparsable timestamp: "${atRaw.slice(0, 100)}"`);
  const range = timeRangeProblem(at, atRaw, nowMs);
  if (range) return reject(base, field, range);
  const plays = wholeNumber(f['Total plays'] ?? '');
  const total = wholeNumber(f['Total play duration in millis'] ?? '');
  const ms = plays === 1 && total !== null && total >= 0 && total <= MAX_MS ? total : null;
  return { ...base, playedAt: at, msPlayed: ms };
}

/** One Daily Tracks row (an aggregate of a day), or a reject reason. */
export function dailyTrackRow(row: number, f: Record<string, string | null>): DailyTrackRow | { field: string; reason: string } {
  const date = text(f['Date Played']);
  const m = date ? /^(\d{4})(\d{2})(\d{2})$/.exec(date) : null;
  if (!m || Number.isNaN(Date.parse(`${m[1]}-${m[2]}-${m[3]}T00:00:00Z`))) return { field: 'Date Played', reason: `unparsable date: "${(date ?? '').slice(0, 100)}" (expected YYYYMMDD)` };
  const num = (k: string) => { const t = text(f[k]); return t === null ? null : wholeNumber(t); };
  const { artist, track } = splitDescription(f['Track Description']);
  return {
    sourceRow: row, datePlayed: `${m[1]}-${m[2]}-${m[3]}`, hours: text(f.Hours), playDurationMs: num('Play Duration Milliseconds'),
    playCount: num('Play Count'), skipCount: num('Skip Count'), endReasonType: text(f['End Reason Type']), sourceType: text(f['Source Type']),
    trackIdentifier: text(f['Track Identifier']), trackDescription: text(f['Track Description']), artist, track,
  };
}

/** The most common `UTC Offset In Seconds` of a file's rows (the listener's usual offset), or null. */
export function usualOffset(values: (string | null)[]): number | null {
  const counts = new Map<number, number>();
  for (const v of values) {
    const n = v === null ? null : wholeNumber(v);
    if (n !== null && Math.abs(n) <= 14 * 3600) counts.set(n, (counts.get(n) ?? 0) + 1);
  }
  let best: number | null = null;
  for (const [k, c] of counts) if (best === null || c > counts.get(best)!) best = k;
  return best;
}

/** An IANA zone for a whole-hour UTC offset (Etc/GMT has inverted signs), or null. */
export function zoneForOffset(seconds: number): string | null {
  if (seconds % 3600 !== 0) return null;
  const h = seconds / 3600;
  return h === 0 ? 'UTC' : `Etc/GMT${h > 0 ? '-' : '+'}${Math.abs(h)}`;
}
