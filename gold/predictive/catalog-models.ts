// The track-level models: random forests trained on the Kaggle catalog (silver.catalog_tracks),
// evaluated by grouped k-fold CV and on a held-out share of the catalog, saved as artifacts keyed by
// their inputs and reused while the catalog and the settings stay the same.
import type { DuckDBConnection } from '../../lib/duckdb.ts';
import { queryRows } from '../../lib/duckdb.ts';
import type { Logger } from '../../lib/logger.ts';
import { loadForest, trainForestClassifier, trainForestRegressor, type ForestClassifier, type ForestRegressor } from '../../lib/ml/forest.ts';
import { accuracy, confusionMatrix, majorityLabel, mean, r2 } from '../../lib/ml/metrics.ts';
import { permutationImportance } from '../../lib/ml/importance.ts';
import { stratifiedSample } from '../../lib/ml/folds.ts';
import { moodCategory } from '../shared/feature-sql.ts';
import { CATALOG_FEATURES, CATALOG_INT_FEATURES } from '../../silver/catalog_tracks.ts';
import { MODEL_ARTIFACT_VERSION, artifactKey, loadArtifact, saveArtifact, type ModelArtifact, type SavedEvaluation } from './artifacts.ts';
import { splitCatalog, type CatalogSplit, type CatalogSplitOptions } from './catalog-split.ts';
import {
  assertNoLeak, assertTargetNotFeature, classificationClusters, classificationMetrics, meanStd, regressionClusters, regressionMetrics, type MetricResult,
} from './evaluation.ts';
import { FOREST_OPTIONS, IMPORTANCE_ROWS, MOODS, SEED, type CatalogModelSpec } from './model-settings.ts';

const ALL_FEATURES = [...CATALOG_FEATURES, ...CATALOG_INT_FEATURES];

export interface CatalogData {
  trackIds: string[];
  /** Feature-vector key per row: the split groups. */
  keys: string[];
  moods: string[];
  values: Record<string, number[]>;
  /** Hash of the catalog's content: the artifacts' notion of "catalog version". */
  fingerprint: string;
}

export async function loadCatalogData(conn: DuckDBConnection): Promise<CatalogData> {
  const complete = ALL_FEATURES.map((f) => `${f} is not null`).join(' and ');
  const rows = await queryRows<Record<string, number | string>>(conn, `
    select track_id, feature_key, ${ALL_FEATURES.join(', ')}, ${moodCategory()} as mood
    from silver.catalog_tracks where ${complete} order by track_id`);
  const [fp] = await queryRows<{ n: number; h: string }>(conn,
    `select count(*)::double as n, coalesce(bit_xor(hash(track_id, feature_key)), 0)::varchar as h from silver.catalog_tracks where ${complete}`);
  const values = Object.fromEntries(ALL_FEATURES.map((f) => [f, rows.map((r) => Number(r[f]))]));
  return { trackIds: rows.map((r) => String(r.track_id)), keys: rows.map((r) => String(r.feature_key)), moods: rows.map((r) => String(r.mood)), values, fingerprint: `${fp.n}:${fp.h}` };
}

/** Rows `idx` of the feature columns `values`, as a row-major matrix in `features` order. */
export function featureMatrix(data: Pick<CatalogData, 'values'>, idx: readonly number[], features: readonly string[]): number[][] {
  const cols = features.map((f) => data.values[f]);
  return idx.map((i) => cols.map((c) => c[i]));
}

function targets(data: CatalogData, spec: CatalogModelSpec, idx: readonly number[]): (number | string)[] {
  return spec.target === 'mood' ? idx.map((i) => data.moods[i]) : idx.map((i) => data.values[spec.target][i]);
}

export type CatalogForest = ForestRegressor | ForestClassifier<string>;

function train(spec: CatalogModelSpec, X: number[][], y: (number | string)[], label: string): CatalogForest {
  const o = { ...FOREST_OPTIONS, featureNames: spec.features, label };
  return spec.kind === 'regressor' ? trainForestRegressor(X, y as number[], o) : trainForestClassifier(X, y as string[], o);
}

