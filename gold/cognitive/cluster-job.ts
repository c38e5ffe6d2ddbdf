// The job behind mood_state_clusters and cluster_model_selection: clusters each listener's plays with
// all seven clustering features (kmeans-model.ts) and leaves two relations for the declarations'
// SQL (`temp.<name>`): the cluster of every play, and the score of every candidate k. The engine of
// the transaction's portable tables does the per-play work (canonical order, scaling, standardising,
// assignment): DuckDB, or Trino under --engine trino; JavaScript fits each listener's sample. The
// SQL keeps to the portable subset (lib/README.md) and gives the same doubles on both engines. The
// result equals kmeans-model.ts' clusterPlays (cluster-sql.test.ts).
import type { BuildContext } from '../../lib/build-context.ts';
import { queryValues, quoteLiteral, scalar } from '../../lib/duckdb.ts';
import { nearestCentroidSelect, sqlDouble } from '../../lib/ml/sql-compile.ts';
import { loadRows, type AppendColumn, type AppendValue } from '../../lib/appender.ts';
import { HAS_FEATURES, sqlVariables } from '../shared/feature-sql.ts';
import { CLUSTER_FEATURES, CLUSTER_SETTINGS, seededSample, type ClusterSettings, type SampleModel } from './kmeans-model.ts';
import { defaultFitThreads, fitPool, serialFits } from './fit-samples.ts';
import { groupsByPlays } from '../../silver/listening_with_features.ts';

export const MEMBERS_TABLE = 'mood_cluster_members';
export const SCORES_TABLE = 'mood_cluster_scores';

const FEATURES = CLUSTER_FEATURES.map((f) => f.name);

const SCORE_COLUMNS: AppendColumn[] = [
  { name: 'listener_id', type: 'VARCHAR' }, { name: 'k', type: 'INTEGER' }, { name: 'silhouette', type: 'DOUBLE' },
  { name: 'within_cluster_sum_of_squares', type: 'DOUBLE' }, { name: 'stability', type: 'DOUBLE' }, { name: 'chosen', type: 'BOOLEAN' },
  { name: 'sample_size', type: 'INTEGER' }, { name: 'seed', type: 'INTEGER' }, { name: 'runs', type: 'INTEGER' },
  { name: 'null_silhouette', type: 'DOUBLE' }, { name: 'cluster_structure', type: 'VARCHAR' },
];

/**
 * A batch's relations. Two sets (slots 0 and 1) alternate between batches: while the workers fit
 * one batch's samples, the engine prepares the next batch in the other slot, and the fitted batch's
 * plays are still there for its members.
 */
const slotTables = (slot: number) => ({
  points: `mood_cluster_points_${slot}`,
  stats: `mood_cluster_stats_${slot}`,
  sample: `mood_cluster_sample_${slot}`,
  samplePoints: `mood_cluster_sample_points_${slot}`,
  centroids: `mood_cluster_centroids_${slot}`,
});
type SlotTables = ReturnType<typeof slotTables>;

/**
 * Plays per batch of listeners, on DuckDB. The ordered sums keep every play of the listeners in a
 * batch in memory at once: all 10M plays of the large benchmark in one statement ran out of DuckDB's
 * 2 GB; whole listeners are batched, so no result depends on the batch size (cluster-sql.test.ts).
 * Trino takes all listeners in one pass: it spreads the listeners over its workers and spills, and a
 * batch there would cost a round of scratch tables (seconds each) instead of memory.
 */
export const CLUSTER_BATCH_PLAYS = 500_000;

const s = (j: number) => `s${j}`;
const z = (j: number) => `z${j}`;
const centroidColumn = (c: number, j: number) => `c${c}_${j}`;

/** The plays the clusters are built from: streams with all seven features. */
const PLAYS_WHERE = `${HAS_FEATURES} and ${FEATURES.map((f) => `${f} is not null`).join(' and ')}`;

/**
 * Every play of every listener (or of the batch's listeners: the whole range from the first to
 * the last, in DuckDB's order of listener_id): its position in the canonical order (feature values,
 * then the order plays are read in: kmeans-model.ts' stable sort) and its features scaled to [0, 1]
 * as standardise() does. A batch is a range, not a list of ids, so that the scan of silver (written
 * in listener order) reads only the row groups of the batch's listeners.
 */
