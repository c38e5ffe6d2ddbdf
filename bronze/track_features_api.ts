import { defineTable, type ColumnSpec } from '../lib/table-spec.ts';

const unit = (name: string, what: string): ColumnSpec => ({ name, type: 'DOUBLE', description: `${what} (0-1, Spotify audio feature from GET /audio-features)` });

export const trackFeaturesApiColumns: ColumnSpec[] = [
  { name: 'track_id', type: 'VARCHAR', description: 'Spotify track id' },
  unit('danceability', 'Danceability'),
  unit('energy', 'Energy'),
  { name: 'key', type: 'INTEGER', description: 'Pitch class 0-11 (-1 = unknown)' },
  { name: 'loudness', type: 'DOUBLE', description: 'Loudness in dB' },
  { name: 'mode', type: 'INTEGER', description: '1 = major, 0 = minor' },
  unit('speechiness', 'Speechiness'),
  unit('acousticness', 'Acousticness'),
  unit('instrumentalness', 'Instrumentalness'),
  unit('liveness', 'Liveness'),
  unit('valence', 'Valence'),
  { name: 'tempo', type: 'DOUBLE', description: 'Tempo in BPM' },
  { name: 'time_signature', type: 'INTEGER', description: 'Estimated beats per bar' },
  { name: 'duration_ms', type: 'BIGINT', description: 'Track length in milliseconds' },
  { name: 'source_file', type: 'VARCHAR', description: 'Landed raw response the row came from (path under raw/spotify/)' },
  { name: 'file_sha256', type: 'VARCHAR', description: 'SHA-256 of the landed response body' },
  { name: 'ingested_at', type: 'TIMESTAMP', description: 'When the row was loaded (UTC)' },
  { name: 'run_id', type: 'VARCHAR', description: 'Run that loaded the row' },
];

export default defineTable({
  layer: 'bronze',
  name: 'track_features_api',
  grainSentence: 'one row per Spotify track id',
  grain: ['track_id'],
  description: 'Audio features from the Spotify Web API for tracks seen in recently-played responses (first answer kept). Apps created after November 2024 get 403 from this endpoint; then the table stays empty and silver falls back to Kaggle, then synthetic features.',
  columns: trackFeaturesApiColumns,
  inputs: [],
});
