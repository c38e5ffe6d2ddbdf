import { defineTable } from '../../lib/table-spec.ts';
import { STREAMS_ONLY_SENTENCE } from '../shared/feature-sql.ts';

export default defineTable({
  layer: 'gold',
  category: 'diagnostic',
  name: 'feature_correlation_matrix',
  grainSentence: 'one row per listener and ordered pair of audio features (the full 7 x 7 matrix, diagonal included)',
  grain: ['listener_id', 'row_feature', 'column_feature'],
  description:
    'The correlations of gold.feature_correlations as a full symmetric matrix for heatmaps: every pair in both orders and the ' +
    'diagonal (1 where the feature varies, else null), so a chart shows the whole matrix rather than one triangle. No new statistic.' + ' ' + STREAMS_ONLY_SENTENCE,
  columns: [
    { name: 'listener_id', type: 'VARCHAR', description: 'Pseudonymous id of the listener' },
    { name: 'row_feature', type: 'VARCHAR', description: 'Feature of the matrix row' },
    { name: 'column_feature', type: 'VARCHAR', description: 'Feature of the matrix column' },
    { name: 'correlation', type: 'DOUBLE', description: 'Pearson correlation of the two features (gold.feature_correlations); 1 on the diagonal when the feature has a defined correlation with any other, else null' },
    { name: 'sample_size', type: 'BIGINT', description: 'Streams behind the correlation (on the diagonal: the largest sample of the feature\'s pairs)' },
    { name: 'synthetic_share', type: 'DOUBLE', description: 'Among the plays behind the value, the fraction whose features are synthetic (null when none)' },
  ],
  inputs: ['gold.feature_correlations'],
  sql: `
with pairs as (
    select * from gold.feature_correlations
),

both_orders as (
    select listener_id, feature_1 as row_feature, feature_2 as column_feature, correlation, sample_size, synthetic_share from pairs
    union all
    select listener_id, feature_2 as row_feature, feature_1 as column_feature, correlation, sample_size, synthetic_share from pairs
),

-- the diagonal's synthetic_share is the one of the feature's largest pair sample (ties: the first
-- column feature), so that both engines pick the same row
ranked as (
    select *,
        row_number() over (
            partition by listener_id, row_feature
            order by (synthetic_share is null)::integer, sample_size desc, column_feature
        ) as pick
    from both_orders
),

diagonal as (
    select listener_id, row_feature, row_feature as column_feature,
        cast(case when count(correlation) > 0 then 1.0 end as double) as correlation,
        max(sample_size)::bigint as sample_size,
        max(synthetic_share) filter (where pick = 1) as synthetic_share
    from ranked
    group by listener_id, row_feature
)

select * from both_orders
union all
select * from diagonal`,
  orderBy: 'listener_id, row_feature, column_feature',
});
