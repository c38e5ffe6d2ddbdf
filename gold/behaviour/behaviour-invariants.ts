// Invariants of the behaviour tables on a whole lake (checked on the real exports in
// gold/pipeline.test.ts): each query returns the rows that break a rule, so an empty list is a pass.
import type { DuckDBConnection } from '../../lib/duckdb.ts';
import { queryRows } from '../../lib/duckdb.ts';
import { PERSONALITIES } from './listener_profiles.ts';
import { COHORT_METRICS } from './cohort_comparison.ts';
import { RECOMMENDER } from './recommend-job.ts';

const names = PERSONALITIES.map((p) => `'${p.name}'`).join(', ');
const scores = PERSONALITIES.map((p) => p.column);

export const BEHAVIOUR_CHECKS: Record<string, string> = {
  'every listener of silver has one profile whose plays and days reconcile': `
    select s.listener_id, s.n, p.plays, s.days, p.days_active from
      (select listener_id, count(*) as n, count(distinct date_local) as days from silver.listening_with_features group by 1) s
    full join gold.listener_profiles p using (listener_id)
    where p.plays is distinct from s.n or p.days_active is distinct from s.days`,
  'personality is one of the five and has the highest score': `
    select listener_id, personality from gold.listener_profiles
    where personality not in (${names})
       or ${scores.map((c) => `coalesce(${c}, -1) > coalesce(case personality ${PERSONALITIES.map((p) => `when '${p.name}' then ${p.column}`).join(' ')} end, -1)`).join(' or ')}
       or ${scores.map((c) => `${c} not between 0 and 1`).join(' or ')}`,
  'skip_rate is null exactly when no play has a known skip': `
    select listener_id from gold.listener_profiles where (skip_known_plays = 0) <> (skip_rate is null)`,
  'circadian: 24 hours per listener, plays reconcile, days match the profile, the share lies in its interval': `
    select c.listener_id from gold.circadian_profile c join gold.listener_profiles p using (listener_id)
    group by c.listener_id, p.plays, p.days_active
    having count(*) <> 24 or sum(c.plays) <> p.plays or min(c.days_observed) <> p.days_active or max(c.days_observed) <> p.days_active
       or count(*) filter (where c.share_ci_low > c.share_of_plays + 1e-9 or c.share_ci_high < c.share_of_plays - 1e-9) > 0`,
  'cohort: every listener and metric once, percentiles 0-100, quartiles ordered': `
    select listener_id, count(*) from gold.cohort_comparison
    group by listener_id
    having count(*) <> ${COHORT_METRICS.length}
       or count(*) filter (where percentile_in_cohort not between 0 and 100 or cohort_p25 > cohort_median or cohort_median > cohort_p75) > 0
       or max(n_listeners) > (select count(*) from gold.listener_profiles)`,
  'recommendations: at most the top N, never a track the listener played': `
    select listener_id, song_key from gold.track_recommendations r
    where rank > ${RECOMMENDER.top}
       or exists (select 1 from silver.listening_with_features e where e.listener_id = r.listener_id and e.song_key = r.song_key)`,
  'evaluation: rates in [0, 1], hits consistent, verdict only on model rows': `
    select model, k from gold.recommendation_evaluation
    where hit_rate not between 0 and 1 or hits > evaluable_listeners or evaluable_listeners > listeners_in_lake
       or abs(hit_rate - hits / evaluable_listeners) > 0.0005
       or (baseline is null) <> (verdict is null) or verdict not in ('better', 'worse', 'inconclusive')`,
};

/** "<check>: <first offending rows>" for every check that fails. */
export async function behaviourProblems(conn: DuckDBConnection): Promise<string[]> {
  const problems: string[] = [];
  for (const [name, sql] of Object.entries(BEHAVIOUR_CHECKS)) {
    const rows = await queryRows(conn, `${sql} limit 3`);
    if (rows.length > 0) problems.push(`${name}: ${JSON.stringify(rows)}`);
  }
  return problems;
}
