// The library comparison uses production's split: folds grouped by feature vector (a recording under
// two track ids never straddles, as it did with folds grouped by track_id), and --lake reproduces
// gold/predictive's own hold-out exactly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tempDir, testConfig } from '../test/helpers.ts';
import { silentLogger } from '../lib/logger.ts';
import { withWriter } from '../lib/session.ts';
import { groupedKFold } from '../lib/ml/folds.ts';
import { loadCatalogData, splitCatalog } from '../gold/predictive/catalog-models.ts';
import { CV_CAP, CV_FOLDS, HOLDOUT_SHARE, SEED } from '../gold/predictive/model-settings.ts';
import { seedLake, testCatalog } from '../gold/predictive/test-lake.ts';
import { featureGroup } from './ml-data.ts';
import { productionSplit } from './ml-production.ts';

const straddling = (groups: string[], test: number[]) => {
  const inTest = new Set(test.map((i) => groups[i]));
  return groups.filter((g, i) => inTest.has(g) && !test.includes(i)).length;
};

test('the bench holds out exactly production\'s tracks, and no feature vector straddles its folds', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const catalog = testCatalog({ tracks: 300, seed: 'bench-split' });
    const expected = await withWriter(testConfig(dir), silentLogger, 'test', async (s) => {
      await seedLake(s, catalog, []);
      const data = await loadCatalogData(s.conn);
      return { ids: data.trackIds, split: splitCatalog(data.keys, data.moods, { holdoutShare: HOLDOUT_SHARE, folds: CV_FOLDS, cvCap: CV_CAP, seed: SEED }) };
    });
    const prod = await productionSplit(dir);
    assert.deepEqual(prod.tracks.map((t) => t.track_id), expected.ids);
    assert.deepEqual(prod.fold.test, expected.split.holdout);
    assert.deepEqual(prod.fold.train, expected.split.train);
    const groups = prod.tracks.map(featureGroup);
    assert.equal(straddling(groups, prod.fold.test), 0);
    // The planted duplicates (same features, other id) straddle folds grouped by track_id, never by feature vector.
    const byId = groupedKFold(prod.tracks.map((t) => t.track_id), 5, SEED);
    assert.ok(byId.some((f) => straddling(groups, f.test) > 0), 'grouping by track_id splits identical recordings');
    for (const f of groupedKFold(groups, 5, SEED)) assert.equal(straddling(groups, f.test), 0, `fold ${f.index}`);
  } finally {
    cleanup();
  }
});
