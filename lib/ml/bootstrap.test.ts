import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clusterBootstrap, quantileSorted, smallClusterFactor, t975, verdictOf, MIN_BOOTSTRAP_CLUSTERS } from './bootstrap.ts';
import { seededRng } from './rng.ts';

const meanOf = (sum: Float64Array) => [sum[1] / sum[0]];

test('quantiles interpolate linearly; verdicts follow the interval with a rounding tolerance', () => {
  assert.equal(quantileSorted([0, 10], 0.25), 2.5);
  assert.equal(quantileSorted([], 0.5), null);
  assert.equal(verdictOf({ low: 0.01, high: 0.2 }), 'better');
  assert.equal(verdictOf({ low: -0.2, high: -0.01 }), 'worse');
  assert.equal(verdictOf({ low: -0.01, high: 0.2 }), 'inconclusive');
  assert.equal(verdictOf({ low: -1e-17, high: -1e-17 }), 'inconclusive', 'floating-point noise is no evidence');
  assert.equal(verdictOf({ low: null, high: null }), 'inconclusive');
});

test('the interval of a clustered mean is seeded, covers the mean, and is null below the minimum number of clusters', () => {
  const rnd = seededRng('boot', 'mean');
  // clusters: [count, sum] of 40 tracks, each with a track effect
  const clusters = Array.from({ length: 40 }, () => { const n = 1 + Math.floor(rnd() * 10); const effect = rnd() - 0.5; return [n, n * effect]; });
  const a = clusterBootstrap(clusters, meanOf, { seed: 1, salt: 's', resamples: 1000 });
  assert.deepEqual(clusterBootstrap(clusters, meanOf, { seed: 1, salt: 's', resamples: 1000 }), a, 'same seed, same interval');
  const total = clusters.reduce((s, c) => [s[0] + c[0], s[1] + c[1]], [0, 0]);
  const m = total[1] / total[0];
  assert.ok(a[0].low! < m && m < a[0].high!, `${JSON.stringify(a)} covers ${m}`);
  assert.ok(a[0].high! - a[0].low! > 0.1, 'wide: 40 clusters of spread ±0.5');
  assert.deepEqual(clusterBootstrap(clusters.slice(0, MIN_BOOTSTRAP_CLUSTERS - 1), meanOf, { seed: 1 }), [{ low: null, high: null }]);
});

test('few clusters widen the interval: t(G-1) and sqrt(G/(G-1)) against the normal quantile', () => {
  assert.ok(Math.abs(t975(12) - 2.1788) < 1e-3, String(t975(12)));
  assert.ok(Math.abs(smallClusterFactor(13) - Math.sqrt(13 / 12) * 2.1788 / 1.96) < 1e-3);
  assert.ok(smallClusterFactor(1000) < 1.002);
});
