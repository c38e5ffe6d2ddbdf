import { defineTable } from '../lib/table-spec.ts';

/** Apple Music "Play History Daily Tracks": daily aggregates per track, kept as such (never turned into plays). */
export default defineTable({
  layer: 'bronze',
  name: 'apple_music_daily_tracks',
  grainSentence: 'one row per listener, file content and row of an Apple Music Daily Tracks file',
  grain: ['listener_id', 'file_sha256', 'source_row'],
  description: 'Apple Music daily aggregates (Apple Music - Play History Daily Tracks.csv): per day and track, the hours, total play time, play and skip counts. Aggregates, not plays: no listening_history row is invented from them. Country and other account columns are not read.',
  columns: [
    { name: 'listener_id', type: 'VARCHAR', description: 'Pseudonymous id of the listener' },
    { name: 'source_file', type: 'VARCHAR', description: 'File the row came from (base name)' },
    { name: 'file_sha256', type: 'VARCHAR', description: 'SHA-256 of the file content' },
    { name: 'source_row', type: 'BIGINT', description: 'CSV record number (1 = first data row)' },
    { name: 'date_played', type: 'DATE', description: 'Day of the aggregate (Apple gives no time zone; the listener\'s local day)' },
    { name: 'hours', type: 'VARCHAR', description: 'Hours of the day with plays, as Apple lists them ("18, 19")' },
    { name: 'play_duration_ms', type: 'BIGINT', description: 'Total play time that day, milliseconds' },
    { name: 'play_count', type: 'INTEGER', description: 'Plays that day' },
    { name: 'skip_count', type: 'INTEGER', description: 'Skips that day' },
    { name: 'end_reason_type', type: 'VARCHAR', description: 'Apple end reason (N/A kept as given)' },
    { name: 'source_type', type: 'VARCHAR', description: 'Device types, e.g. "IPHONE, MACINTOSH"' },
    { name: 'track_identifier', type: 'VARCHAR', description: 'Apple track identifier' },
    { name: 'track_description', type: 'VARCHAR', description: '"Artist - Title" as Apple gives it' },
    { name: 'artist_name', type: 'VARCHAR', description: 'Artist: the part before the first " - " (null when there is none, e.g. a radio station)' },
    { name: 'track_name', type: 'VARCHAR', description: 'Title: the part after the first " - "' },
    { name: 'ingested_at', type: 'TIMESTAMP', description: 'When the row was loaded (UTC)' },
    { name: 'run_id', type: 'VARCHAR', description: 'Run that loaded the row' },
  ],
  inputs: [],
});
