// Track-level data for the random-forest benchmark: a Kaggle-format catalog (the real 10k sample or
// one written by the seeded generator) parsed with csv-parse, structurally bad rows skipped, one row
// per track_id (first occurrence), plus the model definitions shared by our side and scikit-learn.
import { createReadStream, existsSync, mkdirSync, renameSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse';
import { generateCatalog, GENERATOR_VERSION } from '../lib/generator/index.ts';
import { cacheDir } from './data.ts';
import { outOfRange } from '../lib/audio-features.ts';
import { CATALOG_FEATURES, CATALOG_INT_FEATURES } from '../silver/catalog_tracks.ts';

/** The columns of production's split groups (silver.catalog_tracks.feature_key). */
export const GROUP_FEATURES = [...CATALOG_FEATURES, ...CATALOG_INT_FEATURES];

export const NUMERIC = ['popularity', 'duration_ms', 'danceability', 'energy', 'key', 'loudness', 'mode', 'speechiness',
  'acousticness', 'instrumentalness', 'liveness', 'valence', 'tempo', 'time_signature'] as const;
export type NumericColumn = (typeof NUMERIC)[number];

export const MOODS = ['Happy_Calm', 'Happy_Energetic', 'Neutral', 'Sad_Calm', 'Sad_Energetic'] as const;
export type Mood = (typeof MOODS)[number];

export interface TrackRow {
  track_id: string;
  genre: string;
  values: Record<NumericColumn, number>;
  mood: Mood;
}

/** Mood category of the gold tables (issue 4): valence/energy ≥ 0.6 high, < 0.4 low, else Neutral. */
export function moodOf(valence: number, energy: number): Mood {
  if (valence >= 0.6 && energy >= 0.6) return 'Happy_Energetic';
  if (valence >= 0.6 && energy < 0.4) return 'Happy_Calm';
  if (valence < 0.4 && energy >= 0.6) return 'Sad_Energetic';
  if (valence < 0.4 && energy < 0.4) return 'Sad_Calm';
  return 'Neutral';
}

export type ModelKind = 'rf_regressor' | 'rf_classifier' | 'linear';

export interface TaskSpec {
  name: string;
  model: ModelKind;
  target: 'valence' | 'energy' | 'mood';
  features: NumericColumn[];
}

/** The three catalog-level models of issue 5, with features chosen so the target is not among them. */
export const TASKS: TaskSpec[] = [
  { name: 'valence_forest', model: 'rf_regressor', target: 'valence',
    features: ['danceability', 'energy', 'loudness', 'speechiness', 'acousticness', 'instrumentalness', 'liveness', 'tempo', 'key', 'mode', 'time_signature', 'duration_ms'] },
  { name: 'energy_linear', model: 'linear', target: 'energy',
    features: ['danceability', 'valence', 'loudness', 'speechiness', 'acousticness', 'instrumentalness', 'liveness', 'tempo'] },
  { name: 'mood_forest', model: 'rf_classifier', target: 'mood',
    features: ['danceability', 'loudness', 'speechiness', 'acousticness', 'instrumentalness', 'liveness', 'tempo', 'key', 'mode', 'time_signature', 'duration_ms'] },
];

function toTrack(r: Record<string, string>): TrackRow | null {
  if (!r.track_id) return null;
  const values = {} as Record<NumericColumn, number>;
  for (const c of NUMERIC) {
    const raw = r[c];
    const v = raw === undefined || raw.trim() === '' ? NaN : Number(raw);
    if (!Number.isFinite(v)) return null;
    values[c] = v;
  }
  // The Kaggle importer's rejects, so both sides train on the rows the lake keeps.
  if (NUMERIC.some((c) => outOfRange(c, values[c]))) return null;
  return { track_id: r.track_id, genre: r.track_genre ?? '', values, mood: moodOf(values.valence, values.energy) };
}

/** Valid rows, first occurrence of each track_id, in file order. */
export async function readTracks(file: string): Promise<TrackRow[]> {
  const seen = new Set<string>();
  const out: TrackRow[] = [];
  const parser = createReadStream(file).pipe(parse({ columns: true, relax_column_count: true, skip_empty_lines: true }));
  for await (const record of parser as AsyncIterable<Record<string, string>>) {
    const t = toTrack(record);
    if (!t || seen.has(t.track_id)) continue;
    seen.add(t.track_id);
    out.push(t);
  }
  return out;
}

/** A generated Kaggle-format catalog of `rows` rows (cached by size, seed and generator version). */
export async function generatedCatalogFile(rows: number, seed: string): Promise<string> {
  const dir = path.join(cacheDir(), 'bench-ml');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `catalog-${rows}-${seed}-g${GENERATOR_VERSION}.csv`);
  if (!existsSync(file)) {
    const tmp = `${file}.${process.pid}.tmp`;
    await generateCatalog({ file: tmp, rows, seed });
    renameSync(tmp, file);
  }
  return file;
}

/**
 * The split group of a track, as production forms it (silver.catalog_tracks.feature_key): the whole
 * audio-feature vector, so the same recording under several track ids is never on both sides.
 */
export function featureGroup(r: TrackRow): string {
  return GROUP_FEATURES.map((f) => String(r.values[f])).join('|');
}

export function featureMatrix(rows: readonly TrackRow[], features: readonly NumericColumn[]): number[][] {
  return rows.map((r) => features.map((f) => r.values[f]));
}

export function targetOf(rows: readonly TrackRow[], task: TaskSpec): (number | string)[] {
  return rows.map((r) => (task.target === 'mood' ? r.mood : r.values[task.target]));
}
