// The catalog forests through the real path (split, CV, final fit, hold-out evaluation, artifact):
// on pure noise neither model beats its baseline; on data with signal both do (so the test can fail).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tempDir } from '../../test/helpers.ts';
import { silentLogger } from '../../lib/logger.ts';
import { seededRng } from '../../lib/ml/rng.ts';
import { CATALOG_FEATURES, CATALOG_INT_FEATURES } from '../../silver/catalog_tracks.ts';
import { evaluate, fitOrReuse, splitCatalog, type CatalogData } from './catalog-models.ts';
import { LeakError } from './evaluation.ts';
import { MOOD_MODEL, VALENCE_MODEL } from './model-settings.ts';

function moodOf(v: number, e: number): string {
  if (v >= 0.6 && e >= 0.6) return 'Happy_Energetic';
  if (v >= 0.6 && e < 0.4) return 'Happy_Calm';
  if (v < 0.4 && e >= 0.6) return 'Sad_Energetic';
  if (v < 0.4 && e < 0.4) return 'Sad_Calm';
  return 'Neutral';
}

function data(n: number, noise: boolean): CatalogData {
  const rnd = seededRng(noise ? 'noise' : 'signal', 'catalog');
  const values: Record<string, number[]> = Object.fromEntries([...CATALOG_FEATURES, ...CATALOG_INT_FEATURES].map((f) => [f, [] as number[]]));
  for (let i = 0; i < n; i++) {
    for (const f of Object.keys(values)) values[f].push(rnd());
    if (!noise) {
      values.valence[i] = Math.min(1, 0.9 * values.danceability[i] + 0.1 * rnd());
      values.energy[i] = Math.min(1, 0.9 * values.loudness[i] + 0.1 * rnd());
    }
  }
  const moods = values.valence.map((v, i) => moodOf(v, values.energy[i]));
  return { trackIds: moods.map((_, i) => `t${i}`), keys: moods.map((_, i) => `k${i}`), moods, values, fingerprint: `${noise}` };
}

const options = { holdoutShare: 0.25, folds: 3, cvCap: 300, trainCap: 400, seed: 42 };

function verdicts(noise: boolean): Record<string, boolean | null> {
  const { dir, cleanup } = tempDir();
  try {
    const d = data(600, noise);
    const split = splitCatalog(d.keys, d.moods, options);
    const out: Record<string, boolean | null> = {};
    for (const spec of [VALENCE_MODEL, MOOD_MODEL]) {
      const m = fitOrReuse(dir, spec, d, split, options, silentLogger);
      for (const r of m.artifact.evaluation.holdout) out[`${spec.name}.${r.metric_name}`] = r.beats_baseline;
      assert.equal(m.artifact.evaluation.holdoutRows, split.holdout.length);
      assert.ok(m.artifact.evaluation.holdout.every((r) => r.beats_baseline === null || r.cv_mean !== null), 'CV mean beside each verdict');
    }
    return out;
  } finally {
    cleanup();
  }
}

test('on pure noise neither forest beats its baseline', () => {
  const v = verdicts(true);
  for (const k of ['valence_forest.rmse', 'valence_forest.r2', 'valence_forest.mae', 'mood_forest.accuracy', 'mood_forest.macro_f1']) assert.equal(v[k], false, k);
});

test('with signal in the features both forests beat their baselines', () => {
  const v = verdicts(false);
  for (const k of ['valence_forest.rmse', 'valence_forest.r2', 'mood_forest.accuracy']) assert.equal(v[k], true, k);
});

test('a baseline computed from rows that share a feature vector with the test rows is refused (planted leak)', () => {
  const d = data(40, true);
  d.keys[5] = d.keys[30]; // track 5 (training) is the same recording as track 30 (test)
  const train = Array.from({ length: 20 }, (_, i) => i);
  const test = Array.from({ length: 20 }, (_, i) => 20 + i);
  const never = { predict: () => { throw new Error('must not predict before the guard'); } } as unknown as Parameters<typeof evaluate>[1];
  assert.throws(() => evaluate(VALENCE_MODEL, never, d, train, test), (e: Error) => e instanceof LeakError && /valence_forest baseline: test row with key/.test(e.message));
});
