import { defineTable, type ColumnSpec } from '../lib/table-spec.ts';
import { audioFeatureColumns, SPOTIFY_FEATURE_ORDER } from '../lib/audio-features.ts';

/** Columns in the order the bronze Parquet holds them. */
export const kaggleColumns: ColumnSpec[] = [
  { name: 'kaggle_index', type: 'BIGINT', description: 'Row index of the original Kaggle file (first CSV column); the record number when that column is empty' },
  { name: 'track_id', type: 'VARCHAR', description: 'Spotify track id' },
  { name: 'artists', type: 'VARCHAR', description: "Artist names as in the file (several joined by ';')" },
  { name: 'album_name', type: 'VARCHAR', description: 'Album name' },
  { name: 'track_name', type: 'VARCHAR', description: 'Track title' },
  { name: 'popularity', type: 'INTEGER', description: 'Spotify popularity 0-100 at the time the data set was made' },
  { name: 'duration_ms', type: 'BIGINT', description: 'Track length in milliseconds' },
  { name: 'explicit', type: 'BOOLEAN', description: 'Explicit lyrics' },
  ...audioFeatureColumns(SPOTIFY_FEATURE_ORDER, 'as published in the Kaggle data set'),
  { name: 'track_genre', type: 'VARCHAR', description: 'Genre the track was collected under (a track id can appear under several genres)' },
  { name: 'source_file', type: 'VARCHAR', description: 'File name the row came from' },
  { name: 'file_sha256', type: 'VARCHAR', description: 'SHA-256 of the file content' },
  { name: 'source_row', type: 'BIGINT', description: 'CSV record number in the file (1 = first data row)' },
  { name: 'ingested_at', type: 'TIMESTAMP', description: 'When the row was loaded (UTC)' },
  { name: 'run_id', type: 'VARCHAR', description: 'Run that loaded the row' },
];

export default defineTable({
  layer: 'bronze',
  name: 'kaggle_tracks',
  grainSentence: 'one row per Kaggle record (original row index and track id); a track id can appear under several genres',
  grain: ['kaggle_index', 'track_id'],
  description: 'The Kaggle Spotify Tracks data set as loaded, every valid row kept (append-only, re-imports add nothing), with load metadata.',
  columns: kaggleColumns,
  inputs: [],
});
