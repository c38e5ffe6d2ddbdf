import { defineTable } from '../../lib/table-spec.ts';
import { avgOf, rowsWithoutFeatures, stddevOf, syntheticShare, STREAMS_SENTENCE } from '../shared/feature-sql.ts';
import { groupContrastSql } from '../shared/group-contrast-sql.ts';
import { contrastColumns, contrastDescription } from '../shared/group-contrast-columns.ts';

export default defineTable({
  layer: 'gold',
  category: 'diagnostic',
  name: 'weekend_vs_weekday',
  grainSentence: 'one row per listener and period (Weekday, Weekend) with at least one play',
  grain: ['listener_id', 'period'],
  description:
    "Whether a listener's music differs between weekdays (Monday-Friday) and weekends (Saturday, Sunday, local time): play counts, " +
    'averages and spread of the mood features. valence_variance and energy_variance keep their historical names but hold sample ' +
    'standard deviations; valence_stddev and energy_stddev hold the same values under correct names. ' + contrastDescription('the other period') + ' ' + STREAMS_SENTENCE,
  columns: [
    { name: 'listener_id', type: 'VARCHAR', description: 'Pseudonymous id of the listener' },
    { name: 'period', type: 'VARCHAR', description: 'Weekday (Monday-Friday) or Weekend (Saturday, Sunday), local time' },
    { name: 'total_plays', type: 'BIGINT', description: 'Plays in the period, with or without features' },
    { name: 'avg_valence', type: 'DOUBLE', description: 'Average valence (0-1) of the streams with features, 3 decimals' },
    { name: 'avg_energy', type: 'DOUBLE', description: 'Average energy (0-1) of the streams with features, 3 decimals' },
    { name: 'avg_danceability', type: 'DOUBLE', description: 'Average danceability (0-1) of the streams with features, 3 decimals' },
    { name: 'avg_tempo', type: 'DOUBLE', description: 'Average tempo in BPM of the streams with features, 1 decimal' },
    { name: 'avg_acousticness', type: 'DOUBLE', description: 'Average acousticness (0-1) of the streams with features, 3 decimals' },
    { name: 'valence_variance', type: 'DOUBLE', description: 'Historical name kept for compatibility: holds the sample STANDARD DEVIATION of valence (not the variance); same value as valence_stddev' },
    { name: 'energy_variance', type: 'DOUBLE', description: 'Historical name kept for compatibility: holds the sample STANDARD DEVIATION of energy (not the variance); same value as energy_stddev' },
    { name: 'valence_stddev', type: 'DOUBLE', description: 'Sample standard deviation of valence over the streams with features; null with fewer than two, 3 decimals' },
    { name: 'energy_stddev', type: 'DOUBLE', description: 'Sample standard deviation of energy over the streams with features; null with fewer than two, 3 decimals' },
    { name: 'rows_without_features', type: 'BIGINT', description: 'Plays counted in total_plays without audio features, left out of the averages' },
    { name: 'synthetic_share', type: 'DOUBLE', description: 'Among the streams with features, the fraction whose features are synthetic (null when none)' },
    ...contrastColumns('the other period'),
  ],
  inputs: ['silver.listening_with_features'],
  sql: `
with events as (
    select *, case when is_weekend then 'Weekend' else 'Weekday' end as period
    from silver.listening_with_features
),

by_period as (
    select
        listener_id,
        period,
        count(*)::bigint as total_plays,
        ${avgOf('valence')} as avg_valence,
        ${avgOf('energy')} as avg_energy,
        ${avgOf('danceability')} as avg_danceability,
        ${avgOf('tempo')} as avg_tempo,
        ${avgOf('acousticness')} as avg_acousticness,
        ${stddevOf('valence')} as valence_stddev,
        ${stddevOf('energy')} as energy_stddev,
        ${rowsWithoutFeatures()} as rows_without_features,
        ${syntheticShare()} as synthetic_share
    from events
    group by listener_id, period
)

select
    by_period.listener_id, period, total_plays, avg_valence, avg_energy, avg_danceability, avg_tempo, avg_acousticness,
    valence_stddev as valence_variance,
    energy_stddev as energy_variance,
    valence_stddev, energy_stddev, rows_without_features, synthetic_share,
    v.days_in_group as days_with_plays, v.diff_ci_low, v.diff_ci_high, v.verdict,
    v.energy_diff_ci_low, v.energy_diff_ci_high, v.energy_verdict
from by_period
left join ${groupContrastSql('events', 'period')} v on v.listener_id = by_period.listener_id and v.grp = by_period.period`,
  orderBy: 'listener_id, period',
});
