import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clusterBootstrap, quantileSorted, smallClusterFactor, sparseClusterBootstrap, t975, verdictOf, MIN_BOOTSTRAP_CLUSTERS } from './bootstrap.ts';
import { mulberry32, seededRng } from './rng.ts';

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

test('the sparse bootstrap agrees with the dense one on the same clusters, is seeded, and is null below the minimum', () => {
  const rnd = seededRng('boot', 'sparse');
  // 200 "days": plays in a few of 24 hours, hour 3 twice as likely as the others
  const days = Array.from({ length: 200 }, () => {
    const dense = new Array<number>(24).fill(0);
    for (let p = 0; p < 1 + Math.floor(rnd() * 8); p++) dense[rnd() < 0.1 ? 3 : Math.floor(rnd() * 24)] += 1;
    return dense;
  });
  const sparse = days.map((d) => {
    const index = d.flatMap((v, h) => (v > 0 ? [h] : []));
    return { index, value: index.map((h) => d[h]) };
  });
  const shares = (sum: Float64Array) => { const t = sum.reduce((s, v) => s + v, 0); return Array.from(sum, (v) => v / t); };
  const a = sparseClusterBootstrap(sparse, 24, shares, { seed: 7, salt: 'x', resamples: 1000 });
  assert.deepEqual(sparseClusterBootstrap(sparse, 24, shares, { seed: 7, salt: 'x', resamples: 1000 }), a, 'same seed, same intervals');
  assert.notDeepEqual(sparseClusterBootstrap(sparse, 24, shares, { seed: 8, salt: 'x', resamples: 1000 }), a, 'another seed, other draws');
  const dense = clusterBootstrap(days, shares, { seed: 7, salt: 'x', resamples: 1000 });
  const total = days.reduce((s, d) => s + d.reduce((x, v) => x + v, 0), 0);
  for (let h = 0; h < 24; h++) {
    const share = days.reduce((s, d) => s + d[h], 0) / total;
    assert.ok(a[h].low! <= share && share <= a[h].high!, `hour ${h}: ${JSON.stringify(a[h])} covers ${share}`);
    assert.ok(Math.abs(a[h].low! - dense[h].low!) < 0.01 && Math.abs(a[h].high! - dense[h].high!) < 0.01, `hour ${h}: sparse ${JSON.stringify(a[h])} ~ dense ${JSON.stringify(dense[h])}`);
  }
  assert.ok(a[3].low! > a[4].high!, 'the more frequent hour stands out');
  assert.deepEqual(sparseClusterBootstrap(sparse.slice(0, MIN_BOOTSTRAP_CLUSTERS - 1), 24, shares, { seed: 7 }).slice(0, 1), [{ low: null, high: null }]);
});

/** The resampling loop as first written (closure generator, arrays, comparator sort): the fast loop must give the same doubles. */
function plainBootstrap(clusters: number[][], stat: (s: Float64Array) => number[], seed: number, salt: string, resamples: number) {
  const width = clusters[0].length;
  const total = new Float64Array(width);
  for (const c of clusters) c.forEach((v, j) => { if (v !== 0) total[j] += v; });
  const point = stat(total);
  const rng = mulberry32(Math.floor(seededRng(seed, `cluster-bootstrap:${salt}`)() * 0x100000000));
  const draws: number[][] = point.map(() => []);
  const sum = new Float64Array(width);
  for (let r = 0; r < resamples; r++) {
    sum.fill(0);
    for (let i = 0; i < clusters.length; i++) {
      const c = clusters[Math.floor(rng() * clusters.length)];
      for (let j = 0; j < width; j++) if (c[j] !== 0) sum[j] += c[j];
    }
    stat(sum).forEach((v, k) => { if (Number.isFinite(v)) draws[k].push(v); });
  }
  const widen = smallClusterFactor(clusters.length);
  return draws.map((d, k) => {
    d.sort((a, b) => a - b);
    const low = quantileSorted(d, 0.025)!;
    const high = quantileSorted(d, 0.975)!;
    return { low: point[k] - widen * Math.max(0, point[k] - low), high: point[k] + widen * Math.max(0, high - point[k]) };
  });
}

test('the fast resampling loop gives the plain loop\'s doubles: dense narrow sums (with zeros and -0), sparse wide ones', () => {
  const rnd = seededRng('boot', 'same');
  // 7 sums, mostly non-zero (the dense path), some exact zeros and negative zeros.
  const narrow = Array.from({ length: 57 }, (_, i) => Array.from({ length: 7 }, (__, j) => (j === 3 && i % 5 === 0 ? (i % 2 ? -0 : 0) : (rnd() - 0.3) * 10)));
  const narrowStat = (s: Float64Array) => [s[1] / s[0], s[6] - s[2] * 1e-3, (s[3] - s[4]) / (s[5] + 1e-12)];
  assert.deepEqual(clusterBootstrap(narrow, narrowStat, { seed: 3, salt: 'n', resamples: 500 }), plainBootstrap(narrow, narrowStat, 3, 'n', 500));
  // 25 sums with one or two non-zero (a confusion cell per track: the sparse path); a statistic that is 0 or -0.
  const wide = Array.from({ length: 41 }, () => { const v = new Array<number>(25).fill(0); v[Math.floor(rnd() * 25)] = 1 + Math.floor(rnd() * 4); if (rnd() < 0.3) v[Math.floor(rnd() * 25)] += 1; return v; });
  const wideStat = (s: Float64Array) => [(s[0] + s[6] + s[12]) / s.reduce((x, y) => x + y, 0), s[24] > 2 ? -0 : 0];
  assert.deepEqual(clusterBootstrap(wide, wideStat, { seed: 4, salt: 'w', resamples: 500 }), plainBootstrap(wide, wideStat, 4, 'w', 500));
});
