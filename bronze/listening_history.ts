import { defineTable, type ColumnSpec } from '../lib/table-spec.ts';

const text = (name: string, description: string): ColumnSpec => ({ name, type: 'VARCHAR', description });

export const historyColumns: ColumnSpec[] = [
  text('listener_id', 'Pseudonymous id of the listener the play belongs to'),
  text('source', 'The file format: spotify_api, export_extended (Streaming_History_Audio_*), export_extended_legacy (endsong_*), export_account (StreamingHistory*_music), export_account_podcast, lastfm_csv_* / lastfm_api, apple_play_activity / apple_recently_played, youtube_watch_history (silver history_source is the platform)'),
  text('source_file', 'File the row came from (base name; for the API, the landed raw response)'),
  text('file_sha256', 'SHA-256 of the file content'),
  { name: 'source_row', type: 'BIGINT', description: 'Position of the record in its file (1-based)' },
  { name: 'played_at', type: 'TIMESTAMP', description: 'End of playback, UTC. Account-data exports have minute precision' },
  { name: 'started_at', type: 'TIMESTAMP', description: 'Start of playback, UTC: played_at minus ms_played' },
  { name: 'ms_played', type: 'BIGINT', description: 'Milliseconds played' },
  text('content_type', 'track, episode, audiobook or unknown; only tracks are music'),
  text('track_id', 'Spotify track id from the track URI; null when the source has no id (account data)'),
  text('track_key', 'Dedup key for "the same item": track id, else episode/audiobook URI, else normalised artist and title'),
  text('track_name', 'Track title'),
  text('artist_name', 'Main artist'),
  text('album_name', 'Album name'),
  text('episode_name', 'Podcast episode title'),
  text('show_name', 'Podcast show name'),
  text('episode_uri', 'Spotify episode URI'),
  text('audiobook_title', 'Audiobook title'),
  text('audiobook_uri', 'Spotify audiobook URI'),
  text('audiobook_chapter_title', 'Audiobook chapter title'),
  text('audiobook_chapter_uri', 'Spotify audiobook chapter URI'),
  text('context_type', 'Playback context type (album, playlist, artist…) where the API reports one'),
  text('context_uri', 'Playback context URI where the API reports one'),
  text('reason_start', 'Why playback started (null when unknown)'),
  text('reason_end', 'Why playback ended (null when unknown)'),
  { name: 'shuffle', type: 'BOOLEAN', description: 'Shuffle on' },
  { name: 'skipped', type: 'BOOLEAN', description: 'Skipped (null when the source does not say)' },
  { name: 'offline', type: 'BOOLEAN', description: 'Played offline' },
  { name: 'offline_at', type: 'TIMESTAMP', description: 'Offline timestamp normalised to UTC (exports give seconds or milliseconds; 0 = none)' },
  { name: 'incognito_mode', type: 'BOOLEAN', description: 'Private session' },
  { name: 'ingested_at', type: 'TIMESTAMP', description: 'When the row was loaded (UTC)' },
  text('run_id', 'Run that loaded the row'),
];

export default defineTable({
  layer: 'bronze',
  name: 'listening_history',
  grainSentence: 'one row per listener, played_at, track key and ms_played (a play)',
  grain: ['listener_id', 'played_at', 'track_key', 'ms_played'],
  description: 'Raw plays from Spotify privacy exports and the Web API, append-only and deduplicated on (listener, played_at, track, ms_played): ms_played is part of the key because account-data rows have minute precision, so two real plays of one track ending in the same minute differ only in ms_played. IP addresses, usernames, user agents, platform and country are never stored.',
  columns: historyColumns,
  inputs: [],
});
