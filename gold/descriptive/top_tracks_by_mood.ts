import { defineTable } from '../../lib/table-spec.ts';
import { HAS_FEATURES, avgOf, moodCategory, syntheticShare, STREAMS_ONLY_SENTENCE } from '../shared/feature-sql.ts';

export const TOP_PER_CATEGORY = 50;

export default defineTable({
  layer: 'gold',
  category: 'descriptive',
  name: 'top_tracks_by_mood',
  grainSentence: 'one row per listener, mood category and rank (the listener\'s 50 most played tracks of each mood category)',
  grain: ['listener_id', 'mood_category', 'rank_in_category'],
  description:
    "A listener's most played tracks within each mood category. An event's mood category comes from its valence and energy: " +
    'both >= 0.6 Happy_Energetic; valence >= 0.6 and energy < 0.4 Happy_Calm; valence < 0.4 and energy >= 0.6 Sad_Energetic; ' +
    'both < 0.4 Sad_Calm; otherwise Neutral. Plays without audio features have no mood and are left out. ' +
    `At most ${TOP_PER_CATEGORY} tracks per category, ranked by stream count, ties broken by track_id, then track and artist name.` + ' ' + STREAMS_ONLY_SENTENCE,
  columns: [
    { name: 'listener_id', type: 'VARCHAR', description: 'Pseudonymous id of the listener' },
    { name: 'track_id', type: 'VARCHAR', description: 'Spotify track id; null for plays known only by name' },
    { name: 'track_name', type: 'VARCHAR', description: 'Track title (the alphabetically first spelling when sources differ)' },
    { name: 'artist_name', type: 'VARCHAR', description: 'Main artist (the alphabetically first spelling when sources differ)' },
    { name: 'mood_category', type: 'VARCHAR', description: 'Happy_Energetic, Happy_Calm, Sad_Energetic, Sad_Calm or Neutral (see the table description)' },
    { name: 'valence', type: 'DOUBLE', description: "Valence (0-1) of the track, averaged over the listener's plays of it in this category, 3 decimals" },
    { name: 'energy', type: 'DOUBLE', description: 'Energy (0-1) of the track, averaged like valence, 3 decimals' },
    { name: 'danceability', type: 'DOUBLE', description: 'Danceability (0-1) of the track, averaged like valence, 3 decimals' },
    { name: 'tempo', type: 'DOUBLE', description: 'Tempo in BPM of the track, averaged like valence, 1 decimal' },
    { name: 'play_count', type: 'BIGINT', description: 'Streams (plays of at least LAKEHOUSE_MIN_PLAY_MS) of the track by the listener in this mood category' },
    { name: 'rank_in_category', type: 'INTEGER', description: '1 = most played track of the category for this listener; ties broken by track_id, then track and artist name' },
    { name: 'synthetic_share', type: 'DOUBLE', description: "Fraction of this track's counted plays whose features are synthetic (0 = real features)" },
  ],
  inputs: ['silver.listening_with_features'],
  sql: `
with events as (
    select * from silver.listening_with_features
),

moods as (
    select
        *,
        -- plays known only by name are grouped by normalised artist and title
        coalesce(track_id, 'name:' || lower(coalesce(artist_name, '')) || '|' || lower(coalesce(track_name, ''))) as track_key,
        ${moodCategory()} as mood_category
    from events
    where ${HAS_FEATURES}
),

per_track as (
    select
        listener_id,
        mood_category,
        track_key,
        any_value(track_id) as track_id,
        min(track_name) as track_name,
        min(artist_name) as artist_name,
        ${avgOf('valence')} as valence,
        ${avgOf('energy')} as energy,
        ${avgOf('danceability')} as danceability,
        ${avgOf('tempo')} as tempo,
        count(*)::bigint as play_count,
        ${syntheticShare()} as synthetic_share
    from moods
    where mood_category is not null
    group by listener_id, mood_category, track_key
),

ranked as (
    select
        *,
        row_number() over (
            partition by listener_id, mood_category
            order by play_count desc, track_id asc nulls last, track_name asc nulls last, artist_name asc nulls last, track_key
        )::integer as rank_in_category
    from per_track
)

select
    listener_id, track_id, track_name, artist_name, mood_category, valence, energy, danceability, tempo,
    play_count, rank_in_category, synthetic_share
from ranked
where rank_in_category <= ${TOP_PER_CATEGORY}`,
  orderBy: 'listener_id, mood_category, rank_in_category',
});
