// Test helpers shared by the SQL-scoring tests (DuckDB: sql-scoring.test.ts; Trino:
// sql-scoring.stack.test.ts): the lake's saved catalog models as the job loads them, and the JS
// forests' predictions for rows of feature values.
import assert from 'node:assert/strict';
import type { Config } from '../../lib/config.ts';
import { silentLogger } from '../../lib/logger.ts';
import type { LakeSession } from '../../lib/session.ts';
import { VECTOR_FEATURES, type CatalogModels } from './catalog-job.ts';
import { featureMatrix, fitted, loadCatalogData, planModel, splitCatalog } from './catalog-models.ts';
import { CATALOG_MODELS, CV_CAP, CV_FOLDS, HOLDOUT_SHARE, MOOD_MODEL, SEED, VALENCE_MODEL } from './model-settings.ts';

export type Vector = Record<string, number | string | null>;

/** The saved models of the lake's catalog, as the job loads them. */
export async function savedModels(s: LakeSession, config: Config): Promise<CatalogModels> {
  const data = await loadCatalogData(s.conn);
  const o = { holdoutShare: HOLDOUT_SHARE, folds: CV_FOLDS, cvCap: CV_CAP, trainCap: config.trainCap, seed: SEED };
  const models = new Map(CATALOG_MODELS.map((spec) => {
    const plan = planModel(config.modelsDir, spec, data, o, silentLogger);
    assert.ok(plan.saved, `${spec.name}: the build saved its model`);
    return [spec.name, fitted(plan, plan.saved, true)] as const;
  }));
  return { data, split: splitCatalog(data.keys, data.moods, o), models };
}

/** The JS forests' valence and mood for each row (features by name). */
export function jsPredictions(cm: CatalogModels, vectors: Vector[]): { valence: number[]; mood: string[] } {
  const values = Object.fromEntries(VECTOR_FEATURES.map((f) => [f, vectors.map((v) => Number(v[f]))]));
  const idx = vectors.map((_, i) => i);
  return {
    valence: cm.models.get(VALENCE_MODEL.name)!.forest.predict(featureMatrix({ values }, idx, VALENCE_MODEL.features)) as number[],
    mood: cm.models.get(MOOD_MODEL.name)!.forest.predict(featureMatrix({ values }, idx, MOOD_MODEL.features)) as string[],
  };
}
