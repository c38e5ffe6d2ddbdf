// The predictive models: names, targets, features and settings. One place, so the tables, the
// artifacts' keys, the disclaimer and the tests name the same things.
import { MOOD_CATEGORIES } from '../shared/feature-sql.ts';
import { resolveForestOptions, type ResolvedForestOptions } from '../../lib/ml/forest.ts';

export const SEED = 42;
/** Share of the catalog's feature groups held out for the headline test metrics. */
export const HOLDOUT_SHARE = 0.2;
export const CV_FOLDS = 5;
/** Rows of the seeded sample the cross-validation runs on (it measures spread, the hold-out measures level). */
export const CV_CAP = 10_000;
/** Held-out rows the permutation importances are measured on. */
export const IMPORTANCE_ROWS = 5_000;
/** Fewer distinct catalog feature vectors than this: no track-level model (the tables still build). */
export const MIN_CATALOG_GROUPS = 50;
/** A metric row needs at least this many test rows. */
export const MIN_EVAL_ROWS = 5;
/** A listener's time model needs at least this many training rows with a real target. */
export const MIN_TIME_TRAIN_ROWS = 30;
/** Share of a listener's real-target plays, the latest ones, that the time model is tested on. */
export const TIME_TEST_SHARE = 0.2;
/**
 * Share of a listener's training plays, the latest ones, on which the energy baseline is chosen: the
 * per-hour mean and the plain mean are fitted on the earlier training plays and the one with the lower
 * squared error on these is the baseline (then refitted on all training plays). Never chosen on test rows.
 */
export const BASELINE_VALIDATION_SHARE = 0.2;

/**
 * The forests' settings. gainThreshold is not set here: its one value is lib/ml/forest.ts's default (0,
 * as scikit-learn), which beat ml-cart's 0.01 on the real split (mood accuracy 0.5785 vs 0.5744).
 */
export const FOREST_OPTIONS: ResolvedForestOptions = resolveForestOptions({ nEstimators: 50, maxDepth: 10, minNumSamples: 5, maxFeatures: 1, seed: SEED });

/** Feature sources whose values were measured (by Spotify); everything else is not a real target. */
export const REAL_SOURCES = ['spotify_api', 'kaggle'] as const;
export const REAL_SOURCE_SQL = `feature_source in ('spotify_api', 'kaggle')`;

export const MOODS = [...MOOD_CATEGORIES].sort();

export interface CatalogModelSpec {
  name: string;
  table: 'mood_predictions' | 'mood_classifications';
  kind: 'regressor' | 'classifier';
  modelType: string;
  target: 'valence' | 'mood';
  features: string[];
}

/** Valence from the other audio features a play carries in silver (valence itself is the target). */
export const VALENCE_MODEL: CatalogModelSpec = {
  name: 'valence_forest', table: 'mood_predictions', kind: 'regressor', modelType: 'random_forest_regressor (ml-random-forest)', target: 'valence',
  features: ['danceability', 'energy', 'loudness', 'speechiness', 'acousticness', 'instrumentalness', 'liveness', 'tempo', 'key', 'mode', 'time_signature'],
};

/** The five mood categories, which are defined by valence and energy: neither is a feature. */
export const MOOD_MODEL: CatalogModelSpec = {
  name: 'mood_forest', table: 'mood_classifications', kind: 'classifier', modelType: 'random_forest_classifier (ml-random-forest)', target: 'mood',
  features: ['danceability', 'loudness', 'speechiness', 'acousticness', 'instrumentalness', 'liveness', 'tempo', 'key', 'mode', 'time_signature'],
};

export const CATALOG_MODELS = [VALENCE_MODEL, MOOD_MODEL];

/** Energy of the next plays from the time of day and the weekend (per listener, trained on earlier plays). */
export const ENERGY_MODEL = {
  name: 'energy_time_linear',
  modelType: 'linear_regression (ml-regression MultivariateLinearRegression)',
  target: 'energy',
  features: ['hour_sin', 'hour_cos', 'hour2_sin', 'hour2_cos', 'is_weekend'],
};

/** The time features of an hour of day (0-23) and a weekend flag, in ENERGY_MODEL.features order. */
export function timeFeatures(hour: number, weekend: boolean): number[] {
  const a = (2 * Math.PI * hour) / 24;
  return [Math.sin(a), Math.cos(a), Math.sin(2 * a), Math.cos(2 * a), weekend ? 1 : 0];
}

/**
 * The same features as SQL expressions over hour_of_day and is_weekend, in the subset DuckDB and Trino
 * both read the same way (pi() makes every product and quotient a double on both).
 */
export const TIME_FEATURES_SQL = [
  'sin(2 * pi() * hour_of_day / 24)', 'cos(2 * pi() * hour_of_day / 24)',
  'sin(4 * pi() * hour_of_day / 24)', 'cos(4 * pi() * hour_of_day / 24)', 'cast(is_weekend as integer)',
];

/** Evaluation sets of model_performance_metrics and confusion_matrix. */
export const EVAL_SETS = {
  catalogHoldout: 'catalog_holdout',
  listenerEvents: 'listener_events',
  listenerEventsSynthetic: 'listener_events_synthetic',
  timeHoldout: 'time_holdout',
  timeHoldoutSynthetic: 'time_holdout_synthetic',
} as const;
