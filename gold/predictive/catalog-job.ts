// The track-level half of the job: fit (or reuse) the two catalog forests, report their hold-out
// evaluation, predict every distinct feature vector the listeners' plays carry, and write
// mood_predictions and mood_classifications with a split per play plus per-listener test metrics.
import type { BuildContext } from '../../lib/build-context.ts';
import { queryRows, scalar } from '../../lib/duckdb.ts';
import { appendRows, loadRows, type AppendColumn } from '../../lib/appender.ts';
import { FOREST_NODE_COLUMNS, forestClassifierNodeSql, forestNodes, forestRegressorNodeSql, type ForestNodes } from '../../lib/ml/forest-node-sql.ts';
import { CATALOG_FEATURES, CATALOG_INT_FEATURES } from '../../silver/catalog_tracks.ts';
import { HAS_ANY_FEATURES, isStream, moodCategory, sqlVariables } from '../shared/feature-sql.ts';
import { planModel, loadCatalogData, splitCatalog, type CatalogData, type FittedCatalogModel } from './catalog-models.ts';
import type { CatalogSplit, CatalogSplitOptions } from './catalog-split.ts';
import { fitMissing } from './parallel-fit.ts';
import { flattenForest, predictClassifier, predictRegressor } from '../../lib/ml/forest-node-js.ts';
import { listenerParts, partWhere } from './listener-parts.ts';
import type { ListenerGroup } from '../../silver/listening_with_features.ts';
import {
  REGRESSION_SUMS, TRACK_CLUSTER_SQL, classificationMetrics, confusionVector, groupClusters, regressionMetrics, regressionSumsSql, type RegressionSums,
} from './evaluation.ts';
import {
  CATALOG_MODELS, CV_CAP, CV_FOLDS, EVAL_SETS, HOLDOUT_SHARE, MIN_CATALOG_GROUPS, MIN_EVAL_ROWS, MOODS, REAL_SOURCE_SQL, SEED,
  MOOD_MODEL, VALENCE_MODEL, type CatalogModelSpec,
} from './model-settings.ts';
import type { MetricContext, Report } from './report-rows.ts';
import moodPredictions from './mood_predictions.ts';
import moodClassifications from './mood_classifications.ts';

export interface CatalogModels {
  data: CatalogData;
  split: CatalogSplit;
  models: Map<string, FittedCatalogModel>;
}

function context(m: FittedCatalogModel, set: string, listener: string | null, testRows: number, tracks: number): MetricContext {
  const a = m.artifact;
  const listenerSet = listener !== null;
  return {
    listener_id: listener, model_name: m.spec.name, evaluation_set: set, model_type: m.spec.modelType, target: m.spec.target,
    features: m.spec.features.join(','), train_source: 'silver.catalog_tracks: Kaggle tracks of the training split (grouped by feature vector)',
    test_source: !listenerSet ? 'silver.catalog_tracks: held-out Kaggle tracks (no feature vector shared with training)'
      : set === EVAL_SETS.listenerEvents ? "listener's plays with real features (Spotify API or Kaggle) whose feature vector was not trained on"
        : "listener's plays with synthetic features (generated values: not a real target)",
    train_rows: a.trainRows, test_rows: testRows, n_plays: listenerSet ? testRows : null, n_tracks: tracks, synthetic_target_share: set === EVAL_SETS.listenerEventsSynthetic ? 1 : 0, seed: SEED,
    training_seconds: a.trainingSeconds, trained_at: a.trainedAt, scope: listenerSet ? 'listener' : 'catalog', model_id: a.key,
    baseline_name: m.spec.kind === 'regressor' ? `training mean of ${m.spec.target} (${Number(a.evaluation.baseline).toFixed(4)})` : `training majority class (${a.evaluation.baseline})`,
  };
}

