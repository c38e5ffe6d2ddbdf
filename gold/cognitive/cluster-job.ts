// The job behind mood_state_clusters and cluster_model_selection: reads each listener's plays with
// all seven clustering features, clusters them (kmeans-model.ts) and leaves two temp tables for the
// declarations' SQL: the cluster of every play, and the score of every candidate k.
import type { BuildContext } from '../../lib/build-context.ts';
import { queryValues } from '../../lib/duckdb.ts';
import { loadRows, type AppendColumn, type AppendValue } from '../../lib/appender.ts';
import { HAS_FEATURES } from '../shared/feature-sql.ts';
import { CLUSTER_FEATURES, CLUSTER_SETTINGS, clusterPlays, type ClusterSettings } from './kmeans-model.ts';

export const MEMBERS_TABLE = 'mood_cluster_members';
export const SCORES_TABLE = 'mood_cluster_scores';
const BATCH_TABLE = 'mood_cluster_batch';

const FEATURES = CLUSTER_FEATURES.map((f) => f.name);

const MEMBER_COLUMNS: AppendColumn[] = [
  { name: 'listener_id', type: 'VARCHAR' }, { name: 'event_id', type: 'VARCHAR' },
  { name: 'raw_cluster', type: 'INTEGER' }, { name: 'in_sample', type: 'BOOLEAN' },
];
const SCORE_COLUMNS: AppendColumn[] = [
  { name: 'listener_id', type: 'VARCHAR' }, { name: 'k', type: 'INTEGER' }, { name: 'silhouette', type: 'DOUBLE' },
  { name: 'within_cluster_sum_of_squares', type: 'DOUBLE' }, { name: 'stability', type: 'DOUBLE' }, { name: 'chosen', type: 'BOOLEAN' },
  { name: 'sample_size', type: 'INTEGER' }, { name: 'seed', type: 'INTEGER' }, { name: 'runs', type: 'INTEGER' },
  { name: 'null_silhouette', type: 'DOUBLE' }, { name: 'cluster_structure', type: 'VARCHAR' },
];

/** One listener's plays with all seven features (clusterPlays puts them in its own canonical order). */
async function readPlays(ctx: BuildContext, listener: string): Promise<{ eventIds: string[]; features: number[][] }> {
  const rows = await queryValues<Record<string, unknown>>(ctx.conn, `
    select event_id, ${FEATURES.join(', ')}
    from silver.listening_with_features
    where listener_id = $1 and ${HAS_FEATURES} and ${FEATURES.map((f) => `${f} is not null`).join(' and ')}
    order by played_at, play_seq, event_id`, [listener]);
  return { eventIds: rows.map((r) => String(r.event_id)), features: rows.map((r) => FEATURES.map((f) => Number(r[f]))) };
}

/**
 * Clusters every listener's plays and leaves the temp tables MEMBERS_TABLE and SCORES_TABLE. One
 * listener at a time is held in memory (the large benchmark has a thousand listeners).
 */
export async function clusterListeners(ctx: BuildContext, settings: ClusterSettings = CLUSTER_SETTINGS): Promise<void> {
  await loadRows(ctx.conn, MEMBERS_TABLE, MEMBER_COLUMNS, []);
  const scores: AppendValue[][] = [];
  const started = Date.now();
  const listeners = await queryValues<{ listener_id: string }>(ctx.conn, 'select distinct listener_id from silver.listening_with_features order by 1');
  for (const { listener_id: listener } of listeners) {
    const plays = await readPlays(ctx, listener);
    const result = clusterPlays(plays.features, settings);
    if (!result) {
      ctx.log.info({ listener_id: listener, plays: plays.eventIds.length }, 'mood clusters: too few plays with features, listener skipped');
      continue;
    }
    const inSample = new Set(result.sample);
    await loadRows(ctx.conn, BATCH_TABLE, MEMBER_COLUMNS, plays.eventIds.map((id, i) => [listener, id, result.labels[i], inSample.has(i)]));
    await ctx.conn.run(`insert into ${MEMBERS_TABLE} select * from ${BATCH_TABLE}`);
    for (const s of result.scores) scores.push([listener, s.k, s.silhouette, s.wcss, s.stability, s.chosen, result.sampleSize, settings.seed, settings.runs, s.nullSilhouette, s.structure]);
    ctx.log.debug({ listener_id: listener, plays: plays.eventIds.length, k: result.k }, 'mood clusters');
  }
  await loadRows(ctx.conn, SCORES_TABLE, SCORE_COLUMNS, scores);
  ctx.log.info({ listeners: listeners.length, ms: Date.now() - started }, 'mood clusters done');
}

export async function dropClusterTables(ctx: BuildContext): Promise<void> {
  for (const t of [MEMBERS_TABLE, SCORES_TABLE, BATCH_TABLE]) await ctx.conn.run(`drop table if exists temp.main.${t}`);
}
