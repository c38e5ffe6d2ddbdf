import { defineTable } from '../../lib/table-spec.ts';
import { HAS_FEATURES, avgOf, syntheticShare, STREAMS_SENTENCE } from '../shared/feature-sql.ts';
import { TRACK_KEY, TRACK_TIE_BREAK } from './track-sql.ts';

export const PLAYLIST_SIZE = 10;

/** The four playlists: name, purpose, which tracks qualify (on their rounded averages) and the ranking column. */
export const PLAYLISTS = [
  { name: 'Focus & Deep Work', purpose: 'Mostly instrumental tracks of moderate energy and a steady tempo, for concentrating',
    rule: 'avg_instrumentalness >= 0.5 and avg_energy between 0.4 and 0.7 and avg_tempo between 90 and 130', by: 'avg_instrumentalness' },
  { name: 'Energy Boost', purpose: 'Fast, energetic and upbeat tracks, for getting going',
    rule: 'avg_energy >= 0.7 and avg_valence >= 0.6 and avg_tempo >= 120', by: 'avg_energy' },
  { name: 'Relaxation & Calm', purpose: 'Acoustic, low-energy tracks of mild mood, for winding down',
    rule: 'avg_acousticness >= 0.6 and avg_energy < 0.5 and avg_valence between 0.4 and 0.7', by: 'avg_acousticness' },
  { name: 'Mood Lift', purpose: 'Bright, danceable tracks with some drive, for lifting the mood of the moment',
    rule: 'avg_valence >= 0.7 and avg_danceability >= 0.6 and avg_energy >= 0.5', by: 'avg_valence' },
] as const;

/** A CASE over the playlist of the row (p.playlist_index, 1-based in PLAYLISTS order). */
const byPlaylist = (f: (p: (typeof PLAYLISTS)[number]) => string) =>
  `case p.playlist_index ${PLAYLISTS.map((p, i) => `when ${i + 1} then ${f(p)}`).join(' ')} end`;

// Every track is tried against the four playlists (a cross join with their list), so that the
// per-track averages are computed once: one select per playlist, UNION ALL-ed, read them four
// times, and Trino inlines a CTE at every reference.
const candidates = `
    select t.*, p.playlist_name, p.playlist_purpose,
           row_number() over (partition by t.listener_id, p.playlist_index order by ${byPlaylist((p) => p.by)} desc, ${TRACK_TIE_BREAK})::integer as position
    from per_track t
    cross join playlist_list p
    where ${byPlaylist((p) => `(${p.rule})`)}`;

export default defineTable({
  layer: 'gold',
  category: 'prescriptive',
  name: 'personalized_playlist_suggestions',
  grainSentence: 'one row per listener, suggested playlist and position (up to 10 tracks in each of four playlists)',
  grain: ['listener_id', 'playlist_name', 'position'],
  description:
    "Four playlists drawn from the listener's own tracks. Each track's features are averaged over the listener's plays of it " +
    '(rounded: 3 decimals, tempo 1) and the rules apply to those averages, ranges inclusive: ' +
    PLAYLISTS.map((p) => `'${p.name}' (${p.rule.replaceAll('avg_', '')}; ordered by ${p.by.replace('avg_', '')})`).join('; ') +
    `. Up to ${PLAYLIST_SIZE} tracks per playlist; ties broken by play count, then track_id, then names. A track can appear in ` +
    'several playlists. Suggestions about listening habits, not advice about health.' + ' ' + STREAMS_SENTENCE,
  columns: [
    { name: 'listener_id', type: 'VARCHAR', description: 'Pseudonymous id of the listener' },
    { name: 'playlist_name', type: 'VARCHAR', description: PLAYLISTS.map((p) => p.name).join(', ') },
    { name: 'position', type: 'INTEGER', description: 'Position of the track in the playlist, 1 = first' },
    { name: 'playlist_purpose', type: 'VARCHAR', description: 'What the playlist is for, in our own words (one text per playlist)' },
    { name: 'track_id', type: 'VARCHAR', description: 'Spotify track id; null for plays known only by name' },
    { name: 'track_name', type: 'VARCHAR', description: 'Track title (the alphabetically first spelling when sources differ)' },
    { name: 'artist_name', type: 'VARCHAR', description: 'Main artist (the alphabetically first spelling when sources differ)' },
    { name: 'avg_valence', type: 'DOUBLE', description: "Valence (0-1) averaged over the listener's plays of the track, 3 decimals" },
    { name: 'avg_energy', type: 'DOUBLE', description: 'Energy (0-1) averaged like valence, 3 decimals' },
    { name: 'avg_danceability', type: 'DOUBLE', description: 'Danceability (0-1) averaged like valence, 3 decimals' },
    { name: 'avg_acousticness', type: 'DOUBLE', description: 'Acousticness (0-1) averaged like valence, 3 decimals' },
    { name: 'avg_instrumentalness', type: 'DOUBLE', description: 'Instrumentalness (0-1) averaged like valence, 3 decimals' },
    { name: 'avg_tempo', type: 'DOUBLE', description: 'Tempo in BPM averaged like valence, 1 decimal' },
    { name: 'play_count', type: 'BIGINT', description: "The listener's plays of the track that have features" },
    { name: 'synthetic_share', type: 'DOUBLE', description: "Fraction of the track's plays whose features are synthetic (0 = real features)" },
  ],
  inputs: ['silver.listening_with_features'],
  sql: `
with events as (
    select * from silver.listening_with_features
),

per_track as (
    select
        listener_id,
        ${TRACK_KEY} as track_key,
        any_value(track_id) as track_id,
        min(track_name) as track_name,
        min(artist_name) as artist_name,
        ${avgOf('valence')} as avg_valence,
        ${avgOf('energy')} as avg_energy,
        ${avgOf('danceability')} as avg_danceability,
        ${avgOf('acousticness')} as avg_acousticness,
        ${avgOf('instrumentalness')} as avg_instrumentalness,
        ${avgOf('tempo')} as avg_tempo,
        count(*)::bigint as play_count,
        ${syntheticShare()} as synthetic_share
    from events
    where ${HAS_FEATURES}
    group by listener_id, ${TRACK_KEY}
),

playlist_list(playlist_index, playlist_name, playlist_purpose) as (
    values ${PLAYLISTS.map((p, i) => `(${i + 1}, '${p.name}', '${p.purpose}')`).join(', ')}
),

playlists as (${candidates}
)

select
    listener_id, playlist_name, position, playlist_purpose, track_id, track_name, artist_name, avg_valence, avg_energy,
    avg_danceability, avg_acousticness, avg_instrumentalness, avg_tempo, play_count, synthetic_share
from playlists
where position <= ${PLAYLIST_SIZE}`,
  orderBy: `listener_id, case playlist_name ${PLAYLISTS.map((p, i) => `when '${p.name}' then ${i + 1}`).join(' ')} end, position`,
});
