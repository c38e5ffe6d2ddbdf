import { defineTable } from '../lib/table-spec.ts';

/** Rows refused by ingestion, with the reason and the raw line (personal fields removed). */
export default defineTable({
  layer: 'bronze',
  name: 'rejected_rows',
  grainSentence: 'one row per rejected source row (file content hash and row number)',
  grain: ['file_sha256', 'source_row'],
  description: 'Quarantine: input rows that failed type or range checks, with source, file, row number, reason and the raw line. Nothing is lost: fix the source and re-import.',
  columns: [
    { name: 'source', type: 'VARCHAR', description: 'kaggle_csv, export_extended, export_extended_legacy, export_account, export_account_podcast, spotify_api, or another platform\'s file format (lastfm_csv_*, lastfm_api, apple_play_activity, apple_recently_played, apple_daily_tracks, youtube_watch_history)' },
    { name: 'source_file', type: 'VARCHAR', description: 'File name the row came from (base name)' },
    { name: 'file_sha256', type: 'VARCHAR', description: 'SHA-256 of the file content, so a re-import adds no duplicate rejects' },
    { name: 'source_row', type: 'BIGINT', description: 'Row number in the file: CSV record number (1 = first data row) or JSON array index (1-based)' },
    { name: 'listener_id', type: 'VARCHAR', description: 'Listener the file belongs to (null for the Kaggle catalog)' },
    { name: 'field', type: 'VARCHAR', description: 'Field that failed, when one field is to blame' },
    { name: 'reason', type: 'VARCHAR', description: 'Why the row was rejected' },
    { name: 'raw_line', type: 'VARCHAR', description: 'The raw CSV line or the JSON record, with personal fields (IP address, username, user agent) removed' },
    { name: 'rejected_at', type: 'TIMESTAMP', description: 'When the row was rejected (UTC)' },
    { name: 'run_id', type: 'VARCHAR', description: 'Run that rejected it' },
  ],
  inputs: [],
});