export async function fitCatalogModels(ctx: BuildContext, report: Report): Promise<CatalogModels | null> {
  const data = await loadCatalogData(ctx.conn);
  const groups = new Set(data.keys).size;
  if (groups < MIN_CATALOG_GROUPS) {
    ctx.log.warn({ feature_vectors: groups, needed: MIN_CATALOG_GROUPS }, 'silver.catalog_tracks is too small to train the track-level models (ingest the Kaggle catalog): mood_predictions and mood_classifications get no predictions');
    return null;
  }
  const options: CatalogSplitOptions = { holdoutShare: HOLDOUT_SHARE, folds: CV_FOLDS, cvCap: CV_CAP, trainCap: ctx.config.trainCap, seed: SEED };
  const split = splitCatalog(data.keys, data.moods, options);
  const plans = CATALOG_MODELS.map((spec) => planModel(ctx.config.modelsDir, spec, data, options, ctx.log));
  const models = new Map<string, FittedCatalogModel>();
  for (const m of await fitMissing(ctx.config.modelsDir, plans, data, split, ctx.log)) {
    const spec = m.spec;
    models.set(spec.name, m);
    const ev = m.artifact.evaluation;
    report.addMetrics(context(m, EVAL_SETS.catalogHoldout, null, ev.holdoutRows, ev.holdoutRows), ev.holdout);
    const method = spec.kind === 'regressor' ? 'permutation_r2_drop' : 'permutation_accuracy_drop';
    for (const r of ev.importance) report.importance.push({ listener_id: null, model_name: spec.name, feature: r.feature, importance: r.importance, importance_std: r.std, method, evaluation_set: EVAL_SETS.catalogHoldout, model_id: m.artifact.key });
    for (const c of ev.confusion ?? []) report.confusion.push({ listener_id: null, model_name: spec.name, evaluation_set: EVAL_SETS.catalogHoldout, ...c, model_id: m.artifact.key });
  }
  return { data, split, models };
}

export const VECTOR_FEATURES = [...new Set(CATALOG_MODELS.flatMap((s) => s.features))];
/** The whole feature vector (what silver.catalog_tracks' feature_key hashes): the grain of the training split. */
const KEY_FEATURES = [...CATALOG_FEATURES, ...CATALOG_INT_FEATURES];

const SCORE_COLUMNS: AppendColumn[] = [{ name: 'vector_id', type: 'BIGINT' }, { name: 'predicted_valence', type: 'DOUBLE' }, { name: 'predicted_mood', type: 'VARCHAR' }];

/** Feature vectors predicted per batch: bounds the JS side (300k vectors at 10M plays took ~450 MB as one array). */
const PREDICT_BATCH = 25_000;

/**
 * The distinct feature vectors (the forests' features) of the plays with every one of them, numbered.
 * Plays meet their vector by the feature values themselves, not by a hash of them: the same on every
 * engine (Trino prints doubles differently, so a hash of their text would differ).
 */
const vectorInputsSql = () => `select row_number() over (order by ${VECTOR_FEATURES.join(', ')}) as vector_id, d.*
  from (select distinct ${VECTOR_FEATURES.join(', ')} from silver.listening_with_features
    where ${HAS_ANY_FEATURES} and ${VECTOR_FEATURES.map((f) => `${f} is not null`).join(' and ')}) d`;

/**
 * The forests' predictions as SQL over `from` (`key` and the features), from node tables the
 * caller loaded with forestNodes() (lib/ml/sql-compile.ts): valence the mean of the trees, mood
 * ml-random-forest's vote. Equal to the JS forests' predictions on DuckDB (sql-scoring.test.ts) and on
 * Trino (sql-scoring.stack.test.ts): the SQL is in the subset both engines read alike (no USING: Trino
 * cannot then name v.<key>).
 */
