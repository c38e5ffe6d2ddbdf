import { defineTable } from '../lib/table-spec.ts';

export default defineTable({
  layer: 'bronze',
  name: 'track_metadata_api',
  grainSentence: 'one row per Spotify track id',
  grain: ['track_id'],
  description: 'Track metadata taken from the track objects inside recently-played responses (the batch tracks endpoint is deprecated). Deprecated or absent fields such as popularity are null. The latest sighting of a track wins.',
  columns: [
    { name: 'track_id', type: 'VARCHAR', description: 'Spotify track id' },
    { name: 'track_name', type: 'VARCHAR', description: 'Track title' },
    { name: 'artist_ids', type: 'VARCHAR[]', description: 'Spotify ids of the track artists, in credit order' },
    { name: 'artist_names', type: 'VARCHAR[]', description: 'Names of the track artists, in credit order' },
    { name: 'album_id', type: 'VARCHAR', description: 'Spotify album id (null for simplified track objects)' },
    { name: 'album_name', type: 'VARCHAR', description: 'Album name (null for simplified track objects)' },
    { name: 'album_release_date', type: 'VARCHAR', description: 'Album release date as given: YYYY, YYYY-MM or YYYY-MM-DD' },
    { name: 'album_release_date_precision', type: 'VARCHAR', description: 'year, month or day' },
    { name: 'duration_ms', type: 'BIGINT', description: 'Track length in milliseconds' },
    { name: 'explicit', type: 'BOOLEAN', description: 'Explicit lyrics' },
    { name: 'popularity', type: 'INTEGER', description: 'Popularity 0-100 when the response still carried it (deprecated field), else null' },
    { name: 'isrc', type: 'VARCHAR', description: 'International Standard Recording Code from external_ids, when given' },
    { name: 'is_local', type: 'BOOLEAN', description: 'A local file, not a Spotify catalogue track (null when not stated)' },
    { name: 'last_seen_at', type: 'TIMESTAMP', description: 'played_at of the latest play that carried this track object (UTC)' },
    { name: 'source_file', type: 'VARCHAR', description: 'Landed raw response the row came from (path under raw/spotify/)' },
    { name: 'ingested_at', type: 'TIMESTAMP', description: 'When the row was loaded (UTC)' },
    { name: 'run_id', type: 'VARCHAR', description: 'Run that loaded the row' },
  ],
  inputs: [],
});
