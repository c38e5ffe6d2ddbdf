// Invariants of the prescriptive and cognitive tables, checked on a built lake (demo and real
// exports): counts reconcile with silver and with each other, labels follow their thresholds,
// caps hold. Each check returns the problems found (empty = fine), so tests can name them all.
import type { DuckDBConnection } from '../../lib/duckdb.ts';
import { queryRows } from '../../lib/duckdb.ts';
import { HAS_FEATURES } from '../shared/feature-sql.ts';

export const PART3_TABLES = [
  'mood_improvement_recommendations', 'optimal_listening_times', 'personalized_playlist_suggestions', 'mood_intervention_triggers',
  'mood_state_clusters', 'cluster_model_selection', 'listening_anomalies', 'sequential_patterns', 'behavioral_segments',
] as const;

/** Each query returns the offending rows; a check passes when it returns none. */
const CHECKS: Record<string, string> = {
  'behavioral_segments: one row per listener, total_listens = silver plays': `
    select s.listener_id from (select listener_id, count(*) as n from silver.listening_with_features group by 1) s
    full join gold.behavioral_segments b using (listener_id)
    where b.total_listens is distinct from s.n`,
  'sequential_patterns: transitions = consecutive pairs of mood_shift_patterns, per listener': `
    select listener_id from (select listener_id, sum(transition_count) as n from gold.sequential_patterns group by 1) t
    full join (select listener_id, sum(shift_count) as n from gold.mood_shift_patterns group by 1) m using (listener_id)
    where t.n is distinct from m.n`,
  'sequential_patterns: probabilities of each from_mood sum to 1': `
    select listener_id, from_mood from gold.sequential_patterns group by all having abs(sum(transition_probability) - 1) > 0.01`,
  'mood_state_clusters: members = streams with all seven features, for every clustered listener': `
    select listener_id from (select listener_id, sum(member_count) as n, max(cluster_count) as k, count(*) as c from gold.mood_state_clusters group by 1) c
    join (select listener_id, count(*) as n from silver.listening_with_features
          where ${HAS_FEATURES} and valence is not null and energy is not null and danceability is not null and acousticness is not null
            and instrumentalness is not null and tempo is not null and loudness is not null group by 1) s using (listener_id)
    where c.n <> s.n or c.c <> c.k`,
  'cluster_model_selection: exactly one chosen k, equal to the cluster count': `
    select listener_id from gold.cluster_model_selection sel
    left join (select listener_id, max(cluster_count) as clusters from gold.mood_state_clusters group by 1) c using (listener_id)
    group by listener_id
    having count(*) filter (where sel.chosen) <> 1 or max(case when sel.chosen then sel.k end) < max(c.clusters) or bool_or(sel.k not between 2 and 8)`,
  'listening_anomalies: counts and severity consistent': `
    select * from gold.listening_anomalies
    where anomaly_count < 1 or anomaly_count > scored_plays or scored_plays > plays_with_features
       or abs(observed_anomaly_share - anomaly_count / scored_plays) > 1e-12 or expected_anomaly_share not between 0 and 1
       or anomaly_severity <> case when greatest(avg_valence_deviation, avg_energy_deviation) > 3 then 'High'
                                   when greatest(avg_valence_deviation, avg_energy_deviation) > 2.5 then 'Medium' else 'Low' end`,
  'mood_improvement_recommendations: at most 20, valence >= 0.7, two plays or more': `
    select listener_id from gold.mood_improvement_recommendations group by 1
    having max(recommendation_rank) > 20 or min(avg_valence) < 0.7 or min(play_count) < 2`,
  'personalized_playlist_suggestions: at most 10 per playlist, positions 1..n': `
    select listener_id, playlist_name from gold.personalized_playlist_suggestions group by all
    having max(position) > 10 or max(position) <> count(*)`,
  'mood_intervention_triggers: only hours below 0.4, priority by 0.3': `
    select * from gold.mood_intervention_triggers
    where avg_valence >= 0.4 or intervention_needed <> case when avg_valence < 0.3 then 'High Priority' else 'Medium Priority' end`,
  'optimal_listening_times: hours 0-23, state by the 0.6/0.4 thresholds': `
    select * from gold.optimal_listening_times
    where hour_of_day not between 0 and 23 or mood_state <> case
        when predicted_valence >= 0.6 and avg_energy >= 0.6 then 'Happy & Energetic'
        when predicted_valence >= 0.6 and avg_energy < 0.4 then 'Happy & Calm'
        when predicted_valence < 0.4 and avg_energy >= 0.6 then 'Intense & Focused'
        when predicted_valence < 0.4 and avg_energy < 0.4 then 'Reflective & Calm' else 'Neutral' end`,
};

/** Problems in the given tables (default: all nine); a check runs when the table it is named after is among them. */
export async function part3Problems(conn: DuckDBConnection, tables: readonly string[] = PART3_TABLES): Promise<string[]> {
  const problems: string[] = [];
  for (const [name, sql] of Object.entries(CHECKS)) {
    if (!tables.includes(name.split(':')[0])) continue;
    const rows = await queryRows(conn, `${sql} limit 3`);
    if (rows.length > 0) problems.push(`${name}: ${JSON.stringify(rows)}`);
  }
  for (const table of tables) {
    const [bad] = await queryRows<{ n: number }>(conn, `select count(*)::integer as n from gold.${table} where synthetic_share < 0 or synthetic_share > 1 or isnan(synthetic_share)`);
    if (bad.n > 0) problems.push(`${table}: synthetic_share outside [0, 1]`);
  }
  return problems;
}

/** Rows per listener of each table (tables a listener has no rows in are missing from its map). */
export async function rowsPerListener(conn: DuckDBConnection): Promise<Map<string, Map<string, number>>> {
  const out = new Map<string, Map<string, number>>();
  for (const table of PART3_TABLES) {
    const rows = await queryRows<{ listener_id: string; n: number }>(conn, `select listener_id, count(*)::integer as n from gold.${table} group by 1`);
    out.set(table, new Map(rows.map((r) => [r.listener_id, r.n])));
  }
  return out;
}