/**
 * Metrics of a forest on test rows `testIdx`, with the baseline taken from the training rows `trainIdx`
 * only (asserted: no feature vector of the baseline's rows is a test row's). Intervals are clustered by
 * feature vector (the split's groups); `resamples` 0 skips them (CV folds only report the metric).
 */
export function evaluate(spec: CatalogModelSpec, forest: CatalogForest, data: CatalogData, trainIdx: readonly number[], testIdx: readonly number[], resamples?: number) {
  assertNoLeak(new Set(trainIdx.map((i) => data.keys[i])), testIdx.map((i) => data.keys[i]), `${spec.name} baseline`);
  const trainY = targets(data, spec, trainIdx);
  const y = targets(data, spec, testIdx);
  const keys = testIdx.map((i) => data.keys[i]);
  const predicted = forest.predict(featureMatrix(data, testIdx, spec.features)) as (number | string)[];
  const salt = `${spec.name}:catalog_holdout`;
  if (spec.kind === 'regressor') {
    const base = mean(trainY as number[]);
    return { baseline: base, confusion: null, metrics: regressionMetrics(regressionClusters(y as number[], predicted as number[], y.map(() => base), keys), salt, resamples) };
  }
  const majority = majorityLabel(trainY as string[]);
  const confusion = confusionMatrix(y as string[], predicted as string[], MOODS);
  return { baseline: majority, confusion, metrics: classificationMetrics(classificationClusters(y as string[], predicted as string[], MOODS, keys), majority, MOODS, salt, resamples) };
}

function crossValidate(spec: CatalogModelSpec, data: CatalogData, split: CatalogSplit, onFold: (fold: number) => void, log?: Logger): Map<string, { mean: number; std: number }> {
  const perMetric = new Map<string, number[]>();
  for (const f of split.folds) {
    assertNoLeak(new Set(f.train.map((i) => data.keys[i])), f.test.map((i) => data.keys[i]), `${spec.name} CV fold ${f.index}`);
    const forest = train(spec, featureMatrix(data, f.train, spec.features), targets(data, spec, f.train), `${spec.name} CV ${f.index + 1}/${split.folds.length}`);
    const { metrics } = evaluate(spec, forest, data, f.train, f.test, 0);
    for (const m of metrics) perMetric.set(m.metric_name, [...(perMetric.get(m.metric_name) ?? []), m.metric_value]);
    log?.debug({ model: spec.name, fold: f.index, train: f.train.length, test: f.test.length }, 'CV fold done');
    onFold(f.index);
  }
  return new Map([...perMetric].map(([k, v]) => [k, meanStd(v)]));
}

function importance(spec: CatalogModelSpec, forest: CatalogForest, data: CatalogData, holdout: number[]) {
  const rows = stratifiedSample(holdout.map((i) => data.moods[i]), IMPORTANCE_ROWS, `${SEED}:importance`).map((k) => holdout[k]);
  const X = featureMatrix(data, rows, spec.features);
  const y = targets(data, spec, rows);
  const score = spec.kind === 'regressor' ? (a: readonly unknown[], p: readonly unknown[]) => r2(a as number[], p as number[]) : accuracy;
  return permutationImportance((m) => forest.predict(m) as unknown[], X, y, score, { featureNames: spec.features, seed: SEED, repeats: 3 })
    .map((r) => ({ feature: r.feature, importance: r.importance, std: r.std }));
}

export interface FittedCatalogModel {
  spec: CatalogModelSpec;
  artifact: ModelArtifact;
  forest: CatalogForest;
  reused: boolean;
}

/** The artifact's inputs: what the model depends on. */
export function modelInputs(spec: CatalogModelSpec, data: CatalogData, o: CatalogSplitOptions): Record<string, unknown> {
  return { model: spec.name, kind: spec.kind, target: spec.target, features: spec.features, forest: FOREST_OPTIONS, split: o, catalog: { table: 'silver.catalog_tracks', fingerprint: data.fingerprint } };
}

