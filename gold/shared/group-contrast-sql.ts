// Comparisons between groups of a listener's plays (weekend vs weekday, a part of the day or an hour
// vs the rest of the day): the difference of the group's mean from the mean of the listener's other
// plays, with a 95 % interval that treats a local day as the unit of evidence. Plays of one day share
// a lot (mood, company, the album that was on), so 40 plays on two Saturdays are two pieces of
// evidence, not 40.
//
// The interval is the normal interval of the cluster-robust (sandwich, linearised) standard error by
// local day: with u_d = (S_gd − m_g·n_gd)/N_g − (S_rd − m_r·n_rd)/N_r for every day d of the listener
// (S, n: sum and count of the day's values in the group g and in the rest r; m, N: their means and
// counts), Var(m_g − m_r) = D/(D − 1)·Σ u_d². It is computed by aggregation, so it scales to any number
// of listeners and plays (a bootstrap over days would multiply the rows by the resamples). With fewer
// than MIN_CONTRAST_DAYS days in the group or in the rest there is no interval and the verdict is
// inconclusive. verdict: better = the group's mean is higher than the rest's (the interval, rounded
// to 4 decimals as shown, lies above 0), worse = lower, inconclusive otherwise.
import { HAS_FEATURES } from './feature-sql.ts';

export const MIN_CONTRAST_DAYS = 5;
const Z95 = 1.959963984540054;

/**
 * A query with one row per listener and group: listener_id, grp, days_in_group, days_in_rest, and
 * <prefix>diff_ci_low, <prefix>diff_ci_high, <prefix>verdict for `value`, over the plays with features
 * of `source` (a relation with listener_id, date_local, feature_source and the columns used).
 */
export function groupContrastSql(source: string, group: string, value: string, prefix = ''): string {
  return `(
    with day_group as (
        select listener_id, date_local, ${group} as grp, count(${value})::double as n, sum(${value}) as s
        from ${source}
        where ${HAS_FEATURES} and ${value} is not null
        group by listener_id, date_local, ${group}
    ),
    days as (
        select listener_id, date_local, sum(n) as n, sum(s) as s from day_group group by listener_id, date_local
    ),
    listener_totals as (
        select listener_id, sum(n) as n, sum(s) as s, count(*) as days from days group by listener_id
    ),
    group_totals as (
        select g.listener_id, g.grp, sum(g.n) as n_g, sum(g.s) / sum(g.n) as m_g, count(*) as days_g,
            any_value(l.n) - sum(g.n) as n_r, (any_value(l.s) - sum(g.s)) / nullif(any_value(l.n) - sum(g.n), 0) as m_r,
            any_value(l.days) as days_all
        from day_group g join listener_totals l on l.listener_id = g.listener_id
        group by g.listener_id, g.grp
    ),
    contributions as (
        select t.listener_id, t.grp,
            (coalesce(dg.s, 0) - t.m_g * coalesce(dg.n, 0)) / t.n_g
              - ((d.s - coalesce(dg.s, 0)) - t.m_r * (d.n - coalesce(dg.n, 0))) / t.n_r as u,
            d.n - coalesce(dg.n, 0) > 0 as in_rest
        from group_totals t
        join days d on d.listener_id = t.listener_id
        left join day_group dg on dg.listener_id = t.listener_id and dg.date_local = d.date_local and dg.grp = t.grp
        where t.n_r > 0
    ),
    variance as (
        select listener_id, grp, sum(u * u) as su2, count(*) filter (where in_rest) as days_r
        from contributions group by listener_id, grp
    ),
    intervals as (
        select t.listener_id, t.grp, t.days_g::bigint as days_in_group, coalesce(v.days_r, 0)::bigint as days_in_rest,
            cast(case when t.days_g >= ${MIN_CONTRAST_DAYS} and v.days_r >= ${MIN_CONTRAST_DAYS} then
                round(t.m_g - t.m_r - ${Z95} * sqrt(t.days_all::double / nullif(t.days_all - 1, 0) * v.su2), 4) end as double) as lo,
            cast(case when t.days_g >= ${MIN_CONTRAST_DAYS} and v.days_r >= ${MIN_CONTRAST_DAYS} then
                round(t.m_g - t.m_r + ${Z95} * sqrt(t.days_all::double / nullif(t.days_all - 1, 0) * v.su2), 4) end as double) as hi
        from group_totals t left join variance v on v.listener_id = t.listener_id and v.grp = t.grp
    )
    select listener_id, grp, days_in_group, days_in_rest,
        lo as ${prefix}diff_ci_low, hi as ${prefix}diff_ci_high,
        case when lo > 0 then 'better' when hi < 0 then 'worse' else 'inconclusive' end as ${prefix}verdict
    from intervals
)`;
}
