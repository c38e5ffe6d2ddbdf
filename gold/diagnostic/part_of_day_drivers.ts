import { defineTable } from '../../lib/table-spec.ts';
import { avgOf, rowsWithoutFeatures, stddevOf, syntheticShare, STREAMS_SENTENCE } from '../shared/feature-sql.ts';
import { groupContrastSql } from '../shared/group-contrast-sql.ts';
import { contrastColumns, contrastDescription } from '../shared/group-contrast-columns.ts';

export const PARTS_OF_DAY = ['morning', 'afternoon', 'evening', 'night'];

export default defineTable({
  layer: 'gold',
  category: 'diagnostic',
  name: 'part_of_day_drivers',
  grainSentence: 'one row per listener and part of day (morning, afternoon, evening, night) with at least one play',
  grain: ['listener_id', 'part_of_day'],
  description:
    "What a listener's music sounds like in each part of the local day: morning 06-11, afternoon 12-17, evening 18-22, night 23-05. " +
    'valence_consistency and energy_consistency keep their historical names but hold sample standard deviations (higher = less ' +
    'consistent); valence_stddev and energy_stddev hold the same values under correct names. ' + contrastDescription('the rest of the day') + ' ' + STREAMS_SENTENCE,
  columns: [
    { name: 'listener_id', type: 'VARCHAR', description: 'Pseudonymous id of the listener' },
    { name: 'part_of_day', type: 'VARCHAR', description: 'morning (06-11), afternoon (12-17), evening (18-22) or night (23-05), local hours' },
    { name: 'part_of_day_order', type: 'INTEGER', description: 'Sort key of part_of_day: 1 morning, 2 afternoon, 3 evening, 4 night' },
    { name: 'total_plays', type: 'BIGINT', description: 'Plays in this part of the day, with or without features' },
    { name: 'avg_valence', type: 'DOUBLE', description: 'Average valence (0-1) of the streams with features, 3 decimals' },
    { name: 'avg_energy', type: 'DOUBLE', description: 'Average energy (0-1) of the streams with features, 3 decimals' },
    { name: 'avg_danceability', type: 'DOUBLE', description: 'Average danceability (0-1) of the streams with features, 3 decimals' },
    { name: 'avg_acousticness', type: 'DOUBLE', description: 'Average acousticness (0-1) of the streams with features, 3 decimals' },
    { name: 'avg_instrumentalness', type: 'DOUBLE', description: 'Average instrumentalness (0-1) of the streams with features, 3 decimals' },
    { name: 'avg_tempo', type: 'DOUBLE', description: 'Average tempo in BPM of the streams with features, 1 decimal' },
    { name: 'valence_consistency', type: 'DOUBLE', description: 'Historical name kept for compatibility: holds the sample standard deviation of valence (higher = LESS consistent); same value as valence_stddev' },
    { name: 'energy_consistency', type: 'DOUBLE', description: 'Historical name kept for compatibility: holds the sample standard deviation of energy (higher = LESS consistent); same value as energy_stddev' },
    { name: 'valence_stddev', type: 'DOUBLE', description: 'Sample standard deviation of valence over the streams with features; null with fewer than two, 3 decimals' },
    { name: 'energy_stddev', type: 'DOUBLE', description: 'Sample standard deviation of energy over the streams with features; null with fewer than two, 3 decimals' },
    { name: 'rows_without_features', type: 'BIGINT', description: 'Plays counted in total_plays without audio features, left out of the averages' },
    { name: 'synthetic_share', type: 'DOUBLE', description: 'Among the streams with features, the fraction whose features are synthetic (null when none)' },
    ...contrastColumns('the rest of the day'),
  ],
  inputs: ['silver.listening_with_features'],
  sql: `
with events as (
    select * from silver.listening_with_features
),

by_part as (
    select
        listener_id,
        part_of_day,
        count(*)::bigint as total_plays,
        ${avgOf('valence')} as avg_valence,
        ${avgOf('energy')} as avg_energy,
        ${avgOf('danceability')} as avg_danceability,
        ${avgOf('acousticness')} as avg_acousticness,
        ${avgOf('instrumentalness')} as avg_instrumentalness,
        ${avgOf('tempo')} as avg_tempo,
        ${stddevOf('valence')} as valence_stddev,
        ${stddevOf('energy')} as energy_stddev,
        ${rowsWithoutFeatures()} as rows_without_features,
        ${syntheticShare()} as synthetic_share
    from events
    group by listener_id, part_of_day
)

select
    by_part.listener_id,
    part_of_day,
    (case part_of_day ${PARTS_OF_DAY.map((p, i) => `when '${p}' then ${i + 1}`).join(' ')} end)::integer as part_of_day_order,
    total_plays, avg_valence, avg_energy, avg_danceability, avg_acousticness, avg_instrumentalness, avg_tempo,
    valence_stddev as valence_consistency,
    energy_stddev as energy_consistency,
    valence_stddev, energy_stddev, rows_without_features, synthetic_share,
    v.days_in_group as days_with_plays, v.diff_ci_low, v.diff_ci_high, v.verdict,
    v.energy_diff_ci_low, v.energy_diff_ci_high, v.energy_verdict
from by_part
left join ${groupContrastSql('events', 'part_of_day')} v on v.listener_id = by_part.listener_id and v.grp = by_part.part_of_day`,
  orderBy: 'listener_id, part_of_day_order, part_of_day',
});
