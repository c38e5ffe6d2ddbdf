// The production split for the library comparison: the catalog of a built lake (silver.catalog_tracks),
// split exactly as gold/predictive does (catalog-split.ts: groups = feature vectors, 20 % held out,
// seed 42, LAKEHOUSE_TRAIN_CAP), with production's features and forest settings. Both libraries are
// then trained on the same training tracks and scored on the same held-out tracks, so their numbers
// are comparable with model_performance_metrics' catalog_holdout rows.
import { loadConfig } from '../lib/config.ts';
import { silentLogger } from '../lib/logger.ts';
import { withReader } from '../lib/session.ts';
import type { Fold } from '../lib/ml/folds.ts';
import { loadCatalogData, splitCatalog } from '../gold/predictive/catalog-models.ts';
import { CV_CAP, CV_FOLDS, FOREST_OPTIONS, HOLDOUT_SHARE, MOOD_MODEL, SEED, VALENCE_MODEL } from '../gold/predictive/model-settings.ts';
import { NUMERIC, moodOf, type NumericColumn, type TaskSpec, type TrackRow } from './ml-data.ts';
import type { ForestSettings } from './ml-models.ts';

export const PRODUCTION_TASKS: TaskSpec[] = [
  { name: VALENCE_MODEL.name, model: 'rf_regressor', target: 'valence', features: VALENCE_MODEL.features as NumericColumn[] },
  { name: MOOD_MODEL.name, model: 'rf_classifier', target: 'mood', features: MOOD_MODEL.features as NumericColumn[] },
];

export const PRODUCTION_SETTINGS: ForestSettings = {
  nEstimators: FOREST_OPTIONS.nEstimators, maxDepth: FOREST_OPTIONS.maxDepth, minNumSamples: FOREST_OPTIONS.minNumSamples, seed: FOREST_OPTIONS.seed,
};

export interface ProductionSplit {
  tracks: TrackRow[];
  fold: Fold;
  groups: number;
}

/** Reads the lake at `dataDir` (read-only) and returns its catalog and production's hold-out split as one fold. */
export async function productionSplit(dataDir: string): Promise<ProductionSplit> {
  const config = loadConfig({ dataDir });
  const data = await withReader(config, silentLogger, (s) => loadCatalogData(s.conn));
  const split = splitCatalog(data.keys, data.moods, { holdoutShare: HOLDOUT_SHARE, folds: CV_FOLDS, cvCap: CV_CAP, trainCap: config.trainCap, seed: SEED });
  const tracks = data.trackIds.map((track_id, i) => {
    const values = Object.fromEntries(NUMERIC.map((c) => [c, data.values[c]?.[i] ?? Number.NaN])) as Record<NumericColumn, number>;
    return { track_id, genre: '', values, mood: moodOf(values.valence, values.energy) };
  });
  return { tracks, fold: { index: 0, train: split.train, test: split.holdout }, groups: new Set(data.keys).size };
}