export function vectorPredictionSql(cm: CatalogModels, nodes: { valence: { table: string; nodes: ForestNodes }; mood: { table: string; nodes: ForestNodes } }, from: string, key = 'feature_key'): string {
  const valence = cm.models.get(VALENCE_MODEL.name)!.artifact.forest;
  const mood = cm.models.get(MOOD_MODEL.name)!.artifact.forest;
  const v = forestRegressorNodeSql(valence.model, nodes.valence.nodes, { nodes: nodes.valence.table, from, keys: [key], features: VALENCE_MODEL.features, as: 'predicted_valence' });
  const m = forestClassifierNodeSql(nodes.mood.nodes, (mood.classes ?? []).map(String), { nodes: nodes.mood.table, from, keys: [key], features: MOOD_MODEL.features, as: 'predicted_mood' });
  return `select v.${key}, v.predicted_valence, m.predicted_mood from (${v}) as v join (${m}) as m on m.${key} = v.${key}`;
}

/** Loads a forest's node table into DuckDB as temp.<name>; returns its name (as portable SQL names it) and shape. */
export async function loadForestNodes(ctx: Pick<BuildContext, 'conn'>, name: string, model: FittedCatalogModel): Promise<{ table: string; nodes: ForestNodes }> {
  const nodes = forestNodes(model.artifact.forest.model);
  await loadRows(ctx.conn, name, FOREST_NODE_COLUMNS.map((c) => ({ ...c })), nodes.rows);
  return { table: `temp.${name}`, nodes };
}

/**
 * predictive_vectors from the compiled forests, by the engine of the transaction's portable tables:
 * DuckDB (LAKEHOUSE_FOREST_SCORING=sql) or Trino (--engine trino), walking the node tables.
 */
async function scoreVectorsInSql(ctx: BuildContext, cm: CatalogModels): Promise<void> {
  const nodes = {
    valence: await loadForestNodes(ctx, 'predictive_valence_nodes', cm.models.get(VALENCE_MODEL.name)!),
    mood: await loadForestNodes(ctx, 'predictive_mood_nodes', cm.models.get(MOOD_MODEL.name)!),
  };
  await ctx.tx.share('predictive_valence_nodes');
  await ctx.tx.share('predictive_mood_nodes');
  await ctx.tx.scratch('predictive_vector_inputs', vectorInputsSql());
  await ctx.tx.scratch('predictive_vectors', `select i.*, p.predicted_valence, p.predicted_mood
    from temp.predictive_vector_inputs i join (${vectorPredictionSql(cm, nodes, 'temp.predictive_vector_inputs', 'vector_id')}) p on p.vector_id = i.vector_id`);
  for (const t of ['predictive_valence_nodes', 'predictive_mood_nodes']) await ctx.conn.run(`drop table temp.main.${t}`);
}

/** predictive_vectors from the JS forests, in batches of feature vectors (the default on DuckDB). */
async function scoreVectorsInJs(ctx: BuildContext, cm: CatalogModels | null): Promise<void> {
  await ctx.conn.run(`create or replace temp table predictive_vector_inputs as ${vectorInputsSql()}`);
  const total = Number(await scalar(ctx.conn, 'select count(*) from temp.main.predictive_vector_inputs'));
  await loadRows(ctx.conn, 'predictive_vector_scores', SCORE_COLUMNS, []);
  // The forests walk flat copies of their node tables (lib/ml/forest-node-js.ts): the same values as
  // Forest.predict at a fraction of its cost.
  const flat = cm ? {
    valence: flattenForest(forestNodes(cm.models.get(VALENCE_MODEL.name)!.artifact.forest.model)),
    mood: flattenForest(forestNodes(cm.models.get(MOOD_MODEL.name)!.artifact.forest.model)),
    moodClasses: cm.models.get(MOOD_MODEL.name)!.artifact.forest.classes ?? [],
  } : null;
  for (let from = 0; from < total; from += PREDICT_BATCH) {
    const vectors = await queryRows<Record<string, number | bigint>>(ctx.conn,
      'select * from temp.main.predictive_vector_inputs where vector_id > $from and vector_id <= $to order by vector_id', { from, to: from + PREDICT_BATCH });
    const values = new Map(VECTOR_FEATURES.map((f) => [f, Float64Array.from(vectors, (v) => Number(v[f]))]));
    const columns = (spec: CatalogModelSpec) => spec.features.map((f) => values.get(f)!);
    const valence = flat ? [...predictRegressor(flat.valence, columns(VALENCE_MODEL), vectors.length)] : vectors.map(() => null);
    const mood = flat ? [...predictClassifier(flat.mood, flat.moodClasses.length, columns(MOOD_MODEL), vectors.length)].map((k) => String(flat.moodClasses[k])) : vectors.map(() => null);
    await appendRows(ctx.conn, 'predictive_vector_scores', SCORE_COLUMNS, vectors.map((v, i) => [Number(v.vector_id), valence[i], mood[i]]));
  }
  await ctx.conn.run(`create or replace temp table predictive_vectors as
    select i.*, s.predicted_valence, s.predicted_mood from temp.main.predictive_vector_inputs i join temp.main.predictive_vector_scores s on s.vector_id = i.vector_id`);
  for (const t of ['predictive_vector_inputs', 'predictive_vector_scores']) await ctx.conn.run(`drop table temp.main.${t}`);
}