export function pointsSql(batch?: readonly string[]): string {
  const scaled = CLUSTER_FEATURES.map((f, j) => `least(1e0, greatest(0e0, (${f.name} - ${sqlDouble(f.min)}) / ${sqlDouble(f.max - f.min)})) as ${s(j)}`);
  const range = !batch ? '' : batch.length === 0 ? '\n  and false'
    : `\n  and listener_id >= ${quoteLiteral(batch[0])} and listener_id <= ${quoteLiteral(batch[batch.length - 1])}`;
  return `
select listener_id, event_id,
  (row_number() over (partition by listener_id order by ${FEATURES.join(', ')}, played_at, play_seq, event_id) - 1)::integer as pos,
  ${scaled.join(', ')}
from silver.listening_with_features
where ${PLAYS_WHERE}${range}`;
}

/**
 * Per listener: plays, and the mean and population standard deviation of each scaled feature
 * (standardise()'s arithmetic). Each feature's values are gathered once, in canonical order, and
 * summed left to right from 0 as the JS reduce does: the same doubles, whatever the threads, on
 * either engine (list_sum is DuckDB's sequential sum over the list, Trino's reduce; lib/sql-dialect.ts).
 * One ordered list per feature, reused for both sums, costs a third of an ordered aggregate per sum
 * joined back to the plays (1M plays: 0.38 s against 1.1 s).
 */
export function statsSql(pointsTable: string): string {
  const lists = FEATURES.map((_, j) => `list(${s(j)} order by pos) as l${j}`);
  const means = FEATURES.map((_, j) => `list_sum(l${j}) / n as m${j}`);
  const sds = FEATURES.map((_, j) => `sqrt(list_sum(list_transform(l${j}, lambda x: (x - m${j}) * (x - m${j}))) / n) as sd${j}`);
  return `
with lists as (
  select listener_id, count(*)::double as n, ${lists.join(', ')} from temp.${pointsTable} group by listener_id
), means as (
  select listener_id, n, ${FEATURES.map((_, j) => `l${j}`).join(', ')}, ${means.join(', ')} from lists
)
select listener_id, n, ${FEATURES.map((_, j) => `m${j}`).join(', ')}, ${sds.join(', ')}
from means`;
}

/** The standardised coordinates of a play (0 for a feature without spread). */
const zSql = (j: number) => `case when st.sd${j} > 1e-12 then (p.${s(j)} - st.m${j}) / st.sd${j} else 0e0 end`;

/** Every play's standardised coordinates (z0…z6) of the first batch (slot 0), while the job's temp tables exist: for tests. */
export function standardisedPointsSql(): string {
  const t = slotTables(0);
  return `select p.listener_id, p.event_id, p.pos, ${FEATURES.map((_, j) => `${zSql(j)} as ${z(j)}`).join(', ')}
    from temp.${t.points} p join temp.${t.stats} st on st.listener_id = p.listener_id`;
}

/** Portable SQL of the transaction's engine, into `temp.<name>` (the rows when `read`). */
function scratch(ctx: BuildContext, name: string, sql: string, read = false): Promise<Record<string, unknown>[]> {
  return ctx.tx.scratch(name, sql, { variables: sqlVariables(ctx.config), read });
}

/** Rows a job made in Node, as DuckDB's temp table `name`, readable by the engine as `temp.<name>`. */
async function shareRows(ctx: BuildContext, name: string, columns: AppendColumn[], rows: AppendValue[][]): Promise<void> {
  await loadRows(ctx.conn, name, columns, rows);
  await ctx.tx.share(name);
}

/** Stats rows come back in no particular order from another engine: a fixed order, the same as DuckDB's for these ids. */
const byText = (a: unknown, b: unknown) => (String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0);

/** A batch's samples, ready to fit: each listener's standardised sample in canonical order. */
interface PreparedBatch {
  tables: SlotTables;
  listeners: string[];
  samples: number[][][];
}

