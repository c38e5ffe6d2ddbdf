import { defineTable } from '../../lib/table-spec.ts';
import { rounded } from '../shared/feature-sql.ts';
import { DEFAULT_STUDY } from '../../lib/study-id.ts';

/** The listener_profiles columns compared with the cohort. */
export const COHORT_METRICS = [
  'plays', 'days_active', 'active_day_share', 'plays_per_active_day', 'distinct_tracks', 'distinct_artists', 'night_share',
  'weekend_share', 'artist_entropy_bits', 'new_artist_share', 'skip_rate', 'mean_popularity', 'popularity_coverage',
] as const;

/** The one cohort of a lake whose listeners are all in one study. */
export const ALL_LISTENERS = 'all';

export default defineTable({
  layer: 'gold',
  category: 'behaviour',
  name: 'cohort_comparison',
  grainSentence: 'one row per listener and profile metric',
  grain: ['listener_id', 'metric'],
  description:
    "Where a listener stands among the other listeners of the lake on each metric of gold.listener_profiles: the cohort's " +
    'median and quartiles (continuous, over the listeners whose value is known) and the listener\'s percentile. ' +
    'percentile_in_cohort = 100 x (listeners with a lower value + half of those with an equal value, the listener included) / n_listeners, ' +
    'so a listener alone in the lake sits at 50. A metric the listener has no value for (skip_rate of account data) has a null value and percentile. ' +
    `When the profiled listeners belong to more than one study (silver.listener_studies), each study is a cohort and a listener is compared with the listeners of their own study; ` +
    `otherwise all listeners form one cohort ('${ALL_LISTENERS}'). A listener without a registry row counts as study '${DEFAULT_STUDY}'.`,
  columns: [
    { name: 'listener_id', type: 'VARCHAR', description: 'Pseudonymous id of the listener' },
    { name: 'metric', type: 'VARCHAR', description: `Column of gold.listener_profiles: ${COHORT_METRICS.join(', ')}` },
    { name: 'cohort', type: 'VARCHAR', description: `The group compared with: the listener's study_id when the lake's listeners are in several studies, else '${ALL_LISTENERS}' (every listener of the lake)` },
    { name: 'value', type: 'DOUBLE', description: "The listener's value (as in listener_profiles); null when unknown" },
    { name: 'cohort_median', type: 'DOUBLE', description: 'Median of the known values in the cohort, 3 decimals' },
    { name: 'cohort_p25', type: 'DOUBLE', description: 'First quartile of the known values in the cohort (linear interpolation), 3 decimals' },
    { name: 'cohort_p75', type: 'DOUBLE', description: 'Third quartile of the known values in the cohort (linear interpolation), 3 decimals' },
    { name: 'percentile_in_cohort', type: 'DOUBLE', description: 'Mid-rank percentile 0-100 of the value among the known values (ties count half), 1 decimal; null when the value is unknown' },
    { name: 'n_listeners', type: 'BIGINT', description: 'Listeners of the cohort whose value of this metric is known' },
  ],
  inputs: ['gold.listener_profiles', 'silver.listener_studies'],
  sql: `
with profiles as (
    select * from gold.listener_profiles
),

listener_studies as (
    select * from silver.listener_studies
),

studied as (
    select p.*, coalesce(s.study_id, '${DEFAULT_STUDY}') as study_id
    from profiles p
    left join listener_studies s on s.listener_id = p.listener_id
),

cohorts as (
    select
        *,
        case when (select count(distinct study_id) from studied) > 1 then study_id else '${ALL_LISTENERS}' end as cohort
    from studied
),

metrics as (
    select * from (values ${COHORT_METRICS.map((m) => `('${m}')`).join(', ')}) as m(metric)
),

long as (
    select c.listener_id, c.cohort, m.metric,
        case m.metric
${COHORT_METRICS.map((m) => `            when '${m}' then c.${m}::double`).join('\n')}
        end as value
    from cohorts c
    cross join metrics m
),

stats as (
    select
        cohort,
        metric,
        ${rounded('quantile_cont(value, 0.5)')} as cohort_median,
        ${rounded('quantile_cont(value, 0.25)')} as cohort_p25,
        ${rounded('quantile_cont(value, 0.75)')} as cohort_p75,
        count(value)::bigint as n_listeners
    from long
    group by cohort, metric
),

ranked as (
    select
        *,
        count(value) over (partition by cohort, metric order by value range between unbounded preceding and current row) as at_or_below,
        count(value) over (partition by cohort, metric, value) as equal
    from long
)

select
    r.listener_id,
    r.metric,
    r.cohort,
    r.value,
    s.cohort_median,
    s.cohort_p25,
    s.cohort_p75,
    case when r.value is not null then ${rounded('(100.0 * (r.at_or_below - 0.5 * r.equal))::double / s.n_listeners', 1)} end as percentile_in_cohort,
    s.n_listeners
from ranked r
join stats s on s.cohort = r.cohort and s.metric = r.metric`,
  orderBy: 'listener_id, metric',
});
