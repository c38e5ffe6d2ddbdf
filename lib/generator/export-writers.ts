// Writes one listener's plays in the three Spotify export shapes (plus the account-data podcast file),
// record layouts and file naming as the real exports have them.
import { join } from 'node:path';
import { BufferedFileWriter, csvField } from './format.ts';
import { zoneOffsetMs } from './tz.ts';
import type { Play } from './sessions.ts';
import { makeRng, type Rng } from './rng.ts';

export type ExportFormat = 'extended' | 'legacy' | 'account' | 'lastfm' | 'apple' | 'youtube';

export interface ListenerIdentity { id: string; country: string; platform: string; legacyPlatform: string; username: string; ip: string; timezone?: string }

const iso = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
const minute = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace('T', ' ');

function extendedRecord(p: Play, who: ListenerIdentity): Record<string, unknown> {
  const t = p.track;
  const e = p.episode;
  return {
    ts: iso(p.endMs), platform: who.platform, ms_played: p.msPlayed, conn_country: who.country, ip_addr: who.ip,
    master_metadata_track_name: t?.title ?? null, master_metadata_album_artist_name: t?.artist ?? null,
    master_metadata_album_album_name: t?.album ?? null, spotify_track_uri: t ? `spotify:track:${t.id}` : null,
    episode_name: e?.name ?? null, episode_show_name: e?.show ?? null, spotify_episode_uri: e ? `spotify:episode:${e.id}` : null,
    audiobook_title: null, audiobook_uri: null, audiobook_chapter_uri: null, audiobook_chapter_title: null,
    reason_start: p.reasonStart, reason_end: p.reasonEnd, shuffle: p.shuffle, skipped: p.skipped, offline: p.offline,
    offline_timestamp: Math.floor(p.startMs / 1000), incognito_mode: false,
  };
}

function legacyRecord(p: Play, who: ListenerIdentity, rng: Rng): Record<string, unknown> {
  const t = p.track;
  const e = p.episode;
  const unknownReason = rng() < 0.03;
  return {
    ts: iso(p.endMs), username: who.username, platform: who.legacyPlatform, ms_played: p.msPlayed, conn_country: who.country,
    ip_addr_decrypted: who.ip, user_agent_decrypted: rng() < 0.8 ? 'unknown' : 'Mozilla/5.0 (Windows NT 10.0; Win64; x64)',
    master_metadata_track_name: t?.title ?? null, master_metadata_album_artist_name: t?.artist ?? null,
    master_metadata_album_album_name: t?.album ?? null, spotify_track_uri: t ? `spotify:track:${t.id}` : null,
    episode_name: e?.name ?? null, episode_show_name: e?.show ?? null, spotify_episode_uri: e ? `spotify:episode:${e.id}` : null,
    reason_start: unknownReason ? '' : p.reasonStart, reason_end: unknownReason ? '' : p.reasonEnd,
    shuffle: p.shuffle, skipped: rng() < 0.85 ? null : p.skipped, offline: p.offline,
    offline_timestamp: rng() < 0.3 ? 0 : p.startMs, incognito_mode: false,
  };
}

/** Real extended exports are not sorted by ts: shuffle runs of consecutive plays. */
function unsorted(plays: readonly Play[], rng: Rng): Play[] {
  const blocks: Play[][] = [];
  for (let i = 0; i < plays.length;) {
    const n = 20 + Math.floor(rng() * 200);
    blocks.push(plays.slice(i, i + n));
    i += n;
  }
  for (let i = blocks.length - 1; i > 0; i--) {
    if (rng() < 0.5) continue;
    const j = Math.floor(rng() * (i + 1));
    [blocks[i], blocks[j]] = [blocks[j], blocks[i]];
  }
  return blocks.flat();
}

function writeArray(file: string, records: Iterable<string>): void {
  const out = new BufferedFileWriter(file);
  let first = true;
  out.write('[');
  for (const r of records) {
    out.write(first ? `\n${r}` : `,\n${r}`);
    first = false;
  }
  out.write('\n]\n');
  out.close();
}