/** The engine's part before the fits: canonical order, stats, and each listener's sample read back. */
async function prepareBatch(ctx: BuildContext, settings: ClusterSettings, tables: SlotTables, batch: string[] | null): Promise<PreparedBatch> {
  await scratch(ctx, tables.points, pointsSql(batch ?? undefined));
  const counts = (await scratch(ctx, tables.stats, statsSql(tables.points), true)).sort((a, b) => byText(a.listener_id, b.listener_id));
  const sample: AppendValue[][] = [];
  for (const { listener_id: listener, n } of counts) {
    if (Number(n) < settings.minPlays) continue;
    for (const pos of seededSample(Number(n), settings.sampleSize, settings.seed)) sample.push([String(listener), pos]);
  }
  await shareRows(ctx, tables.sample, [{ name: 'listener_id', type: 'VARCHAR' }, { name: 'pos', type: 'INTEGER' }], sample);
  if (sample.length === 0) return { tables, listeners: [], samples: [] };
  const rows = await scratch(ctx, tables.samplePoints, `
    select p.listener_id, p.pos, ${FEATURES.map((_, j) => `${zSql(j)} as ${z(j)}`).join(', ')}
    from temp.${tables.points} p
    join temp.${tables.sample} smp on smp.listener_id = p.listener_id and smp.pos = p.pos
    join temp.${tables.stats} st on st.listener_id = p.listener_id`, true);
  // each listener's sample in canonical order, as the fits expect it
  rows.sort((a, b) => byText(a.listener_id, b.listener_id) || Number(a.pos) - Number(b.pos));
  const byListener = new Map<string, number[][]>();
  for (const r of rows) {
    const list = byListener.get(String(r.listener_id)) ?? [];
    list.push(FEATURES.map((_, j) => Number(r[z(j)])));
    byListener.set(String(r.listener_id), list);
  }
  return { tables, listeners: [...byListener.keys()], samples: [...byListener.values()] };
}

/** Score rows and centroid rows of a batch's models, in listener order. */
function modelRows(ctx: BuildContext, settings: ClusterSettings, prepared: PreparedBatch, models: (SampleModel | null)[]): { scores: AppendValue[][]; centroids: AppendValue[][] } {
  const scores: AppendValue[][] = [];
  const centroids: AppendValue[][] = [];
  prepared.listeners.forEach((listener, i) => {
    const model = models[i];
    const points = prepared.samples[i];
    if (!model) return;
    for (const sc of model.scores) scores.push([listener, sc.k, sc.silhouette, sc.wcss, sc.stability, sc.chosen, points.length, settings.seed, settings.runs, sc.nullSilhouette, sc.structure]);
    centroids.push([listener, ...Array.from({ length: settings.kMax }, (_, c) => FEATURES.map((__, j) => model.centroids[c]?.[j] ?? null)).flat()]);
    ctx.log.debug({ listener_id: listener, sample: points.length, k: model.k }, 'mood clusters');
  });
  return { scores, centroids };
}

/** Every play of a listener with a model, assigned to its nearest centroid (lib/ml/sql-compile.ts), and whether it was in the sample. */
function membersSql(kMax: number, tables: SlotTables): string {
  const from = `(
    select p.listener_id, p.event_id, smp.pos is not null as in_sample, ${FEATURES.map((_, j) => `${zSql(j)} as ${z(j)}`).join(', ')},
      ${Array.from({ length: kMax }, (_, c) => FEATURES.map((__, j) => `c.${centroidColumn(c, j)}`)).flat().join(', ')}
    from temp.${tables.points} p
    join temp.${tables.stats} st on st.listener_id = p.listener_id
    join temp.${tables.centroids} c on c.listener_id = p.listener_id
    left join temp.${tables.sample} smp on smp.listener_id = p.listener_id and smp.pos = p.pos
  ) as "plays"`;
  const centroids = Array.from({ length: kMax }, (_, c) => FEATURES.map((__, j) => ({ sql: centroidColumn(c, j) })));
  const assigned = nearestCentroidSelect(FEATURES.map((_, j) => ({ sql: z(j) })), centroids, 'euclidean', { from, keep: ['listener_id', 'event_id', 'in_sample'], as: 'raw_cluster' });
  return `select listener_id, event_id, raw_cluster::integer as raw_cluster, in_sample from (${assigned}) as "assigned"`;
}

/** Listener batches of about batchPlays plays (DuckDB); whole listeners, in listener order, cut as silver's groups are. */
async function listenerBatches(ctx: BuildContext, batchPlays: number): Promise<string[][]> {
  return groupsByPlays(await queryValues<{ listener_id: string; n: number }>(ctx.conn,
    `select listener_id, count(*)::double as n from silver.listening_with_features where ${PLAYS_WHERE} group by listener_id order by listener_id`), batchPlays);
}

const MEMBER_COLUMNS: AppendColumn[] = [
  { name: 'listener_id', type: 'VARCHAR' }, { name: 'event_id', type: 'VARCHAR' }, { name: 'raw_cluster', type: 'INTEGER' }, { name: 'in_sample', type: 'BOOLEAN' },
];

const centroidColumns = (kMax: number): AppendColumn[] => [{ name: 'listener_id', type: 'VARCHAR' },
  ...Array.from({ length: kMax }, (_, c) => FEATURES.map((__, j) => ({ name: centroidColumn(c, j), type: 'DOUBLE' as const }))).flat()];

