// The job behind mood_state_clusters and cluster_model_selection: clusters each listener's plays with
// all seven clustering features (kmeans-model.ts) and leaves two temp tables for the declarations'
// SQL: the cluster of every play, and the score of every candidate k. DuckDB does the per-play work
// (canonical order, scaling, standardising, assignment); JavaScript fits each listener's sample.
// The result equals kmeans-model.ts' clusterPlays (cluster-sql.test.ts).
import type { BuildContext } from '../../lib/build-context.ts';
import { queryValues, scalar } from '../../lib/duckdb.ts';
import { nearestCentroidSelect, sqlDouble } from '../../lib/ml/sql-compile.ts';
import { loadRows, type AppendColumn, type AppendValue } from '../../lib/appender.ts';
import { HAS_FEATURES } from '../shared/feature-sql.ts';
import { CLUSTER_FEATURES, CLUSTER_SETTINGS, fitSample, seededSample, type ClusterSettings } from './kmeans-model.ts';

export const MEMBERS_TABLE = 'mood_cluster_members';
export const SCORES_TABLE = 'mood_cluster_scores';

const FEATURES = CLUSTER_FEATURES.map((f) => f.name);

const SCORE_COLUMNS: AppendColumn[] = [
  { name: 'listener_id', type: 'VARCHAR' }, { name: 'k', type: 'INTEGER' }, { name: 'silhouette', type: 'DOUBLE' },
  { name: 'within_cluster_sum_of_squares', type: 'DOUBLE' }, { name: 'stability', type: 'DOUBLE' }, { name: 'chosen', type: 'BOOLEAN' },
  { name: 'sample_size', type: 'INTEGER' }, { name: 'seed', type: 'INTEGER' }, { name: 'runs', type: 'INTEGER' },
  { name: 'null_silhouette', type: 'DOUBLE' }, { name: 'cluster_structure', type: 'VARCHAR' },
];

const POINTS_TABLE = 'mood_cluster_points';
const STATS_TABLE = 'mood_cluster_stats';
const SAMPLE_TABLE = 'mood_cluster_sample';
const CENTROIDS_TABLE = 'mood_cluster_centroids';
const BATCH_TABLE = 'mood_cluster_batch';

/**
 * Plays per batch of listeners. The ordered sums keep every play of the listeners in a batch in
 * memory at once: all 10M plays of the large benchmark in one statement ran out of DuckDB's 2 GB;
 * whole listeners are batched, so no result depends on the batch size (cluster-sql.test.ts).
 */
export const CLUSTER_BATCH_PLAYS = 500_000;

const s = (j: number) => `s${j}`;
const z = (j: number) => `z${j}`;
const centroidColumn = (c: number, j: number) => `c${c}_${j}`;

/** The plays the clusters are built from: streams with all seven features. */
const PLAYS_WHERE = `${HAS_FEATURES} and ${FEATURES.map((f) => `${f} is not null`).join(' and ')}`;

/**
 * Every play of every listener: its position in the canonical order (feature values, then the order
 * plays are read in: kmeans-model.ts' stable sort) and its features scaled to [0, 1] as standardise() does.
 */
export function pointsSql(listenersTable?: string): string {
  const scaled = CLUSTER_FEATURES.map((f, j) => `least(1e0, greatest(0e0, (${f.name} - ${sqlDouble(f.min)}) / ${sqlDouble(f.max - f.min)})) as ${s(j)}`);
  const batch = listenersTable ? `\n  and listener_id in (select listener_id from temp.main.${listenersTable})` : '';
  return `
select listener_id, event_id,
  (row_number() over (partition by listener_id order by ${FEATURES.join(', ')}, played_at, play_seq, event_id) - 1)::integer as pos,
  ${scaled.join(', ')}
from silver.listening_with_features
where ${PLAYS_WHERE}${batch}`;
}

/** A left-to-right sum in canonical order from 0, as the JS reduce: the same double, whatever the threads. */
const orderedSum = (expr: string) => `list_reduce(list(${expr} order by p.pos), lambda acc, x: acc + x, 0e0)`;

