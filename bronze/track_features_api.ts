import { defineTable, type ColumnSpec } from '../lib/table-spec.ts';
import { audioFeatureColumns, SPOTIFY_FEATURE_ORDER } from '../lib/audio-features.ts';

export const trackFeaturesApiColumns: ColumnSpec[] = [
  { name: 'track_id', type: 'VARCHAR', description: 'Spotify track id' },
  ...audioFeatureColumns(SPOTIFY_FEATURE_ORDER, 'Spotify audio feature from GET /audio-features'),
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
