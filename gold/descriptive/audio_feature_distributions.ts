import { defineTable } from '../../lib/table-spec.ts';
import { HAS_FEATURES, rowsWithoutFeatures, syntheticShare } from '../shared/feature-sql.ts';

export const DISTRIBUTION_FEATURES = ['valence', 'energy', 'danceability', 'acousticness', 'instrumentalness', 'speechiness', 'loudness', 'tempo'];

const longFormat = DISTRIBUTION_FEATURES.map((f) =>
  `    select listener_id, feature_source, '${f}' as feature_name, ${f} as value from featured`,
).join('\n    union all\n');

const featureList = DISTRIBUTION_FEATURES.map((f) => `('${f}')`).join(', ');
const featureArray = `[${DISTRIBUTION_FEATURES.map((f) => `'${f}'`).join(', ')}]`;

// Statistics of tempo keep 1 decimal, the others 3.
const r = (expr: string) => `(case when feature_name = 'tempo' then round(${expr}, 1) else round(${expr}, 3) end)::double`;

export default defineTable({
  layer: 'gold',
  category: 'descriptive',
  name: 'audio_feature_distributions',
  grainSentence: 'one row per listener and audio feature (valence, energy, danceability, acousticness, instrumentalness, speechiness, loudness, tempo)',
  grain: ['listener_id', 'feature_name'],
  description:
    "Distribution of each audio feature over a listener's plays with features: mean, sample standard deviation, " +
    'minimum, maximum and quartiles (continuous quantiles, linear interpolation between plays). Every listener has all eight rows; ' +
    'statistics are null when the listener has no play with that feature. Values rounded to 3 decimals, tempo to 1.',
  columns: [
    { name: 'listener_id', type: 'VARCHAR', description: 'Pseudonymous id of the listener' },
    { name: 'feature_name', type: 'VARCHAR', description: 'valence, energy, danceability, acousticness, instrumentalness, speechiness, loudness (dB) or tempo (BPM)' },
    { name: 'mean', type: 'DOUBLE', description: 'Mean of the feature over the plays with features' },
    { name: 'std_dev', type: 'DOUBLE', description: 'Sample standard deviation (n - 1 denominator); null with fewer than two plays' },
    { name: 'min', type: 'DOUBLE', description: 'Smallest value' },
    { name: 'max', type: 'DOUBLE', description: 'Largest value' },
    { name: 'median', type: 'DOUBLE', description: 'Median (continuous quantile 0.5)' },
    { name: 'p25', type: 'DOUBLE', description: 'First quartile (continuous quantile 0.25)' },
    { name: 'p75', type: 'DOUBLE', description: 'Third quartile (continuous quantile 0.75)' },
    { name: 'sample_size', type: 'BIGINT', description: 'Plays with a value for this feature' },
    { name: 'rows_without_features', type: 'BIGINT', description: "The listener's plays without audio features, left out of every statistic (same on the eight rows)" },
    { name: 'synthetic_share', type: 'DOUBLE', description: 'Among the plays counted in sample_size, the fraction whose features are synthetic (null when none)' },
  ],
  inputs: ['silver.listening_with_features'],
  sql: `
with events as (
    select * from silver.listening_with_features
),

featured as (
    select * from events where ${HAS_FEATURES}
),

listeners as (
    select listener_id, ${rowsWithoutFeatures()} as rows_without_features
    from events
    group by listener_id
),

features(feature_name) as (
    values ${featureList}
),

long_format as (
${longFormat}
),

stats as (
    select
        listener_id,
        feature_name,
        ${r('avg(value)')} as mean,
        ${r('stddev_samp(value)')} as std_dev,
        ${r('min(value)')} as min,
        ${r('max(value)')} as max,
        ${r('quantile_cont(value, 0.5)')} as median,
        ${r('quantile_cont(value, 0.25)')} as p25,
        ${r('quantile_cont(value, 0.75)')} as p75,
        count(value)::bigint as sample_size,
        ${syntheticShare("case when value is not null then feature_source end")} as synthetic_share
    from long_format
    group by listener_id, feature_name
)

select
    l.listener_id, f.feature_name,
    s.mean, s.std_dev, s.min, s.max, s.median, s.p25, s.p75,
    coalesce(s.sample_size, 0)::bigint as sample_size,
    l.rows_without_features,
    s.synthetic_share
from listeners as l
cross join features as f
left join stats as s on s.listener_id = l.listener_id and s.feature_name = f.feature_name`,
  orderBy: `listener_id, list_position(${featureArray}, feature_name)`,
});
