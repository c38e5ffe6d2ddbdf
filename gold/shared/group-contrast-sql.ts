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

/** A value compared between groups, and the prefix of its output columns. */
export interface ContrastValue { value: string; prefix: string }

/** The two values every comparison table reports: valence (no prefix) and energy (energy_*). */
export const VALENCE_AND_ENERGY: ContrastValue[] = [{ value: 'valence', prefix: '' }, { value: 'energy', prefix: 'energy_' }];

/**
 * A query with one row per listener and group that has plays with features and at least one of the
 * values, and for each value: <prefix>days_in_group, <prefix>days_in_rest, <prefix>diff_ci_low,
 * <prefix>diff_ci_high, <prefix>verdict, over the plays with features of `source` (a relation with
 * listener_id, date_local, feature_source and the columns used) whose value is not null; all five
 * null where the group has no such play for that value.
 *
 * The values are compared in one pass: every relation below carries each value's sums side by
 * side, and value k's statistics use only the rows where it was seen (n_k > 0), so each value gets
 * exactly what a comparison of that value alone would give. One pass matters on Trino, which inlines
 * a CTE at every reference: each value's own query read the plays again at each place that reads the
 * day groups. For the same reason every relation is read once where it can be: the listener's totals
 * are window sums over its group sums, its number of days is counted among the contributions (one row
 * per group and day of the listener), and the group totals ride along to the intervals, so the plays
 * are read three times (group sums, days, the day groups joined to the contributions), not six.
 */
export function groupContrastSql(source: string, group: string, values: ContrastValue[] = VALENCE_AND_ENERGY): string {
  const each = (f: (v: ContrastValue, k: number) => string, sep = ',\n            ') => values.map(f).join(sep);
  const seen = (k: number, at = 'g') => `${at}.n_${k} > 0`;
  /** A day enters value k's comparison of a group: the group and its rest have the value, and so has the day. */
  const counts = (k: number) => `t.days_g_${k} > 0 and t.n_r_${k} > 0 and ${seen(k, 'd')}`;
  return `(
    with day_group as (
        select listener_id, date_local, ${group} as grp,
            ${each((v, k) => `count(${v.value})::double as n_${k}, sum(${v.value}) as s_${k}`)}
        from ${source}
        where ${HAS_FEATURES} and (${values.map((v) => `${v.value} is not null`).join(' or ')})
        group by listener_id, date_local, ${group}
    ),
    days as (
        select listener_id, date_local,
            ${each((_, k) => `sum(n_${k}) as n_${k}, sum(s_${k}) as s_${k}`)}
        from day_group group by listener_id, date_local
    ),
    group_sums as (
        select g.listener_id, g.grp,
            ${each((_, k) => `sum(g.n_${k}) filter (where ${seen(k)}) as n_g_${k},
            sum(g.s_${k}) filter (where ${seen(k)}) as s_g_${k},
            count(*) filter (where ${seen(k)}) as days_g_${k},
            sum(sum(g.n_${k}) filter (where ${seen(k)})) over (partition by g.listener_id) as n_l_${k},
            sum(sum(g.s_${k}) filter (where ${seen(k)})) over (partition by g.listener_id) as s_l_${k}`)}
        from day_group g
        group by g.listener_id, g.grp
    ),
    group_totals as (
        select listener_id, grp,
            ${each((_, k) => `n_g_${k}, days_g_${k}, s_g_${k} / n_g_${k} as m_g_${k}, n_l_${k} - n_g_${k} as n_r_${k},
            (s_l_${k} - s_g_${k}) / nullif(n_l_${k} - n_g_${k}, 0) as m_r_${k}`)}
        from group_sums
    ),
    contributions as (
        select t.*,
            ${each((_, k) => `case when ${counts(k)} then
                (coalesce(dg.s_${k}, 0) - t.m_g_${k} * coalesce(dg.n_${k}, 0)) / t.n_g_${k}
                  - ((d.s_${k} - coalesce(dg.s_${k}, 0)) - t.m_r_${k} * (d.n_${k} - coalesce(dg.n_${k}, 0))) / t.n_r_${k} end as u_${k},
            ${counts(k)} and d.n_${k} - coalesce(dg.n_${k}, 0) > 0 as in_rest_${k},
            ${seen(k, 'd')} as day_has_${k}`)}
        from group_totals t
        join days d on d.listener_id = t.listener_id
        left join day_group dg on dg.listener_id = t.listener_id and dg.date_local = d.date_local and dg.grp = t.grp
    ),
    variance as (
        select listener_id, grp,
            ${each((_, k) => `sum(u_${k} * u_${k}) as su2_${k}, count(*) filter (where in_rest_${k}) as days_r_${k},
            count(*) filter (where day_has_${k}) as days_all_${k}, any_value(m_g_${k}) as m_g_${k}, any_value(m_r_${k}) as m_r_${k}, any_value(days_g_${k}) as days_g_${k}`)}
        from contributions group by listener_id, grp
    ),
    intervals as (
        select t.listener_id, t.grp,
            ${each((_, k) => {
              const bound = (sign: string) => `cast(case when t.days_g_${k} >= ${MIN_CONTRAST_DAYS} and t.days_r_${k} >= ${MIN_CONTRAST_DAYS} then
                round(t.m_g_${k} - t.m_r_${k} ${sign} ${Z95} * sqrt(t.days_all_${k}::double / nullif(t.days_all_${k} - 1, 0) * t.su2_${k}), 4) end as double)`;
              return `case when t.days_g_${k} > 0 then t.days_g_${k}::bigint end as days_in_group_${k},
            case when t.days_g_${k} > 0 then t.days_r_${k}::bigint end as days_in_rest_${k},
            ${bound('-')} as lo_${k},
            ${bound('+')} as hi_${k}`;
            })}
        from variance t
    )
    select listener_id, grp,
        ${each((v, k) => `days_in_group_${k} as ${v.prefix}days_in_group, days_in_rest_${k} as ${v.prefix}days_in_rest,
        lo_${k} as ${v.prefix}diff_ci_low, hi_${k} as ${v.prefix}diff_ci_high,
        case when days_in_group_${k} is null then null when lo_${k} > 0 then 'better' when hi_${k} < 0 then 'worse' else 'inconclusive' end as ${v.prefix}verdict`, ',\n        ')}
    from intervals
)`;
}