/**
 * Relations the event SQL reads: the training split's whole feature vectors, and one prediction per
 * distinct feature vector of the plays. Under --engine trino both live in Trino and the forests are
 * scored there (SQL); on DuckDB the JS forests score by default.
 */
async function stagePredictions(ctx: BuildContext, cm: CatalogModels | null): Promise<void> {
  const trainKeys = cm ? [...new Set(cm.split.train.map((i) => cm.data.keys[i]))] : [];
  await loadRows(ctx.conn, 'predictive_train_keys', [{ name: 'feature_key', type: 'VARCHAR' }], trainKeys.map((k) => [k]));
  // Training rows have every feature (loadCatalogData), so plays meet them by plain equality.
  await ctx.conn.run(`create or replace temp table predictive_train_vectors as
    select distinct ${KEY_FEATURES.join(', ')} from silver.catalog_tracks where feature_key in (select feature_key from temp.main.predictive_train_keys)`);
  await ctx.tx.share('predictive_train_vectors');
  const started = Date.now();
  const scoring = ctx.tx.remote ? ctx.tx.remote.name : ctx.config.forestScoring;
  if (cm && scoring !== 'js') await scoreVectorsInSql(ctx, cm);
  else if (ctx.tx.remote) await ctx.tx.scratch('predictive_vectors', `select *, null::double as predicted_valence, null::varchar as predicted_mood from (${vectorInputsSql()}) i`);
  else await scoreVectorsInJs(ctx, cm);
  ctx.log.debug({ ms: Date.now() - started, scoring }, 'catalog forests scored');
}

/**
 * Every play with its split and prediction. The joins are on equalities only: a play without
 * features has them null (silver), so it meets no vector; a further condition in the ON of these
 * LEFT JOINs (e.g. "has features") made DuckDB fall back to a block-wise nested loop, 147 s instead
 * of 1 s for 1M plays (predictive.test.ts checks the plan).
 */
export function eventSql(actual: string, predicted: string, model: FittedCatalogModel | undefined, name: string, part?: ListenerGroup): string {
  return `
with events as (
  select * from silver.listening_with_features${partWhere(part)}
), labelled as (
  select e.*, v.${predicted} as predicted,
    case when t.${KEY_FEATURES[0]} is not null then 'train' when v.${predicted} is not null and ${isStream('e')} then 'test' else 'apply' end as split
  from events e
  left join temp.predictive_train_vectors t on ${KEY_FEATURES.map((f) => `t.${f} = e.${f}`).join(' and ')}
  left join temp.predictive_vectors v on ${VECTOR_FEATURES.map((f) => `v.${f} = e.${f}`).join(' and ')}
)
select listener_id, event_id, played_at, hour_of_day, track_id, track_name, artist_name, feature_source, split,
  case when split = 'test' then case when ${REAL_SOURCE_SQL} then '${EVAL_SETS.listenerEvents}' else '${EVAL_SETS.listenerEventsSynthetic}' end end as evaluation_set,
  ${actual}, predicted as ${predicted}, '${name}' as model_name, ${model ? `'${model.artifact.key}'` : 'null::varchar'} as model_id
from labelled`;
}