/** Per listener: plays, and the mean and population standard deviation of each scaled feature (standardise()'s arithmetic). */
export function statsSql(): string {
  const means = FEATURES.map((_, j) => `${orderedSum(`p.${s(j)}`)} / count(*)::double as m${j}`);
  const sds = FEATURES.map((_, j) => `sqrt(${orderedSum(`(p.${s(j)} - m.m${j}) * (p.${s(j)} - m.m${j})`)} / m.n) as sd${j}`);
  return `
with means as (
  select p.listener_id, count(*)::double as n, ${means.join(', ')} from temp.main.${POINTS_TABLE} p group by p.listener_id
)
select m.*, ${sds.join(', ')}
from temp.main.${POINTS_TABLE} p join means m using (listener_id)
group by m.listener_id, m.n, ${FEATURES.map((_, j) => `m.m${j}`).join(', ')}`;
}

/** The standardised coordinates of a play (0 for a feature without spread). */
const zSql = (j: number) => `case when st.sd${j} > 1e-12 then (p.${s(j)} - st.m${j}) / st.sd${j} else 0e0 end`;

/** Every play's standardised coordinates (z0…z6), while the job's temp tables exist: for tests. */
export function standardisedPointsSql(): string {
  return `select p.listener_id, p.event_id, p.pos, ${FEATURES.map((_, j) => `${zSql(j)} as ${z(j)}`).join(', ')}
    from temp.main.${POINTS_TABLE} p join temp.main.${STATS_TABLE} st using (listener_id)`;
}

async function fitListeners(ctx: BuildContext, settings: ClusterSettings): Promise<{ scores: AppendValue[][]; centroids: AppendValue[][] }> {
  const counts = await queryValues<{ listener_id: string; n: number }>(ctx.conn, `select listener_id, n from temp.main.${STATS_TABLE} order by listener_id`);
  const sample: AppendValue[][] = [];
  for (const { listener_id: listener, n } of counts) {
    if (n < settings.minPlays) continue;
    for (const pos of seededSample(n, settings.sampleSize, settings.seed)) sample.push([listener, pos]);
  }
  await loadRows(ctx.conn, SAMPLE_TABLE, [{ name: 'listener_id', type: 'VARCHAR' }, { name: 'pos', type: 'INTEGER' }], sample);
  const rows = await queryValues<Record<string, number | string>>(ctx.conn, `
    select p.listener_id, ${FEATURES.map((_, j) => `${zSql(j)} as ${z(j)}`).join(', ')}
    from temp.main.${POINTS_TABLE} p
    join temp.main.${SAMPLE_TABLE} using (listener_id, pos)
    join temp.main.${STATS_TABLE} st using (listener_id)
    order by p.listener_id, p.pos`);
  const byListener = new Map<string, number[][]>();
  for (const r of rows) {
    const list = byListener.get(String(r.listener_id)) ?? [];
    list.push(FEATURES.map((_, j) => Number(r[z(j)])));
    byListener.set(String(r.listener_id), list);
  }
  const scores: AppendValue[][] = [];
  const centroids: AppendValue[][] = [];
  for (const [listener, points] of byListener) {
    const model = fitSample(points, settings);
    if (!model) continue;
    for (const sc of model.scores) scores.push([listener, sc.k, sc.silhouette, sc.wcss, sc.stability, sc.chosen, points.length, settings.seed, settings.runs, sc.nullSilhouette, sc.structure]);
    centroids.push([listener, ...Array.from({ length: settings.kMax }, (_, c) => FEATURES.map((__, j) => model.centroids[c]?.[j] ?? null)).flat()]);
    ctx.log.debug({ listener_id: listener, sample: points.length, k: model.k }, 'mood clusters');
  }
  return { scores, centroids };
}

