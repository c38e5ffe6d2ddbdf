// The twelve Spotify audio features, described once for every table that carries them. Each table
// says where its values come from and keeps its own column order (bronze keeps its source's order).
import type { ColumnSpec } from './table-spec.ts';

/** In Spotify's order: GET /audio-features and the Kaggle file list them like this. */
export const AUDIO_FEATURES = {
  danceability: { type: 'DOUBLE', what: 'Danceability 0-1' },
  energy: { type: 'DOUBLE', what: 'Energy 0-1' },
  key: { type: 'INTEGER', what: 'Pitch class 0-11 (-1 = unknown)' },
  loudness: { type: 'DOUBLE', what: 'Loudness in dB (about -60 to 0)' },
  mode: { type: 'INTEGER', what: '1 = major, 0 = minor' },
  speechiness: { type: 'DOUBLE', what: 'Speechiness 0-1' },
  acousticness: { type: 'DOUBLE', what: 'Acousticness 0-1' },
  instrumentalness: { type: 'DOUBLE', what: 'Instrumentalness 0-1' },
  liveness: { type: 'DOUBLE', what: 'Liveness 0-1' },
  valence: { type: 'DOUBLE', what: 'Valence (musical positiveness) 0-1' },
  tempo: { type: 'DOUBLE', what: 'Tempo in BPM' },
  time_signature: { type: 'INTEGER', what: 'Estimated beats per bar' },
} as const;

export type AudioFeatureName = keyof typeof AUDIO_FEATURES;

export const SPOTIFY_FEATURE_ORDER = Object.keys(AUDIO_FEATURES) as AudioFeatureName[];

/**
 * Column declarations of `names`, in that order: the shared description, or the table's own wording
 * for a feature it treats differently (`what`), followed by where the values come from (`source`).
 */
export function audioFeatureColumns(names: readonly AudioFeatureName[], source: string, what: Partial<Record<AudioFeatureName, string>> = {}): ColumnSpec[] {
  return names.map((name) => ({ name, type: AUDIO_FEATURES[name].type, description: `${what[name] ?? AUDIO_FEATURES[name].what}; ${source}` }));
}

/** The features measured on a 0-1 scale. */
export const UNIT_FEATURES = ['danceability', 'energy', 'speechiness', 'acousticness', 'instrumentalness', 'liveness', 'valence'] as const satisfies readonly AudioFeatureName[];

/**
 * Valid values (inclusive) of the bounded features: what the Kaggle importer rejects outside of
 * (CONVENTIONS.md "Kaggle rejects") and the quality checks count in silver.
 */
export const VALID_RANGES: Partial<Record<AudioFeatureName, readonly [number, number]>> = {
  ...Object.fromEntries(UNIT_FEATURES.map((f) => [f, [0, 1] as const])),
  tempo: [0, 300],
  loudness: [-Infinity, 5],
};

/** True when `value` of feature `name` lies outside its valid range (features without one never do). */
export function outOfRange(name: string, value: number): boolean {
  const range = VALID_RANGES[name as AudioFeatureName];
  return range !== undefined && (value < range[0] || value > range[1]);
}
