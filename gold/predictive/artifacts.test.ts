// Artifact files: the key ignores key order but not values, a saved artifact loads back, a file of
// another format or key is refused, old artifacts are pruned, and the models dir is configurable.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../test/helpers.ts';
import { loadConfig } from '../../lib/config.ts';
import { ArtifactError, MODEL_ARTIFACT_VERSION, artifactKey, artifactPath, loadArtifact, saveArtifact, type ModelArtifact } from './artifacts.ts';

const artifact = (key: string): ModelArtifact => ({
  format: 'lakehouse.predictive-model', version: MODEL_ARTIFACT_VERSION, key, model: 'm', inputs: { a: 1 }, trainedAt: '2026-01-01T00:00:00.000Z', trainRows: 3,
  trainingSeconds: 0.1, evaluation: { holdout: [], holdoutRows: 0, importance: [], confusion: null, baseline: 0.5 }, forest: {} as ModelArtifact['forest'],
});

test('keys: same inputs in any key order give the same key; any changed value gives another', () => {
  const k = artifactKey({ features: ['a', 'b'], seed: 42, catalog: { fingerprint: 'x', table: 't' } });
  assert.equal(artifactKey({ catalog: { table: 't', fingerprint: 'x' }, seed: 42, features: ['a', 'b'] }), k);
  assert.notEqual(artifactKey({ features: ['a', 'b'], seed: 43, catalog: { fingerprint: 'x', table: 't' } }), k);
  assert.notEqual(artifactKey({ features: ['b', 'a'], seed: 42, catalog: { fingerprint: 'x', table: 't' } }), k);
  assert.notEqual(artifactKey({ features: ['a', 'b'], seed: 42, catalog: { fingerprint: 'y', table: 't' } }), k);
  assert.match(k, /^[0-9a-f]{16}$/);
});

test('save, load, refuse a foreign file, keep the newest three', () => {
  const { dir, cleanup } = tempDir();
  try {
    assert.equal(loadArtifact(dir, 'm', 'k0'), null);
    saveArtifact(dir, artifact('k0'));
    assert.deepEqual(loadArtifact(dir, 'm', 'k0'), artifact('k0'));
    mkdirSync(join(dir, 'm'), { recursive: true });
    writeFileSync(artifactPath(dir, 'm', 'bad'), JSON.stringify({ ...artifact('other'), key: 'other' }));
    assert.throws(() => loadArtifact(dir, 'm', 'bad'), ArtifactError);
    rmSync(artifactPath(dir, 'm', 'bad'));
    utimesSync(artifactPath(dir, 'm', 'k0'), new Date(2020, 0, 1), new Date(2020, 0, 1));
    for (const k of ['k1', 'k2', 'k3']) saveArtifact(dir, artifact(k));
    assert.deepEqual(readdirSync(join(dir, 'm')).sort(), ['k1.json', 'k2.json', 'k3.json']);
  } finally {
    cleanup();
  }
});

test('the models dir defaults to <data dir>/models and LAKEHOUSE_MODELS_DIR moves it', () => {
  assert.equal(loadConfig({ dataDir: '/lake' }, {}, '/').modelsDir, '/lake/models');
  assert.equal(loadConfig({ dataDir: '/lake' }, { LAKEHOUSE_MODELS_DIR: '/shared/models' }, '/').modelsDir, '/shared/models');
  assert.equal(loadConfig({}, { LAKEHOUSE_DATA_DIR: 'd' }, '/w').modelsDir, '/w/d/models');
});
