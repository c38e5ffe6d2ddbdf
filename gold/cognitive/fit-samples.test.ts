import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seededRng } from '../../lib/ml/rng.ts';
import { CLUSTER_SETTINGS, standardise } from './kmeans-model.ts';
import { fitPool, serialFits } from './fit-samples.ts';

/** Samples of plays around a few centres, some with duplicated plays, one too small to fit. */
function samples(): number[][][] {
  const rng = seededRng(5, 'fit-samples');
  return [120, 80, 150, 2, 60, 100].map((n, s) => {
    const centres = Array.from({ length: 2 + (s % 4) }, () => Array.from({ length: 7 }, () => rng()));
    const rows = Array.from({ length: n }, (_, i) => (s % 2 === 1 && i % 3 === 0 && i > 0 ? null : centres[i % centres.length].map((x) => x + (rng() - 0.5) * 0.3)));
    const filled = rows.map((r, i) => r ?? rows[i - 1]!.slice());
    return standardise(filled.map((r) => r.map((x, j) => (j === 5 ? 250 * x : j === 6 ? -60 * x : x))));
  });
}

test('fits on worker threads equal the fits in this thread, model for model, in the order given', async () => {
  const input = samples();
  const settings = { ...CLUSTER_SETTINGS, runs: 3 };
  const expected = await serialFits.fitAll(input, settings);
  assert.ok(expected.filter((m) => m !== null).length >= 4 && expected.includes(null), 'fitted models and a sample too small');
  const pool = fitPool(2);
  try {
    // two calls in flight at once, as the job has while it prepares the next batch
    const [a, b] = await Promise.all([pool.fitAll(input, settings), pool.fitAll([...input].reverse(), settings)]);
    assert.deepEqual(a, expected);
    assert.deepEqual(b, [...expected].reverse());
  } finally {
    await pool.close();
  }
});
