// Turns landed Spotify responses into bronze rows. Pure functions over the parsed JSON: a missing or
// deprecated field (popularity, album on simplified tracks, context) becomes null, never an error.
import type { AppendValue } from '../../lib/appender.ts';

type Obj = Record<string, unknown>;

export interface LandedMeta {
  listenerId: string;
  /** Path of the landed response under raw/spotify/. */
  sourceFile: string;
  sha256: string;
}

/** A play in the column names of bronze.listening_history (only what the API can say). */
export type PlayRow = Record<string, AppendValue>;
export type TrackMetaRow = Record<string, AppendValue | string[]>;
export type FeatureRow = Record<string, AppendValue>;

const obj = (v: unknown): Obj | null => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : null);
const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const int = (v: unknown): number | null => (num(v) === null ? null : Math.trunc(v as number));
const bool = (v: unknown): boolean | null => (typeof v === 'boolean' ? v : null);
const arr = (v: unknown): Obj[] => (Array.isArray(v) ? v.map(obj).filter((x): x is Obj => x !== null) : []);

export function playedAtMs(item: unknown): number | null {
  const at = str(obj(item)?.played_at);
  const ms = at ? Date.parse(at) : NaN;
  return Number.isNaN(ms) ? null : ms;
}

export function items(body: unknown): Obj[] {
  return arr(obj(body)?.items);
}

/** Track id of a play; null for local files and items without a track. */
export function trackId(item: Obj): string | null {
  return str(obj(item.track)?.id);
}

export function parsePlays(body: unknown, meta: LandedMeta): PlayRow[] {
  return items(body).flatMap((item, i) => {
    const track = obj(item.track);
    const at = str(item.played_at);
    if (!track || !at || playedAtMs(item) === null) return [];
    const context = obj(item.context);
    const album = obj(track.album);
    const episode = track.type === 'episode';
    return [{
      listener_id: meta.listenerId,
      source: 'spotify_api',
      source_file: meta.sourceFile,
      file_sha256: meta.sha256,
      source_row: i + 1,
      played_at: at,
      // The API does not say how long the track was played.
      ms_played: null,
      content_type: episode ? 'episode' : 'track',
      track_id: episode ? null : str(track.id),
      track_name: episode ? null : str(track.name),
      artist_name: episode ? null : str(arr(track.artists)[0]?.name),
      album_name: episode ? null : str(album?.name),
      episode_name: episode ? str(track.name) : null,
      show_name: episode ? str(obj(track.show)?.name) : null,
      episode_uri: episode ? str(track.uri) : null,
      context_type: str(context?.type),
      context_uri: str(context?.uri),
    }];
  });
}

export function parseTrackMetadata(body: unknown, meta: LandedMeta): TrackMetaRow[] {
  return items(body).flatMap((item) => {
    const track = obj(item.track);
    const id = str(track?.id);
    if (!track || !id || track.type === 'episode') return [];
    const album = obj(track.album);
    const artists = arr(track.artists);
    return [{
      track_id: id,
      track_name: str(track.name),
      artist_ids: artists.map((a) => str(a.id) ?? ''),
      artist_names: artists.map((a) => str(a.name) ?? ''),
      album_id: str(album?.id),
      album_name: str(album?.name),
      album_release_date: str(album?.release_date),
      album_release_date_precision: str(album?.release_date_precision),
      duration_ms: int(track.duration_ms),
      explicit: bool(track.explicit),
      popularity: int(track.popularity),
      isrc: str(obj(track.external_ids)?.isrc),
      is_local: bool(track.is_local),
      last_seen_at: str(item.played_at),
      source_file: meta.sourceFile,
    }];
  });
}

const FEATURE_NUMBERS = ['danceability', 'energy', 'loudness', 'speechiness', 'acousticness', 'instrumentalness', 'liveness', 'valence', 'tempo'] as const;
const FEATURE_INTEGERS = ['key', 'mode', 'time_signature', 'duration_ms'] as const;

/** `{audio_features: [...]}`; null entries (unknown ids) are skipped. */
export function parseAudioFeatures(body: unknown, meta: LandedMeta): FeatureRow[] {
  return arr(obj(body)?.audio_features).flatMap((f) => {
    const id = str(f.id);
    if (!id) return [];
    const row: FeatureRow = { track_id: id };
    for (const k of FEATURE_NUMBERS) row[k] = num(f[k]);
    for (const k of FEATURE_INTEGERS) row[k] = int(f[k]);
    row.source_file = meta.sourceFile;
    row.file_sha256 = meta.sha256;
    return [row];
  });
}
