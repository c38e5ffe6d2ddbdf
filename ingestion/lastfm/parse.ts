// Last.fm scrobbles: the CSV layouts of the common export tools, recognised by header or shape, and
// the track objects of the API's user.getrecenttracks. A scrobble has no duration (ms_played null);
// its time is the scrobble's timestamp, which Last.fm takes as the time the track started playing.
import { reject, timeRangeProblem, type PlatformFormat, type PlayRow } from '../exports/platform.ts';

export interface CsvLayout {
  format: PlatformFormat;
  /** Columns read, by header name (or by position for the headerless layout). */
  columns: string[];
  header: boolean;
  artist: string;
  album: string | null;
  track: string;
  /** Epoch-seconds column, preferred when present. */
  uts: string | null;
  /** Text time column (UTC), used when there is no epoch column. */
  time: string | null;
  /** Text meaning "no album" besides the empty field (R writes NA). */
  naAlbum?: string;
}

const lower = (h: string[]) => h.map((x) => x.replace(/^\uFEFF/, '').trim().toLowerCase());
const same = (h: string[], want: string[]) => h.length === want.length && want.every((w, i) => h[i] === w);

/** Time formats of the headerless lastfm-to-csv layout: "20 Nov 2020 09:35", spreadsheet re-save "1/22/23 1:02". */
const LASTFM_TO_CSV_DATE = /^\d{1,2} [A-Z][a-z]{2} \d{4},? \d{1,2}:\d{2}$/;
const SPREADSHEET_DATE = /^\d{1,2}\/\d{1,2}\/\d{2,4} \d{1,2}:\d{2}(:\d{2})?$/;

/**
 * The layout of a Last.fm CSV from its first records (header or shape), or null. Known headers:
 * ghan.nl `uts,utc_time,artist,artist_mbid,album,album_mbid,track,track_mbid`; `utc_time,artist,album,track`;
 * R lastfmR `"",date,artist,track,album`; Boeing's `artist,…,timestamp,datetime`; otherwise any header
 * with artist, track and a time column (uts/timestamp/utc_time/date/datetime). Headerless: 4 fields
 * `artist,album,track,date` whose dates are lastfm-to-csv or spreadsheet dates (or empty: now playing).
 */
export function lastfmLayout(records: string[][]): CsvLayout | null {
  if (records.length === 0) return null;
  const h = lower(records[0]);
  if (same(h, ['uts', 'utc_time', 'artist', 'artist_mbid', 'album', 'album_mbid', 'track', 'track_mbid'])) {
    return { format: 'lastfm_csv_ghan', columns: ['uts', 'utc_time', 'artist', 'album', 'track'], header: true, artist: 'artist', album: 'album', track: 'track', uts: 'uts', time: 'utc_time' };
  }
  if (same(h, ['utc_time', 'artist', 'album', 'track'])) {
    return { format: 'lastfm_csv_utc_time', columns: ['utc_time', 'artist', 'album', 'track'], header: true, artist: 'artist', album: 'album', track: 'track', uts: null, time: 'utc_time' };
  }
  if (same(h, ['', 'date', 'artist', 'track', 'album'])) {
    return { format: 'lastfm_csv_lastfmr', columns: ['date', 'artist', 'track', 'album'], header: true, artist: 'artist', album: 'album', track: 'track', uts: null, time: 'date', naAlbum: 'NA' };
  }
  if (same(h, ['artist', 'artist_mbid', 'album', 'album_mbid', 'track', 'track_mbid', 'timestamp', 'datetime'])) {
    return { format: 'lastfm_csv_boeing', columns: ['artist', 'album', 'track', 'timestamp', 'datetime'], header: true, artist: 'artist', album: 'album', track: 'track', uts: 'timestamp', time: 'datetime' };
  }
  const artist = h.find((x) => x === 'artist' || x === 'artist_name' || x === 'artist name');
  const track = h.find((x) => x === 'track' || x === 'track_name' || x === 'track name' || x === 'title' || x === 'name');
  const uts = h.find((x) => x === 'uts' || x === 'timestamp' || x === 'date_uts' || x === 'unix_timestamp');
  const time = h.find((x) => x === 'utc_time' || x === 'datetime' || x === 'date' || x === 'time');
  if (artist && track && (uts || time)) {
    const album = h.find((x) => x === 'album' || x === 'album_name' || x === 'album name') ?? null;
    const columns = [artist, track, ...(album ? [album] : []), ...(uts ? [uts] : []), ...(time ? [time] : [])];
    return { format: 'lastfm_csv', columns, header: true, artist, album, track, uts: uts ?? null, time: time ?? null };
  }
  // Headerless lastfm-to-csv: every sampled record has 4 fields, its 4th a date or empty, one at least a date.
  const sample = records.slice(0, 20);
  const isDate = (s: string) => LASTFM_TO_CSV_DATE.test(s.trim()) || SPREADSHEET_DATE.test(s.trim());
  if (sample.every((r) => r.length === 4 && (r[3].trim() === '' || isDate(r[3]))) && sample.some((r) => isDate(r[3]))) {
    return { format: 'lastfm_csv_headerless', columns: ['artist', 'album', 'track', 'date'], header: false, artist: 'artist', album: 'album', track: 'track', uts: null, time: 'date' };
  }
  return null;
}

