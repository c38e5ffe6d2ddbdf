import { defineTable } from '../../lib/table-spec.ts';
import { HAS_FEATURES, rowsWithoutFeatures, syntheticShare, STREAMS_SENTENCE } from '../shared/feature-sql.ts';

export const DISTRIBUTION_FEATURES = ['valence', 'energy', 'danceability', 'acousticness', 'instrumentalness', 'speechiness', 'loudness', 'tempo'];

const featureList = DISTRIBUTION_FEATURES.map((f) => `('${f}')`).join(', ');
const featureArray = `[${DISTRIBUTION_FEATURES.map((f) => `'${f}'`).join(', ')}]`;

// One aggregate pass over the plays computes every feature's statistics side by side (much faster
// than one group per play and feature), then they are turned into one row per feature.
const statsOf = (f: string) => {
  const d = f === 'tempo' ? 1 : 3;
  const q = (i: number) => `round(quantile_cont(${f}, [0.25, 0.5, 0.75])[${i}], ${d})`;
  return `struct_pack(
            feature_name := '${f}',
            mean := round(avg(${f}), ${d}), std_dev := round(stddev_samp(${f}), ${d}),
            min := round(min(${f}), ${d}), max := round(max(${f}), ${d}),
            median := ${q(2)}, p25 := ${q(1)}, p75 := ${q(3)},
            sample_size := count(${f})::bigint,
            synthetic_share := ${syntheticShare(`case when ${f} is not null then feature_source end`)}
        )`;
};

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

stats_wide as (
    select
        listener_id,
        [
        ${DISTRIBUTION_FEATURES.map(statsOf).join(',\n        ')}
        ] as per_feature
    from featured
    group by listener_id
),

stats as (
    select listener_id, unnest(per_feature, recursive := true)
    from stats_wide
)

select
    l.listener_id, f.feature_name,
    s.mean::double as mean, s.std_dev::double as std_dev, s.min::double as min, s.max::double as max,
    s.median::double as median, s.p25::double as p25, s.p75::double as p75,
    coalesce(s.sample_size, 0)::bigint as sample_size,
    l.rows_without_features,
    s.synthetic_share
from listeners as l
cross join features as f
left join stats as s on s.listener_id = l.listener_id and s.feature_name = f.feature_name`,
  orderBy: `listener_id, list_position(${featureArray}, feature_name)`,
});