export interface FitRequest {
  spec: CatalogModelSpec;
  data: CatalogData;
  split: CatalogSplit;
  key: string;
  inputs: Record<string, unknown>;
}

/** Reports progress of one model: steps done of total, and what runs now. */
export type StepListener = (step: number, total: number, what: string) => void;

/** Cross-validates, fits the final forest, evaluates it on the hold-out: the artifact to save. */
export function fitArtifact({ spec, data, split, key, inputs }: FitRequest, onStep: StepListener = () => {}, log?: Logger): ModelArtifact {
  assertTargetNotFeature(spec.target, spec.features, spec.target === 'mood' ? ['valence', 'energy', 'mood'] : [spec.target]);
  const k = split.folds.length;
  const total = k + 2;
  const finalFit = `final fit on ${split.train.length} tracks`;
  onStep(0, total, `CV fold 1/${k}`);
  const cv = crossValidate(spec, data, split, (fold) => onStep(fold + 1, total, fold + 1 < k ? `CV fold ${fold + 2}/${k}` : finalFit), log);
  const trainY = targets(data, spec, split.train);
  const forest = train(spec, featureMatrix(data, split.train, spec.features), trainY, `${spec.name} (${split.train.length} tracks)`);
  onStep(total - 1, total, 'hold-out evaluation and importance');
  assertNoLeak(new Set(split.train.map((i) => data.keys[i])), split.holdout.map((i) => data.keys[i]), `${spec.name} hold-out`);
  const ev = evaluate(spec, forest, data, split.train, split.holdout);
  const evaluation: SavedEvaluation = {
    holdout: ev.metrics.map((m: MetricResult) => ({ ...m, cv_mean: cv.get(m.metric_name)?.mean ?? null, cv_std: cv.get(m.metric_name)?.std ?? null })),
    holdoutRows: split.holdout.length,
    importance: importance(spec, forest, data, split.holdout),
    confusion: ev.confusion,
    baseline: ev.baseline,
  };
  onStep(total, total, 'done');
  return {
    format: 'lakehouse.predictive-model', version: MODEL_ARTIFACT_VERSION, key, model: spec.name, inputs, trainedAt: new Date().toISOString(),
    trainRows: split.train.length, trainingSeconds: forest.trainingSeconds, evaluation, forest: forest.toJSON(),
  };
}

export interface ModelPlan {
  spec: CatalogModelSpec;
  key: string;
  inputs: Record<string, unknown>;
  /** The saved artifact with this key, if any. */
  saved: ModelArtifact | null;
}

/** The model's key and, when its inputs have not changed, its saved artifact. */
export function planModel(modelsDir: string, spec: CatalogModelSpec, data: CatalogData, o: CatalogSplitOptions, log: Logger): ModelPlan {
  const inputs = modelInputs(spec, data, o);
  const key = artifactKey(inputs);
  try {
    return { spec, key, inputs, saved: loadArtifact(modelsDir, spec.name, key) };
  } catch (err) {
    log.warn({ model: spec.name, key, err: String(err) }, 'unreadable model artifact: retraining');
    return { spec, key, inputs, saved: null };
  }
}

export function fitted(plan: ModelPlan, artifact: ModelArtifact, reused: boolean): FittedCatalogModel {
  return { spec: plan.spec, artifact, forest: loadForest(artifact.forest) as CatalogForest, reused };
}

/** Loads the model whose inputs match, or trains, evaluates and saves it (in this thread). */
export function fitOrReuse(modelsDir: string, spec: CatalogModelSpec, data: CatalogData, split: CatalogSplit, o: CatalogSplitOptions, log: Logger): FittedCatalogModel {
  const plan = planModel(modelsDir, spec, data, o, log);
  if (plan.saved) return fitted(plan, plan.saved, true);
  const artifact = fitArtifact({ spec, data, split, key: plan.key, inputs: plan.inputs }, undefined, log);
  saveArtifact(modelsDir, artifact);
  return fitted(plan, artifact, false);
}

export { splitCatalog };