/**
 * Clusters every listener's plays and leaves `temp.<MEMBERS_TABLE>` and `temp.<SCORES_TABLE>` for
 * the declarations' SQL. The per-play work (canonical order, scaling, standardising, nearest
 * centroid) runs in the transaction's engine: DuckDB in batches of listeners, Trino in one pass
 * (see CLUSTER_BATCH_PLAYS); only each listener's sample (at most sampleSize plays) goes to
 * JavaScript, where the k-means fits run on `fitThreads` worker threads (fit-samples.ts; 0: in
 * this thread), overlapped with the engine's work on the next batch.
 */
export async function clusterListeners(ctx: BuildContext, settings: ClusterSettings = CLUSTER_SETTINGS, batchPlays = CLUSTER_BATCH_PLAYS, fitThreads = defaultFitThreads()): Promise<void> {
  const started = Date.now();
  // Nothing to cluster (a lake without such plays, below an empty sample or no model): no step is
  // sent to the engine, and the empty relations are made in DuckDB and shared (each Trino step costs
  // seconds of planning and scheduling even on no rows).
  const anyPlays = async () => (await queryValues<{ any: boolean }>(ctx.conn, `select exists (select 1 from silver.listening_with_features where ${PLAYS_WHERE}) as "any"`))[0].any;
  const batches = ctx.tx.remote ? (await anyPlays() ? [null] : []) : await listenerBatches(ctx, batchPlays);
  const pool = batches.length > 0 ? fitPool(fitThreads) : serialFits;
  const scores: AppendValue[][] = [];
  let clustered = 0;
  let fitWaitMs = 0;
  // The fitted batch's members: its centroids, then every play of it assigned (DuckDB batches add
  // their plays to the first one's table; only DuckDB runs batches).
  const finish = async (prepared: PreparedBatch, models: Promise<(SampleModel | null)[]>, b: number) => {
    const waited = Date.now();
    const fitted = modelRows(ctx, settings, prepared, await models);
    fitWaitMs += Date.now() - waited;
    if (batches.length > 1) ctx.log.debug({ batch: b + 1, of: batches.length, listeners: batches[b]?.length, clustered: fitted.centroids.length }, 'mood clusters batch');
    if (fitted.centroids.length === 0) return;
    await shareRows(ctx, prepared.tables.centroids, centroidColumns(settings.kMax), fitted.centroids);
    if (clustered === 0) await scratch(ctx, MEMBERS_TABLE, membersSql(settings.kMax, prepared.tables));
    else await ctx.conn.run(`insert into temp.main.${MEMBERS_TABLE} ${membersSql(settings.kMax, prepared.tables)}`);
    scores.push(...fitted.scores);
    clustered += fitted.centroids.length;
  };
  try {
    // While batch b's samples are fitted on the pool, the engine prepares batch b + 1 in the other slot.
    let fitting: { prepared: PreparedBatch; models: Promise<(SampleModel | null)[]>; b: number } | null = null;
    for (const [b, batch] of batches.entries()) {
      const prepared = await prepareBatch(ctx, settings, slotTables(b % 2), batch);
      if (fitting) await finish(fitting.prepared, fitting.models, fitting.b);
      const models = pool.fitAll(prepared.samples, settings);
      models.catch(() => {}); // awaited in finish; a failure before then must not go unhandled
      fitting = { prepared, models, b };
    }
    if (fitting) await finish(fitting.prepared, fitting.models, fitting.b);
  } finally {
    await pool.close();
  }
  if (clustered === 0) await shareRows(ctx, MEMBERS_TABLE, MEMBER_COLUMNS, []);
  await shareRows(ctx, SCORES_TABLE, SCORE_COLUMNS, scores);
  const listeners = Number(await scalar(ctx.conn, 'select count(distinct listener_id) from silver.listening_with_features'));
  if (clustered < listeners) ctx.log.info({ listeners, clustered, min_plays: settings.minPlays }, 'mood clusters: listeners with too few plays with features are skipped');
  ctx.log.info({ listeners, batches: batches.length, engine: ctx.tx.remote?.name ?? 'duckdb', fit_threads: pool === serialFits ? 0 : fitThreads, fit_wait_ms: fitWaitMs, ms: Date.now() - started }, 'mood clusters done');
}

/** Drops DuckDB's temp tables of the job (another engine's scratch tables go with the transaction). */
export async function dropClusterTables(ctx: BuildContext): Promise<void> {
  for (const t of [MEMBERS_TABLE, SCORES_TABLE, ...[0, 1].flatMap((slot) => Object.values(slotTables(slot)))]) await ctx.conn.run(`drop table if exists temp.main.${t}`);
}