const MONTHS: Record<string, number> = { jan: 0, feb: 1, mar: 2, apr: 3, may: 4, jun: 5, jul: 6, aug: 7, sep: 8, oct: 9, nov: 10, dec: 11 };

/**
 * A Last.fm text time as epoch ms UTC, or null: "20 Nov 2020 09:35", "11 Jul 2024, 09:07",
 * "2020-04-13 05:01:31", "2018-09-08T11:52:44Z", spreadsheet "1/22/23 1:02" (M/D/YY, years 00–69
 * read as 2000–2069). Every layout here writes UTC (lastfmR's is not stated: read as UTC).
 */
export function parseLastfmTime(text: string): number | null {
  const s = text.trim();
  let m = /^(\d{1,2}) ([A-Za-z]{3}) (\d{4}),? (\d{1,2}):(\d{2})$/.exec(s);
  if (m) {
    const mon = MONTHS[m[2].toLowerCase()];
    if (mon === undefined) return null;
    return valid(Date.UTC(+m[3], mon, +m[1], +m[4], +m[5]), +m[3], mon, +m[1], +m[4], +m[5]);
  }
  m = /^(\d{1,2})\/(\d{1,2})\/(\d{2}|\d{4}) (\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(s);
  if (m) {
    const y = m[3].length === 2 ? (+m[3] < 70 ? 2000 + +m[3] : 1900 + +m[3]) : +m[3];
    return valid(Date.UTC(y, +m[1] - 1, +m[2], +m[4], +m[5], +(m[6] ?? 0)), y, +m[1] - 1, +m[2], +m[4], +m[5]);
  }
  m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?Z?$/.exec(s);
  if (m) return valid(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +(m[6] ?? 0), m[7] ? Math.round(Number(m[7]) * 1000) : 0), +m[1], +m[2] - 1, +m[3], +m[4], +m[5]);
  return null;
}

/** Rejects impossible calendar values that Date.UTC would roll over (31 Feb). */
function valid(ms: number, y: number, mon: number, d: number, hh: number, mm: number): number | null {
  const t = new Date(ms);
  if (t.getUTCFullYear() !== y || t.getUTCMonth() !== mon || t.getUTCDate() !== d || hh > 23 || mm > 59) return null;
  return ms;
}

const text = (s: string | null | undefined) => (s === null || s === undefined || s.trim() === '' ? null : s.trim());

