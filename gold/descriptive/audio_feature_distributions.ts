import { defineTable } from '../../lib/table-spec.ts';
import { HAS_FEATURES, exactAvg, rowsWithoutFeatures, syntheticShare, STREAMS_SENTENCE } from '../shared/feature-sql.ts';

export const DISTRIBUTION_FEATURES = ['valence', 'energy', 'danceability', 'acousticness', 'instrumentalness', 'speechiness', 'loudness', 'tempo'];

const featureList = DISTRIBUTION_FEATURES.map((f) => `('${f}')`).join(', ');

// One aggregate pass over the plays computes every feature's statistics side by side, as columns
// <feature>__<statistic> (much faster than one group per play and feature); the cross join with the
// feature names then picks each row's columns. Plain CASE rather than structs and unnest, so that the
// same SQL runs on DuckDB and Trino.
const STATISTICS = ['mean', 'std_dev', 'min', 'max', 'median', 'p25', 'p75', 'sample_size', 'synthetic_share'] as const;
const statsOf = (f: string) => {
  const d = f === 'tempo' ? 1 : 3;
  // The three quartiles from one quantile aggregate: DuckDB holds every value of a group for each
  // quantile aggregate, outside what it can spill (24 buffers of 9.6M plays: 4.25 GiB peak at 10M).
  const q = (i: number) => `round(${f}__quartiles[${i}], ${d})`;
  const values: Record<(typeof STATISTICS)[number], string> = {
    mean: `round(${exactAvg(f)}, ${d})`, std_dev: `round(stddev_samp(${f}), ${d})`,
    min: `round(min(${f}), ${d})`, max: `round(max(${f}), ${d})`,
    median: q(2), p25: q(1), p75: q(3),
    sample_size: `count(${f})::bigint`,
    synthetic_share: syntheticShare(`case when ${f} is not null then feature_source end`),
  };
  return STATISTICS.map((s) => `${values[s]} as ${f}__${s}`);
};
const QUARTILES = new Set(['median', 'p25', 'p75']);
/** The aggregates of one feature (the quartiles as one list); then the statistics picked from them. */
const aggregatesOf = (f: string) => [...STATISTICS.flatMap((s, i) => (QUARTILES.has(s) ? [] : [statsOf(f)[i]])), `quantile_cont(${f}, [0.25, 0.5, 0.75]) as ${f}__quartiles`].join(',\n        ');
const quartileColumnsOf = (f: string) => STATISTICS.flatMap((s, i) => (QUARTILES.has(s) ? [statsOf(f)[i]] : [])).join(', ');

/** The statistic of the row's feature: picks the column of feature_name from the wide row w. */
const pick = (s: string) =>
  `case f.feature_name ${DISTRIBUTION_FEATURES.map((f) => `when '${f}' then w.${f}__${s}`).join(' ')} end`;

/** Sort key of feature_name: its position in DISTRIBUTION_FEATURES. */
const featureOrder = `case feature_name ${DISTRIBUTION_FEATURES.map((f, i) => `when '${f}' then ${i + 1}`).join(' ')} end`;

export default defineTable({
  layer: 'gold',
  category: 'descriptive',
  name: 'audio_feature_distributions',
  grainSentence: 'one row per listener and audio feature (valence, energy, danceability, acousticness, instrumentalness, speechiness, loudness, tempo)',
  grain: ['listener_id', 'feature_name'],
  description:
    "Distribution of each audio feature over a listener's streams with features: mean, sample standard deviation, " +
    'minimum, maximum and quartiles (continuous quantiles, linear interpolation between plays). Every listener has all eight rows; ' +
    'statistics are null when the listener has no play with that feature. Values rounded to 3 decimals, tempo to 1.' + ' ' + STREAMS_SENTENCE,
  columns: [
    { name: 'listener_id', type: 'VARCHAR', description: 'Pseudonymous id of the listener' },
    { name: 'feature_name', type: 'VARCHAR', description: 'valence, energy, danceability, acousticness, instrumentalness, speechiness, loudness (dB) or tempo (BPM)' },
    { name: 'mean', type: 'DOUBLE', description: 'Mean of the feature over the streams with features' },
    { name: 'std_dev', type: 'DOUBLE', description: 'Sample standard deviation (n - 1 denominator); null with fewer than two plays' },
    { name: 'min', type: 'DOUBLE', description: 'Smallest value' },
    { name: 'max', type: 'DOUBLE', description: 'Largest value' },
    { name: 'median', type: 'DOUBLE', description: 'Median (continuous quantile 0.5)' },
    { name: 'p25', type: 'DOUBLE', description: 'First quartile (continuous quantile 0.25)' },
    { name: 'p75', type: 'DOUBLE', description: 'Third quartile (continuous quantile 0.75)' },
    { name: 'sample_size', type: 'BIGINT', description: 'Streams with a value for this feature' },
    { name: 'rows_without_features', type: 'BIGINT', description: "The listener's plays without audio features, left out of every statistic (same on the eight rows)" },
    { name: 'synthetic_share', type: 'DOUBLE', description: 'Among the plays counted in sample_size, the fraction whose features are synthetic (null when none)' },
  ],
  inputs: ['silver.listening_with_features'],
  sql: `
with events as (
    select * from silver.listening_with_features
),

featured as (
    select listener_id, feature_source, ms_played, ${DISTRIBUTION_FEATURES.join(', ')}
    from events
    where ${HAS_FEATURES}
),

listeners as (
    select listener_id, ${rowsWithoutFeatures()} as rows_without_features
    from events
    group by listener_id
),

features(feature_name) as (
    values ${featureList}
),

stats_aggregated as (
    select
        listener_id,
        ${DISTRIBUTION_FEATURES.map(aggregatesOf).join(',\n        ')}
    from featured
    group by listener_id
),

stats_wide as (
    select *, ${DISTRIBUTION_FEATURES.map(quartileColumnsOf).join(',\n        ')}
    from stats_aggregated
)

select
    l.listener_id, f.feature_name,
    (${pick('mean')})::double as mean, (${pick('std_dev')})::double as std_dev,
    (${pick('min')})::double as min, (${pick('max')})::double as max,
    (${pick('median')})::double as median, (${pick('p25')})::double as p25, (${pick('p75')})::double as p75,
    coalesce(${pick('sample_size')}, 0)::bigint as sample_size,
    l.rows_without_features,
    ${pick('synthetic_share')} as synthetic_share
from listeners as l
cross join features as f
left join stats_wide as w on w.listener_id = l.listener_id`,
  orderBy: `listener_id, ${featureOrder}`,
});
