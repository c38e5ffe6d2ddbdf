// YouTube Music plays in a Google Takeout watch-history.json: only entries whose `header` is
// "YouTube Music" are plays (every other entry is a YouTube view, a visit or a post: not listening
// history, never stored). The title follows "Watched "; the artist is the first subtitle's channel
// without " - Topic"; there is no album and no duration.
import { reject, timeRangeProblem, type PlayRow } from '../exports/platform.ts';

export const MUSIC_HEADER = 'YouTube Music';

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const URL_TITLE = /^https?:\/\//i;

/**
 * Whether a Takeout activity element is a YouTube Music play at all: header "YouTube Music" and a title
 * starting with "Watched " (search history and other activity files share the entry shape: a
 * "Searched for …" entry is no play and is never stored, not even as a reject).
 */
export function isMusicEntry(e: unknown): boolean {
  if (!e || typeof e !== 'object' || Array.isArray(e)) return false;
  const o = e as Record<string, unknown>;
  return o.header === MUSIC_HEADER && typeof o.title === 'string' && o.title.startsWith('Watched ');
}

/** A YouTube Music entry as a play or a reject (README "YouTube Music"). */
export function youtubeRow(e: Record<string, unknown>, row: number, nowMs: number): PlayRow {
  const title = typeof e.title === 'string' ? e.title : null;
  const time = typeof e.time === 'string' ? e.time : null;
  const subs = Array.isArray(e.subtitles) ? e.subtitles : [];
  const channel = subs.length > 0 && subs[0] && typeof subs[0] === 'object' && typeof (subs[0] as Record<string, unknown>).name === 'string'
    ? ((subs[0] as Record<string, unknown>).name as string) : null;
  const watched = title !== null && title.startsWith('Watched ') ? title.slice('Watched '.length).trim() : null;
  const urlTitle = watched !== null && URL_TITLE.test(watched);
  // A title that is only the URL names no song: the play is kept with a null artist (never matched by name).
  const artist = urlTitle || channel === null ? null : channel.replace(/ - Topic$/, '').trim() || null;
  const base: Omit<PlayRow, 'reject'> = {
    sourceRow: row, playedAt: null, msPlayed: null, track: watched, artist, album: null,
    raw: { header: MUSIC_HEADER, title, titleUrl: typeof e.titleUrl === 'string' ? e.titleUrl : null, channel, time },
  };
  if (title === null || watched === null || watched === '') return reject(base, 'title', `not a play: title ${title === null ? 'missing' : `"${title.slice(0, 100)}"`} does not start with "Watched "`);
  if (typeof e.titleUrl !== 'string') return reject(base, 'titleUrl', 'no titleUrl: the video was removed or the entry is no play');
  if (time === null) return reject(base, 'time', 'missing timestamp');
  const at = ISO.test(time) ? Date.parse(time) : NaN;
  if (Number.isNaN(at)) return reject(base, 'time', `unparsable timestamp: "${time.slice(0, 100)}"`);
  const range = timeRangeProblem(at, time, nowMs);
  if (range) return reject(base, 'time', range);
  return { ...base, playedAt: at };
}
