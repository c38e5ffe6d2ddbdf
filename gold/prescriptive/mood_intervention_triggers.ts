import { defineTable } from '../../lib/table-spec.ts';
import { HAS_FEATURES, avgOf, rowsWithoutFeatures, syntheticShare, STREAMS_SENTENCE } from '../shared/feature-sql.ts';

export const LOW_MOOD_VALENCE = 0.3;
export const HIGH_PRIORITY_BELOW = 0.3;
export const MEDIUM_PRIORITY_BELOW = 0.4;

export default defineTable({
  layer: 'gold',
  category: 'prescriptive',
  name: 'mood_intervention_triggers',
  grainSentence: 'one row per listener and local hour of day whose music is on average low in valence (below 0.4)',
  grain: ['listener_id', 'hour_of_day'],
  description:
    "Hours of the day at which a listener's music is on average low in valence (musical positiveness). For each local hour: " +
    `average valence and energy over the streams with features, the plays with valence below ${LOW_MOOD_VALENCE}, and the priority: ` +
    `'High Priority' when avg_valence (3 decimals) is below ${HIGH_PRIORITY_BELOW}, 'Medium Priority' when below ` +
    `${MEDIUM_PRIORITY_BELOW}; other hours are omitted. The suggestion points to one of the playlists of ` +
    "personalized_playlist_suggestions: 'Mood Lift' for High Priority hours; for Medium Priority hours 'Energy Boost' when the " +
    "music of that hour is also low in energy (avg_energy below 0.4), else 'Relaxation & Calm'. A prompt about listening " +
    'habits drawn from audio features, not a clinical assessment.' + ' ' + STREAMS_SENTENCE,
  columns: [
    { name: 'listener_id', type: 'VARCHAR', description: 'Pseudonymous id of the listener' },
    { name: 'hour_of_day', type: 'INTEGER', description: 'Local hour 0-23' },
    { name: 'avg_valence', type: 'DOUBLE', description: 'Average valence (0-1) of the plays of this hour that have features, 3 decimals' },
    { name: 'avg_energy', type: 'DOUBLE', description: 'Average energy (0-1) of the same plays, 3 decimals' },
    { name: 'low_mood_count', type: 'BIGINT', description: `Streams of this hour with valence below ${LOW_MOOD_VALENCE}` },
    { name: 'total_plays', type: 'BIGINT', description: 'All plays of this hour, with or without features' },
    { name: 'rows_without_features', type: 'BIGINT', description: 'Plays of this hour without audio features (not in the averages)' },
    { name: 'intervention_needed', type: 'VARCHAR', description: `High Priority (avg_valence below ${HIGH_PRIORITY_BELOW}) or Medium Priority (below ${MEDIUM_PRIORITY_BELOW})` },
    { name: 'suggested_intervention', type: 'VARCHAR', description: 'What the listener might try at this hour, in our own words (one text per playlist suggested)' },
    { name: 'mood_support_playlist', type: 'VARCHAR', description: "Name of the playlist in personalized_playlist_suggestions to try: 'Mood Lift', 'Energy Boost' or 'Relaxation & Calm'" },
    { name: 'synthetic_share', type: 'DOUBLE', description: 'Fraction of the plays of this hour with features whose features are synthetic' },
  ],
  inputs: ['silver.listening_with_features'],
  sql: `
with events as (
    select * from silver.listening_with_features
),

by_hour as (
    select
        listener_id,
        hour_of_day,
        ${avgOf('valence')} as avg_valence,
        ${avgOf('energy')} as avg_energy,
        count(*) filter (where ${HAS_FEATURES} and valence < ${LOW_MOOD_VALENCE})::bigint as low_mood_count,
        count(*)::bigint as total_plays,
        ${rowsWithoutFeatures()} as rows_without_features,
        ${syntheticShare()} as synthetic_share
    from events
    group by listener_id, hour_of_day
),

triggers as (
    select
        *,
        case when avg_valence < ${HIGH_PRIORITY_BELOW} then 'High Priority' else 'Medium Priority' end as intervention_needed,
        case
            when avg_valence < ${HIGH_PRIORITY_BELOW} then 'Mood Lift'
            when avg_energy < 0.4 then 'Energy Boost'
            else 'Relaxation & Calm'
        end as mood_support_playlist
    from by_hour
    where avg_valence < ${MEDIUM_PRIORITY_BELOW}
)

select
    listener_id, hour_of_day::integer as hour_of_day, avg_valence, avg_energy, low_mood_count, total_plays, rows_without_features,
    intervention_needed,
    case mood_support_playlist
        when 'Mood Lift' then 'Your music at this hour tends to be low in positiveness: a few bright, danceable favourites could change the tone'
        when 'Energy Boost' then 'Your music at this hour tends to be quiet and subdued: some upbeat, faster favourites could add momentum'
        else 'Your music at this hour tends to be tense or restless: some calm acoustic favourites could soften it'
    end as suggested_intervention,
    mood_support_playlist, synthetic_share
from triggers`,
  orderBy: 'listener_id, hour_of_day',
});
