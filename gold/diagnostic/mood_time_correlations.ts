import { defineTable } from '../../lib/table-spec.ts';
import {
  HAS_FEATURES, HOUR_COS, HOUR_SIN, avgOf, circularLinearR, corrOf, rounded, rowsWithoutFeatures, stddevOf, syntheticShare, STREAMS_SENTENCE,
} from '../shared/feature-sql.ts';
import { groupContrastSql } from '../shared/group-contrast-sql.ts';
import { contrastColumns, contrastDescription } from '../shared/group-contrast-columns.ts';

const perListener = (what: string, how: string) =>
  `${what} of the listener's streams with features ${how}; computed over all hours and repeated on each hour row of the listener, 3 decimals`;

export default defineTable({
  layer: 'gold',
  category: 'diagnostic',
  name: 'mood_time_correlations',
  grainSentence: 'one row per listener and local hour of day with at least one play',
  grain: ['listener_id', 'hour_of_day'],
  description:
    "Whether a listener's music is happier or more energetic at some hours of the day. Per hour: averages and spread of the mood " +
    'features. Per listener (repeated on every hour row): the Pearson correlation of valence and of energy with a cyclic encoding ' +
    'of the hour (sin and cos of the angle 2*pi*hour/24, so that 23h and 0h are neighbours), and the circular-linear correlation ' +
    'r = sqrt((r_xc^2 + r_xs^2 - 2*r_xc*r_xs*r_cs) / (1 - r_cs^2)), where x is valence or energy, c = cos and s = sin of the hour ' +
    'angle and r_.. their Pearson correlations: 0 = no relation to the time of day, 1 = fully determined by it, whatever the peak hour. ' +
    contrastDescription('the other hours') + ' ' + STREAMS_SENTENCE,
  columns: [
    { name: 'listener_id', type: 'VARCHAR', description: 'Pseudonymous id of the listener' },
    { name: 'hour_of_day', type: 'INTEGER', description: "Hour 0-23 of the play's end in the listener's time zone" },
    { name: 'avg_valence', type: 'DOUBLE', description: 'Average valence (0-1) of the streams with features in this hour, 3 decimals' },
    { name: 'avg_energy', type: 'DOUBLE', description: 'Average energy (0-1) of the streams with features in this hour, 3 decimals' },
    { name: 'avg_danceability', type: 'DOUBLE', description: 'Average danceability (0-1) of the streams with features in this hour, 3 decimals' },
    { name: 'avg_acousticness', type: 'DOUBLE', description: 'Average acousticness (0-1) of the streams with features in this hour, 3 decimals' },
    { name: 'sample_size', type: 'BIGINT', description: 'Streams with features in this hour (the rows behind the averages)' },
    { name: 'valence_stddev', type: 'DOUBLE', description: 'Sample standard deviation of valence in this hour; null with fewer than two plays, 3 decimals' },
    { name: 'energy_stddev', type: 'DOUBLE', description: 'Sample standard deviation of energy in this hour; null with fewer than two plays, 3 decimals' },
    { name: 'valence_hour_sin_r', type: 'DOUBLE', description: perListener('Pearson correlation of valence with sin(2*pi*hour/24)', '(positive: happier in the morning hours 0-12)') },
    { name: 'valence_hour_cos_r', type: 'DOUBLE', description: perListener('Pearson correlation of valence with cos(2*pi*hour/24)', '(positive: happier around midnight than around noon)') },
    { name: 'energy_hour_sin_r', type: 'DOUBLE', description: perListener('Pearson correlation of energy with sin(2*pi*hour/24)', '(positive: more energetic in the hours 0-12)') },
    { name: 'energy_hour_cos_r', type: 'DOUBLE', description: perListener('Pearson correlation of energy with cos(2*pi*hour/24)', '(positive: more energetic around midnight)') },
    { name: 'valence_hour_circular_r', type: 'DOUBLE', description: perListener('Circular-linear correlation (0-1) of valence with the hour angle', '(formula in the table description); null when undefined, e.g. plays in fewer than three distinct hours') },
    { name: 'energy_hour_circular_r', type: 'DOUBLE', description: perListener('Circular-linear correlation (0-1) of energy with the hour angle', '(formula in the table description); null when undefined') },
    { name: 'rows_without_features', type: 'BIGINT', description: 'Plays in this hour without audio features, left out of every statistic' },
    { name: 'synthetic_share', type: 'DOUBLE', description: 'Among the streams with features in this hour, the fraction whose features are synthetic (null when none)' },
    ...contrastColumns('the other hours'),
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
        ${avgOf('danceability')} as avg_danceability,
        ${avgOf('acousticness')} as avg_acousticness,
        count(*) filter (where ${HAS_FEATURES})::bigint as sample_size,
        ${stddevOf('valence')} as valence_stddev,
        ${stddevOf('energy')} as energy_stddev,
        ${rowsWithoutFeatures()} as rows_without_features,
        ${syntheticShare()} as synthetic_share
    from events
    group by listener_id, hour_of_day
),

featured as (
    select listener_id, hour_of_day, valence, energy from events where ${HAS_FEATURES}
),

by_listener as (
    select
        listener_id,
        ${rounded(corrOf('valence', HOUR_SIN))} as valence_hour_sin_r,
        ${rounded(corrOf('valence', HOUR_COS))} as valence_hour_cos_r,
        ${rounded(corrOf('energy', HOUR_SIN))} as energy_hour_sin_r,
        ${rounded(corrOf('energy', HOUR_COS))} as energy_hour_cos_r,
        ${rounded(circularLinearR('valence'))} as valence_hour_circular_r,
        ${rounded(circularLinearR('energy'))} as energy_hour_circular_r
    from featured
    group by listener_id
)

select
    h.listener_id, h.hour_of_day::integer as hour_of_day,
    h.avg_valence, h.avg_energy, h.avg_danceability, h.avg_acousticness, h.sample_size, h.valence_stddev, h.energy_stddev,
    l.valence_hour_sin_r, l.valence_hour_cos_r, l.energy_hour_sin_r, l.energy_hour_cos_r,
    l.valence_hour_circular_r, l.energy_hour_circular_r,
    h.rows_without_features, h.synthetic_share,
    v.days_in_group as days_with_plays, v.diff_ci_low, v.diff_ci_high, v.verdict,
    v.energy_diff_ci_low, v.energy_diff_ci_high, v.energy_verdict
from by_hour as h
left join by_listener as l on l.listener_id = h.listener_id
left join ${groupContrastSql('events', 'hour_of_day')} v on v.listener_id = h.listener_id and v.grp = h.hour_of_day`,
  orderBy: 'listener_id, hour_of_day',
});