function* pretty(records: Iterable<Record<string, unknown>>, spacedColon: boolean): Generator<string> {
  for (const r of records) {
    let s = `  ${JSON.stringify(r, null, 2).replace(/\n/g, '\n  ')}`;
    if (spacedColon) s = s.replace(/^(\s+"[^"]+"):/gm, '$1 :');
    yield s;
  }
}

function writeExtended(dir: string, plays: readonly Play[], who: ListenerIdentity, rng: Rng): string[] {
  const byYear = new Map<number, Play[]>();
  for (const p of plays) {
    const y = new Date(p.endMs).getUTCFullYear();
    if (!byYear.has(y)) byYear.set(y, []);
    byYear.get(y)!.push(p);
  }
  return [...byYear.keys()].sort().map((year) => {
    const file = join(dir, `Streaming_History_Audio_${year}.json`);
    writeArray(file, pretty(unsorted(byYear.get(year)!, rng).map((p) => extendedRecord(p, who)), false));
    return file;
  });
}

function writeLegacy(dir: string, plays: readonly Play[], who: ListenerIdentity, rng: Rng, perFile: number): string[] {
  const shuffled = unsorted(plays, rng);
  const files: string[] = [];
  for (let n = 0; n * perFile < shuffled.length; n++) {
    const file = join(dir, `endsong_${n}.json`);
    writeArray(file, shuffled.slice(n * perFile, (n + 1) * perFile).map((p) => JSON.stringify(legacyRecord(p, who, rng))));
    files.push(file);
  }
  return files;
}

function writeAccount(dir: string, plays: readonly Play[], perFile: number): string[] {
  const music = plays.filter((p) => p.track).map((p) => ({ endTime: minute(p.endMs), artistName: p.track!.artist, trackName: p.track!.title, msPlayed: p.msPlayed }));
  const podcasts = plays.filter((p) => p.episode).map((p) => ({ endTime: minute(p.endMs), podcastName: p.episode!.show, episodeName: p.episode!.name, msPlayed: p.msPlayed }));
  const files: string[] = [];
  for (const [kind, rows] of [['music', music], ['podcast', podcasts]] as const) {
    for (let n = 0; n * perFile < rows.length; n++) {
      const file = join(dir, `StreamingHistory_${kind}_${n}.json`);
      writeArray(file, pretty(rows.slice(n * perFile, (n + 1) * perFile), true));
      files.push(file);
    }
  }
  return files;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const p2 = (n: number) => String(n).padStart(2, '0');

/** Last.fm (lastfm.ghan.nl layout, every field quoted, newest first): music plays of 30 s or more, at their start. */
function writeLastfm(dir: string, plays: readonly Play[]): string[] {
  const file = join(dir, 'scrobbles.csv');
  const out = new BufferedFileWriter(file);
  const q = (v: string) => `"${v.replace(/"/g, '""')}"`;
  out.write('uts,utc_time,artist,artist_mbid,album,album_mbid,track,track_mbid\r\n');
  for (const p of [...plays].filter((x) => x.track && x.msPlayed >= 30_000).reverse()) {
    const uts = Math.floor(p.startMs / 1000);
    const d = new Date(uts * 1000);
    const t = `${p2(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}, ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}`;
    out.write(`${[String(uts), t, p.track!.artist, '', p.track!.album, '', p.track!.title, ''].map(q).join(',')}\r\n`);
  }
  out.close();
  return [file];
}

/** Apple Music Play Activity (the older schema's columns, personal ones blank), one row per music play. */
function writeApple(dir: string, plays: readonly Play[], who: ListenerIdentity): string[] {
  const file = join(dir, 'Apple Music Play Activity.csv');
  const out = new BufferedFileWriter(file);
  out.write('Apple Id Number,Artist Name,Content Name,Device Identifier,End Reason Type,Event End Timestamp,Event Start Timestamp,Event Type,Item Type,Media Duration In Milliseconds,Play Duration Milliseconds,UTC Offset In Seconds\n');
  const reason = (p: Play) => (p.skipped ? 'TRACK_SKIPPED_FORWARDS' : p.reasonEnd === 'trackdone' ? 'NATURAL_END_OF_TRACK' : 'MANUALLY_SELECTED_PLAYBACK_OF_A_DIFF_ITEM');
  for (const p of plays.filter((x) => x.track)) {
    const offset = Math.round(zoneOffsetMs(who.timezone ?? 'UTC', p.startMs) / 1000);
    out.write(`${['', p.track!.artist, p.track!.title, '', reason(p), new Date(p.endMs).toISOString(), new Date(p.startMs).toISOString(), 'PLAY_END',
      'ITUNES_STORE_CONTENT', String(p.msPlayed), String(p.msPlayed), String(offset)].map(csvField).join(',')}\n`);
  }
  out.close();
  return [file];
}

/** Google Takeout watch-history.json (newest first): music plays as "YouTube Music" entries, and a few ordinary YouTube views. */
function writeYoutube(dir: string, plays: readonly Play[], rng: Rng): string[] {
  const file = join(dir, 'watch-history.json');
  const entries: Record<string, unknown>[] = [];
  for (const p of [...plays].filter((x) => x.track).reverse()) {
    const id = p.track!.id.slice(0, 11);
    entries.push({ header: 'YouTube Music', title: `Watched ${p.track!.title}`, titleUrl: `https://music.youtube.com/watch?v\u003d${id}`,
      subtitles: [{ name: `${p.track!.artist} - Topic`, url: `https://www.youtube.com/channel/UC${id}` }], time: new Date(p.startMs).toISOString(),
      products: ['YouTube'], activityControls: ['YouTube watch history'] });
    if (rng() < 0.05) entries.push({ header: 'YouTube', title: 'Watched a video', titleUrl: 'https://www.youtube.com/watch?v\u003dxxxxxxxxxxx', time: new Date(p.startMs - 60_000).toISOString(), products: ['YouTube'], activityControls: ['YouTube watch history'] });
  }
  writeArray(file, pretty(entries, false));
  return [file];
}

/** Writes the plays (in time order) in the given format; returns the files written. */
export function writeExport(format: ExportFormat, dir: string, plays: readonly Play[], who: ListenerIdentity, seed: string): string[] {
  const rng = makeRng(`${seed}:export`);
  if (format === 'extended') return writeExtended(dir, plays, who, rng);
  if (format === 'legacy') return writeLegacy(dir, plays, who, rng, 15000);
  if (format === 'lastfm') return writeLastfm(dir, plays);
  if (format === 'apple') return writeApple(dir, plays, who);
  if (format === 'youtube') return writeYoutube(dir, plays, rng);
  return writeAccount(dir, plays, 10000);
}
