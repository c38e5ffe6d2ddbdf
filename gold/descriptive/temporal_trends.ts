import { defineTable } from '../../lib/table-spec.ts';
import { avgOf, rounded, rowsWithoutFeatures, syntheticShare, STREAMS_SENTENCE } from '../shared/feature-sql.ts';

export default defineTable({
  layer: 'gold',
  category: 'descriptive',
  name: 'temporal_trends',
  grainSentence: "one row per listener and local calendar date with at least one play",
  grain: ['listener_id', 'date_local'],
  description:
    "Day-by-day listening of each listener in their own time zone: how many plays, how many minutes, and the average mood " +
    'features of the streams with features. Days without plays have no row.' + ' ' + STREAMS_SENTENCE,
  columns: [
    { name: 'listener_id', type: 'VARCHAR', description: 'Pseudonymous id of the listener' },
    { name: 'date_local', type: 'DATE', description: "Calendar date of the plays' end in the listener's time zone" },
    { name: 'total_plays', type: 'BIGINT', description: 'Plays on this date, with or without features' },
    { name: 'avg_valence', type: 'DOUBLE', description: 'Average valence (0-1) of the streams with features, 3 decimals' },
    { name: 'avg_energy', type: 'DOUBLE', description: 'Average energy (0-1) of the streams with features, 3 decimals' },
    { name: 'avg_tempo', type: 'DOUBLE', description: 'Average tempo in BPM of the streams with features, 1 decimal' },
    { name: 'weekend_plays', type: 'BIGINT', description: 'Plays on a Saturday or Sunday (equal to total_plays on weekend dates, else 0)' },
    { name: 'minutes_played', type: 'DOUBLE', description: 'Total listening time of the plays in minutes (sum of ms_played / 60000), 3 decimals' },
    { name: 'rows_without_features', type: 'BIGINT', description: 'Plays counted in total_plays without audio features, left out of the averages' },
    { name: 'synthetic_share', type: 'DOUBLE', description: 'Among the streams with features, the fraction whose features are synthetic (null when none)' },
  ],
  inputs: ['silver.listening_with_features'],
  sql: `
with events as (
    select * from silver.listening_with_features
),

by_date as (
    select
        listener_id,
        date_local,
        count(*)::bigint as total_plays,
        ${avgOf('valence')} as avg_valence,
        ${avgOf('energy')} as avg_energy,
        ${avgOf('tempo')} as avg_tempo,
        count(*) filter (where is_weekend)::bigint as weekend_plays,
        ${rounded('coalesce(sum(ms_played), 0)::double / 60000')} as minutes_played,
        ${rowsWithoutFeatures()} as rows_without_features,
        ${syntheticShare()} as synthetic_share
    from events
    group by listener_id, date_local
)

select * from by_date`,
  orderBy: 'listener_id, date_local',
});
