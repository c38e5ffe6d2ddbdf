// Trained catalog models as versioned JSON files: <models dir>/<model>/<key>.json (LAKEHOUSE_MODELS_DIR,
// default <data dir>/models), where the key
// is a hash of everything the model depends on (catalog fingerprint, features, target, forest
// options, split settings, seed, format versions). Same key → the saved model (and its evaluation)
// is reused instead of retrained; a changed catalog or setting gives a new key and a new file.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LakehouseError } from '../../lib/errors.ts';
import type { ForestArtifact } from '../../lib/ml/forest.ts';
import type { MetricResult } from './evaluation.ts';

export const MODEL_ARTIFACT_FORMAT = 'lakehouse.predictive-model';
/** Bump when the split, the evaluation or the artifact layout changes: old artifacts stop matching. */
export const MODEL_ARTIFACT_VERSION = 2;
const KEEP_PER_MODEL = 3;

export class ArtifactError extends LakehouseError {}

export interface SavedEvaluation {
  /** Metric rows of the hold-out set, with cv_mean / cv_std of the same metric. */
  holdout: (MetricResult & { cv_mean: number | null; cv_std: number | null })[];
  holdoutRows: number;
  importance: { feature: string; importance: number; std: number }[];
  confusion: { actual: string; predicted: string; count: number }[] | null;
  /** Train mean (regressor) or train majority class (classifier). */
  baseline: number | string;
}

export interface ModelArtifact {
  format: typeof MODEL_ARTIFACT_FORMAT;
  version: typeof MODEL_ARTIFACT_VERSION;
  key: string;
  model: string;
  inputs: Record<string, unknown>;
  trainedAt: string;
  trainRows: number;
  trainingSeconds: number;
  evaluation: SavedEvaluation;
  forest: ForestArtifact;
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    return `{${Object.keys(o).sort().map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/** 16 hex digits of the SHA-256 of the inputs (key order does not matter). */
export function artifactKey(inputs: Record<string, unknown>): string {
  return createHash('sha256').update(`${MODEL_ARTIFACT_FORMAT}@${MODEL_ARTIFACT_VERSION}:${canonical(inputs)}`).digest('hex').slice(0, 16);
}

export function artifactPath(modelsDir: string, model: string, key: string): string {
  return join(modelsDir, model, `${key}.json`);
}

/** The saved artifact for this key, or null (a file that is not a valid artifact is ignored with a warning by the caller). */
export function loadArtifact(modelsDir: string, model: string, key: string): ModelArtifact | null {
  const file = artifactPath(modelsDir, model, key);
  if (!existsSync(file)) return null;
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<ModelArtifact>;
  if (parsed.format !== MODEL_ARTIFACT_FORMAT || parsed.version !== MODEL_ARTIFACT_VERSION || parsed.key !== key || parsed.model !== model) {
    throw new ArtifactError(`${file}: not a ${MODEL_ARTIFACT_FORMAT} v${MODEL_ARTIFACT_VERSION} artifact of ${model} with key ${key}`);
  }
  return parsed as ModelArtifact;
}

/** Writes atomically (temp file + rename) and keeps the newest few artifacts of the model. */
export function saveArtifact(modelsDir: string, artifact: ModelArtifact): string {
  const file = artifactPath(modelsDir, artifact.model, artifact.key);
  const dir = join(modelsDir, artifact.model);
  mkdirSync(dir, { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(artifact));
  renameSync(tmp, file);
  const others = readdirSync(dir).filter((f) => f.endsWith('.json') && f !== `${artifact.key}.json`)
    .map((f) => ({ f, t: statSync(join(dir, f)).mtimeMs })).sort((a, b) => b.t - a.t);
  for (const { f } of others.slice(KEEP_PER_MODEL - 1)) rmSync(join(dir, f), { force: true });
  return file;
}