/** One CSV record of a Last.fm layout as a play or a reject (first failing rule wins). */
export function lastfmCsvRow(layout: CsvLayout, row: number, f: Record<string, string | null>, width: number, nowMs: number): PlayRow {
  const album = text(layout.album ? f[layout.album] : null);
  const base: Omit<PlayRow, 'reject'> = {
    sourceRow: row, playedAt: null, msPlayed: null, track: text(f[layout.track]), artist: text(f[layout.artist]),
    album: album !== null && album === layout.naAlbum ? null : album, raw: f,
  };
  if (!layout.header && width !== 4) return reject(base, null, `wrong field count: ${width} (expected 4: artist,album,track,date)`);
  const utsRaw = layout.uts ? text(f[layout.uts]) : null;
  const timeRaw = layout.time ? text(f[layout.time]) : null;
  let at: number | null = null;
  let shown = '';
  if (utsRaw !== null) {
    shown = utsRaw;
    if (!/^\d+$/.test(utsRaw)) return reject(base, layout.uts, `unparsable timestamp: "${utsRaw.slice(0, 100)}"`);
    if (Number(utsRaw) === 0) return reject(base, layout.uts, 'timestamp 0: a scrobble without a date (Last.fm writes 0 / 1970-01-01), not placed in 1970');
    at = Number(utsRaw) * 1000;
  } else if (timeRaw !== null) {
    shown = timeRaw;
    at = parseLastfmTime(timeRaw);
    if (at === null) return reject(base, layout.time, `unparsable timestamp: "${timeRaw.slice(0, 100)}"`);
    if (at === 0) return reject(base, layout.time, 'timestamp 0: a scrobble without a date (Last.fm writes 0 / 1970-01-01), not placed in 1970');
  } else if (!layout.header) {
    return reject(base, 'date', 'now-playing row: no date (the track playing while the export ran, not a scrobble)');
  } else {
    return reject(base, layout.uts ?? layout.time, 'missing timestamp');
  }
  const range = timeRangeProblem(at, shown, nowMs);
  if (range) return reject(base, layout.uts && utsRaw !== null ? layout.uts : layout.time, range);
  if (base.track === null) return reject(base, layout.track, 'empty track title');
  return { ...base, playedAt: at };
}

/** A user.getrecenttracks track object (values are strings; artist/album as {"#text"}). */
export interface ApiTrack {
  name?: unknown;
  artist?: { '#text'?: unknown; name?: unknown } | unknown;
  album?: { '#text'?: unknown } | unknown;
  date?: { uts?: unknown } | unknown;
  '@attr'?: { nowplaying?: unknown } | unknown;
}

const textOf = (v: unknown): string | null => {
  if (typeof v === 'string') return text(v);
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (typeof o['#text'] === 'string') return text(o['#text']);
    if (typeof o.name === 'string') return text(o.name);
  }
  return null;
};

/** True for the now-playing entry the API puts on top of a page (no date; not a scrobble). */
export function isNowPlaying(t: ApiTrack): boolean {
  const attr = t['@attr'];
  return !!attr && typeof attr === 'object' && String((attr as Record<string, unknown>).nowplaying) === 'true';
}

/** An API track object as a play or a reject. The raw record keeps names and time only. */
export function lastfmApiRow(t: ApiTrack, row: number, nowMs: number): PlayRow {
  const date = t.date && typeof t.date === 'object' ? (t.date as Record<string, unknown>).uts : undefined;
  const uts = typeof date === 'string' || typeof date === 'number' ? String(date) : null;
  const base: Omit<PlayRow, 'reject'> = {
    sourceRow: row, playedAt: null, msPlayed: null, track: textOf(t.name), artist: textOf(t.artist), album: textOf(t.album),
    raw: { artist: textOf(t.artist), album: textOf(t.album), track: textOf(t.name), uts },
  };
  if (isNowPlaying(t)) return reject(base, '@attr', 'now-playing entry: not a scrobble (no date)');
  if (uts === null) return reject(base, 'date', 'missing timestamp');
  if (!/^\d+$/.test(uts)) return reject(base, 'date', `unparsable timestamp: "${uts.slice(0, 100)}"`);
  if (Number(uts) === 0) return reject(base, 'date', 'timestamp 0: a scrobble without a date (Last.fm writes 0 / 1970-01-01), not placed in 1970');
  const range = timeRangeProblem(Number(uts) * 1000, uts, nowMs);
  if (range) return reject(base, 'date', range);
  if (base.track === null) return reject(base, 'name', 'empty track title');
  return { ...base, playedAt: Number(uts) * 1000 };
}
