import { defineTable } from '../../lib/table-spec.ts';
import { avgOf, rowsWithoutFeatures, syntheticShare, STREAMS_SENTENCE } from '../shared/feature-sql.ts';

export default defineTable({
  layer: 'gold',
  category: 'descriptive',
  name: 'listening_patterns_by_time',
  grainSentence: 'one row per listener, local hour of day and day of week with at least one play',
  grain: ['listener_id', 'hour_of_day', 'day_of_week'],
  description:
    "How much a listener plays, and what the music sounds like, at each local hour of each weekday. " +
    'Counts include every play; the audio-feature averages use only streams with features.' + ' ' + STREAMS_SENTENCE,
  columns: [
    { name: 'listener_id', type: 'VARCHAR', description: 'Pseudonymous id of the listener' },
    { name: 'hour_of_day', type: 'INTEGER', description: "Hour 0-23 of the play's end in the listener's time zone" },
    { name: 'day_of_week', type: 'INTEGER', description: 'ISO day of week, 1 = Monday … 7 = Sunday (local)' },
    { name: 'day_name', type: 'VARCHAR', description: 'English name of the day of week (Monday … Sunday)' },
    { name: 'part_of_day', type: 'VARCHAR', description: 'morning (06-11), afternoon (12-17), evening (18-22) or night (23-05)' },
    { name: 'is_weekend', type: 'BOOLEAN', description: 'True for Saturday and Sunday' },
    { name: 'play_count', type: 'BIGINT', description: 'Plays in this hour and weekday, with or without features' },
    { name: 'avg_valence', type: 'DOUBLE', description: 'Average valence (musical positiveness, 0-1) of the streams with features, 3 decimals' },
    { name: 'avg_energy', type: 'DOUBLE', description: 'Average energy (0-1) of the streams with features, 3 decimals' },
    { name: 'avg_danceability', type: 'DOUBLE', description: 'Average danceability (0-1) of the streams with features, 3 decimals' },
    { name: 'avg_acousticness', type: 'DOUBLE', description: 'Average acousticness (0-1) of the streams with features, 3 decimals' },
    { name: 'avg_tempo', type: 'DOUBLE', description: 'Average tempo in BPM of the streams with features, 1 decimal' },
    { name: 'rows_without_features', type: 'BIGINT', description: 'Plays counted in play_count that have no audio features and are left out of the averages' },
    { name: 'synthetic_share', type: 'DOUBLE', description: 'Among the streams with features, the fraction whose features are synthetic (0 = all real, null = no features)' },
  ],
  inputs: ['silver.listening_with_features'],
  sql: `
with events as (
    select * from silver.listening_with_features
),

by_hour_and_day as (
    select
        listener_id,
        hour_of_day,
        day_of_week,
        any_value(day_name) as day_name,
        any_value(part_of_day) as part_of_day,
        any_value(is_weekend) as is_weekend,
        count(*)::bigint as play_count,
        ${avgOf('valence')} as avg_valence,
        ${avgOf('energy')} as avg_energy,
        ${avgOf('danceability')} as avg_danceability,
        ${avgOf('acousticness')} as avg_acousticness,
        ${avgOf('tempo')} as avg_tempo,
        ${rowsWithoutFeatures()} as rows_without_features,
        ${syntheticShare()} as synthetic_share
    from events
    group by listener_id, hour_of_day, day_of_week
)

select
    listener_id, hour_of_day::integer as hour_of_day, day_of_week::integer as day_of_week, day_name, part_of_day, is_weekend,
    play_count, avg_valence, avg_energy, avg_danceability, avg_acousticness, avg_tempo, rows_without_features, synthetic_share
from by_hour_and_day`,
  orderBy: 'listener_id, day_of_week, hour_of_day',
});