/** Every play of a listener with a model, assigned to its nearest centroid (lib/ml/sql-compile.ts), and whether it was in the sample. */
function membersSql(kMax: number): string {
  const from = `(
    select p.listener_id, p.event_id, smp.pos is not null as in_sample, ${FEATURES.map((_, j) => `${zSql(j)} as ${z(j)}`).join(', ')},
      ${Array.from({ length: kMax }, (_, c) => FEATURES.map((__, j) => `c.${centroidColumn(c, j)}`)).flat().join(', ')}
    from temp.main.${POINTS_TABLE} p
    join temp.main.${STATS_TABLE} st using (listener_id)
    join temp.main.${CENTROIDS_TABLE} c using (listener_id)
    left join temp.main.${SAMPLE_TABLE} smp using (listener_id, pos)
  ) as "plays"`;
  const centroids = Array.from({ length: kMax }, (_, c) => FEATURES.map((__, j) => ({ sql: centroidColumn(c, j) })));
  const assigned = nearestCentroidSelect(FEATURES.map((_, j) => ({ sql: z(j) })), centroids, 'euclidean', { from, keep: ['listener_id', 'event_id', 'in_sample'], as: 'raw_cluster' });
  return `select listener_id, event_id, raw_cluster::integer as raw_cluster, in_sample from (${assigned}) as "assigned"`;
}

/**
 * Clusters every listener's plays and leaves the temp tables MEMBERS_TABLE and SCORES_TABLE. The
 * per-play work runs in DuckDB (canonical order, scaling, standardising, nearest centroid); only each
 * listener's sample (at most sampleSize plays) goes to JavaScript, where the k-means fits run.
 */
export async function clusterListeners(ctx: BuildContext, settings: ClusterSettings = CLUSTER_SETTINGS, batchPlays = CLUSTER_BATCH_PLAYS): Promise<void> {
  const started = Date.now();
  const counts = await queryValues<{ listener_id: string; n: number }>(ctx.conn,
    `select listener_id, count(*)::double as n from silver.listening_with_features where ${PLAYS_WHERE} group by listener_id order by listener_id`);
  const batches: string[][] = [];
  let size = 0;
  for (const { listener_id: listener, n } of counts) {
    if (batches.length === 0 || (size > 0 && size + Number(n) > batchPlays)) { batches.push([]); size = 0; }
    batches[batches.length - 1].push(listener);
    size += Number(n);
  }
  if (batches.length === 0) batches.push([]);
  const scores: AppendValue[][] = [];
  let clustered = 0;
  for (const [b, batch] of batches.entries()) {
    await loadRows(ctx.conn, BATCH_TABLE, [{ name: 'listener_id', type: 'VARCHAR' }], batch.map((l) => [l]));
    await ctx.conn.run(`create or replace temp table ${POINTS_TABLE} as ${pointsSql(BATCH_TABLE)}`);
    await ctx.conn.run(`create or replace temp table ${STATS_TABLE} as ${statsSql()}`);
    const fitted = await fitListeners(ctx, settings);
    scores.push(...fitted.scores);
    clustered += fitted.centroids.length;
    const centroidColumns: AppendColumn[] = Array.from({ length: settings.kMax }, (_, c) => FEATURES.map((__, j) => ({ name: centroidColumn(c, j), type: 'DOUBLE' as const }))).flat();
    await loadRows(ctx.conn, CENTROIDS_TABLE, [{ name: 'listener_id', type: 'VARCHAR' }, ...centroidColumns], fitted.centroids);
    await ctx.conn.run(b === 0 ? `create or replace temp table ${MEMBERS_TABLE} as ${membersSql(settings.kMax)}` : `insert into temp.main.${MEMBERS_TABLE} ${membersSql(settings.kMax)}`);
    if (batches.length > 1) ctx.log.debug({ batch: b + 1, of: batches.length, listeners: batch.length }, 'mood clusters batch');
  }
  await loadRows(ctx.conn, SCORES_TABLE, SCORE_COLUMNS, scores);
  const listeners = Number(await scalar(ctx.conn, 'select count(distinct listener_id) from silver.listening_with_features'));
  if (clustered < listeners) ctx.log.info({ listeners, clustered, min_plays: settings.minPlays }, 'mood clusters: listeners with too few plays with features are skipped');
  ctx.log.info({ listeners, batches: batches.length, ms: Date.now() - started }, 'mood clusters done');
}

export async function dropClusterTables(ctx: BuildContext): Promise<void> {
  for (const t of [MEMBERS_TABLE, SCORES_TABLE, POINTS_TABLE, STATS_TABLE, SAMPLE_TABLE, CENTROIDS_TABLE, BATCH_TABLE]) await ctx.conn.run(`drop table if exists temp.main.${t}`);
}