async function valenceMetrics(ctx: BuildContext, m: FittedCatalogModel, report: Report): Promise<void> {
  const base = Number(m.artifact.evaluation.baseline);
  const rows = await queryRows<RegressionSums & { listener_id: string; evaluation_set: string; cluster: string }>(ctx.conn, `
    select listener_id, evaluation_set, ${TRACK_CLUSTER_SQL} as cluster, ${regressionSumsSql('actual_valence', 'predicted_valence', String(base))}
    from gold.mood_predictions where split = 'test' group by all order by all`);
  for (const g of groupClusters(rows, (r) => REGRESSION_SUMS.map((k) => Number(r[k]))).values()) {
    const n = g.clusters.reduce((s, c) => s + c[0], 0);
    if (n < MIN_EVAL_ROWS) continue;
    report.addMetrics(context(m, g.set, g.listener, n, g.clusters.length), regressionMetrics(g.clusters, `${m.spec.name}:${g.set}`));
  }
}

async function moodMetrics(ctx: BuildContext, m: FittedCatalogModel, report: Report): Promise<void> {
  const rows = await queryRows<{ listener_id: string; evaluation_set: string; cluster: string; actual: string; predicted: string; n: number }>(ctx.conn, `
    select listener_id, evaluation_set, ${TRACK_CLUSTER_SQL} as cluster, actual_mood as actual, predicted_mood as predicted, count(*)::double as n
    from gold.mood_classifications where split = 'test' group by all order by all`);
  for (const g of groupClusters(rows, (r) => confusionVector([{ actual: r.actual, predicted: r.predicted, count: Number(r.n) }], MOODS)).values()) {
    const total = MOODS.flatMap((_, a) => MOODS.map((__, p) => g.clusters.reduce((s, c) => s + c[a * MOODS.length + p], 0)));
    const n = total.reduce((s, x) => s + x, 0);
    if (n < MIN_EVAL_ROWS) continue;
    report.addMetrics(context(m, g.set, g.listener, n, g.clusters.length), classificationMetrics(g.clusters, String(m.artifact.evaluation.baseline), MOODS, `${m.spec.name}:${g.set}`));
    MOODS.forEach((a, i) => MOODS.forEach((p, j) => {
      report.confusion.push({ listener_id: g.listener, model_name: m.spec.name, evaluation_set: g.set, actual: a, predicted: p, count: total[i * MOODS.length + j], model_id: m.artifact.key });
    }));
  }
}

export async function writeCatalogPredictions(ctx: BuildContext, cm: CatalogModels | null, report: Report): Promise<void> {
  await stagePredictions(ctx, cm);
  const valence = cm?.models.get(VALENCE_MODEL.name);
  const mood = cm?.models.get(MOOD_MODEL.name);
  const parts = await listenerParts(ctx);
  const write = (spec: typeof moodPredictions, sql: (part?: ListenerGroup) => string) => ctx.tx.write(spec, {
    sql: sql(), parts: parts.length > 0 ? parts.map((p) => sql(p)) : undefined,
    orderBy: spec.orderBy, inputs: spec.inputs, portable: true, variables: sqlVariables(ctx.config),
  });
  await write(moodPredictions, (part) => eventSql('valence as actual_valence', 'predicted_valence', valence, VALENCE_MODEL.name, part));
  const moodActual = `${moodCategory()} as actual_mood`;
  await write(moodClassifications, (part) => eventSql(moodActual, 'predicted_mood', mood, MOOD_MODEL.name, part));
  ctx.log.debug('catalog prediction tables written');
  if (valence) await valenceMetrics(ctx, valence, report);
  if (mood) await moodMetrics(ctx, mood, report);
}
