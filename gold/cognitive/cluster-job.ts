// The job behind mood_state_clusters and cluster_model_selection: reads each listener's plays with
// all seven clustering features, clusters them (kmeans-model.ts) and leaves two temp tables for the
// declarations' SQL: the cluster of every play, and the score of every candidate k.
import type { BuildContext } from '../../lib/build-context.ts';
import { queryValues } from '../../lib/duckdb.ts';
import { loadRows, type AppendValue } from '../../lib/appender.ts';
import { HAS_FEATURES } from '../shared/feature-sql.ts';
import { CLUSTER_FEATURES, CLUSTER_SETTINGS, clusterPlays, type ClusterSettings } from './kmeans-model.ts';

export const MEMBERS_TABLE = 'mood_cluster_members';
export const SCORES_TABLE = 'mood_cluster_scores';

const FEATURES = CLUSTER_FEATURES.map((f) => f.name);

interface Play { listener_id: string; event_id: string; features: number[] }

async function readPlays(ctx: BuildContext): Promise<Map<string, Play[]>> {
  const rows = await queryValues<Record<string, unknown>>(ctx.conn, `
    select listener_id, event_id, ${FEATURES.join(', ')}
    from silver.listening_with_features
    where ${HAS_FEATURES} and ${FEATURES.map((f) => `${f} is not null`).join(' and ')}
    order by listener_id, played_at, event_id`);
  const byListener = new Map<string, Play[]>();
  for (const r of rows) {
    const play = { listener_id: String(r.listener_id), event_id: String(r.event_id), features: FEATURES.map((f) => Number(r[f])) };
    if (!byListener.has(play.listener_id)) byListener.set(play.listener_id, []);
    byListener.get(play.listener_id)!.push(play);
  }
  return byListener;
}

/** Clusters every listener's plays and loads the temp tables MEMBERS_TABLE and SCORES_TABLE. */
export async function clusterListeners(ctx: BuildContext, settings: ClusterSettings = CLUSTER_SETTINGS): Promise<void> {
  const members: AppendValue[][] = [];
  const scores: AppendValue[][] = [];
  for (const [listener, plays] of await readPlays(ctx)) {
    const started = Date.now();
    const result = clusterPlays(plays.map((p) => p.features), settings);
    if (!result) {
      ctx.log.info({ listener_id: listener, plays: plays.length }, 'mood clusters: too few plays with features, listener skipped');
      continue;
    }
    const inSample = new Set(result.sample);
    plays.forEach((p, i) => members.push([listener, p.event_id, result.labels[i], inSample.has(i)]));
    for (const s of result.scores) scores.push([listener, s.k, s.silhouette, s.wcss, s.stability, s.chosen, result.sampleSize, settings.seed, settings.runs]);
    ctx.log.info({ listener_id: listener, plays: plays.length, k: result.k, ms: Date.now() - started }, 'mood clusters');
  }
  await loadRows(ctx.conn, MEMBERS_TABLE, [
    { name: 'listener_id', type: 'VARCHAR' }, { name: 'event_id', type: 'VARCHAR' },
    { name: 'raw_cluster', type: 'INTEGER' }, { name: 'in_sample', type: 'BOOLEAN' },
  ], members);
  await loadRows(ctx.conn, SCORES_TABLE, [
    { name: 'listener_id', type: 'VARCHAR' }, { name: 'k', type: 'INTEGER' }, { name: 'silhouette', type: 'DOUBLE' },
    { name: 'within_cluster_sum_of_squares', type: 'DOUBLE' }, { name: 'stability', type: 'DOUBLE' }, { name: 'chosen', type: 'BOOLEAN' },
    { name: 'sample_size', type: 'INTEGER' }, { name: 'seed', type: 'INTEGER' }, { name: 'runs', type: 'INTEGER' },
  ], scores);
}

export async function dropClusterTables(ctx: BuildContext): Promise<void> {
  for (const t of [MEMBERS_TABLE, SCORES_TABLE]) await ctx.conn.run(`drop table if exists temp.main.${t}`);
}
