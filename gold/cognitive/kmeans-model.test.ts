import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seededRng, shuffleInPlace } from '../../lib/ml/rng.ts';
import { CLUSTER_SETTINGS, NO_STRUCTURE, STRUCTURE, clusterPlays, seededSample, silhouette, standardise, withinClusterSumOfSquares } from './kmeans-model.ts';

/** n plays around each centre (valence, energy, danceability, acousticness, instrumentalness, tempo, loudness). */
function blobs(centres: number[][], perBlob: number, seed: number, jitter = 0.04): number[][] {
  const rng = seededRng(seed, 'blobs');
  const spread = [jitter, jitter, jitter, jitter, jitter, jitter * 250, jitter * 60];
  const rows: number[][] = [];
  for (let i = 0; i < perBlob; i++) for (const c of centres) rows.push(c.map((x, j) => x + (rng() - 0.5) * 2 * spread[j]));
  return rows;
}

const THREE = [[0.85, 0.85, 0.8, 0.1, 0.0, 128, -5], [0.15, 0.15, 0.2, 0.9, 0.8, 70, -25], [0.5, 0.5, 0.5, 0.5, 0.3, 100, -12]];
const FIVE = [...THREE, [0.15, 0.85, 0.4, 0.05, 0.6, 160, -4], [0.85, 0.15, 0.6, 0.8, 0.05, 85, -18]];

test('silhouette of a hand-checked one-dimensional example', () => {
  // [0, 1 | 10, 11]: s = (10.5 - 1) / 10.5 for the outer points, (9.5 - 1) / 9.5 for the inner ones.
  const expected = (2 * (9.5 / 10.5) + 2 * (8.5 / 9.5)) / 4;
  assert.ok(Math.abs(silhouette([[0], [1], [10], [11]], [0, 0, 1, 1])! - expected) < 1e-12);
  assert.equal(silhouette([[0], [1]], [0, 0]), null, 'one cluster has no silhouette');
  assert.equal(withinClusterSumOfSquares([[0], [2], [10]], [0, 0, 1]), 2);
});

test('features are scaled by fixed ranges (clipped) and standardised; a constant feature becomes 0', () => {
  const z = standardise([[0, 0.5, 0.5, 0.5, 0.5, 100, -10], [1, 0.5, 0.5, 0.5, 0.5, 400, -10]]);
  const near = (xs: number[], ys: number[]) => xs.every((x, i) => Math.abs(x - ys[i]) < 1e-12);
  assert.ok(near(z.map((r) => r[0]), [-1, 1]));
  assert.deepEqual(z.map((r) => r[1]), [0, 0]);
  // tempo 400 is clipped to 250 (scaled 1), so the two tempos still standardise to -1 and 1.
  assert.ok(near(z.map((r) => r[5]), [-1, 1]));
  // without clipping the middle value would not sit at the lower third: 100 -> 0.4, 250 -> 1, 1000 -> 1
  const clipped = standardise([[0, 0, 0, 0, 0, 100, 0], [0, 0, 0, 0, 0, 250, 0], [0, 0, 0, 0, 0, 1000, 0]]).map((r) => r[5]);
  assert.ok(Math.abs(clipped[1] - clipped[2]) < 1e-12 && clipped[0] < clipped[1]);
});

test('k is chosen by silhouette: three well-separated blobs give k = 3, five give k = 5', () => {
  for (const [centres, k] of [[THREE, 3], [FIVE, 5]] as const) {
    const result = clusterPlays(blobs(centres, 40, k), CLUSTER_SETTINGS)!;
    assert.equal(result.k, k);
    assert.deepEqual(result.scores.map((s) => s.k), [2, 3, 4, 5, 6, 7, 8]);
    assert.equal(result.scores.filter((s) => s.chosen).length, 1);
    // every blob ends up in one cluster of its own
    const perBlob = centres.map((_, b) => new Set(result.labels.filter((_, i) => i % centres.length === b)));
    assert.ok(perBlob.every((s) => s.size === 1) && new Set(perBlob.map((s) => [...s][0])).size === k);
  }
});

test('clustering is deterministic for a seed and independent of earlier runs', () => {
  const rows = blobs(FIVE, 120, 9, 0.15);
  const settings = { ...CLUSTER_SETTINGS, sampleSize: 200 };
  const a = clusterPlays(rows, settings)!;
  clusterPlays(blobs(THREE, 30, 1), { ...settings, seed: 7 });
  const b = clusterPlays(rows, settings)!;
  assert.deepEqual(b, a);
  assert.equal(a.sampleSize, 200);
  assert.deepEqual(seededSample(10, 4, 42), seededSample(10, 4, 42));
  assert.notDeepEqual(seededSample(1000, 10, 42), seededSample(1000, 10, 43));
});

test('too few plays or too few distinct plays give no clusters', () => {
  assert.equal(clusterPlays(blobs(THREE, 3, 1).slice(0, 9)), null);
  const same = Array.from({ length: 20 }, (_, i) => [0.5, 0.5, 0.5, 0.5, 0.5, 100, i % 2 === 0 ? -10 : -11]);
  assert.equal(clusterPlays(same), null, 'two distinct plays cannot be scored for k >= 2');
});

test('the null reference: blobs exceed their column-shuffled silhouette; independent uniform features do not', () => {
  const real = clusterPlays(blobs(THREE, 40, 3), CLUSTER_SETTINGS)!;
  const chosen = real.scores.find((s) => s.chosen)!;
  assert.ok(chosen.nullSilhouette !== null && chosen.silhouette > chosen.nullSilhouette, JSON.stringify(chosen));
  assert.equal(chosen.structure, STRUCTURE);
  const rnd = seededRng(11, 'uniform');
  const noise = Array.from({ length: 200 }, () => [rnd(), rnd(), rnd(), rnd(), rnd(), 250 * rnd(), -60 * rnd()]);
  const none = clusterPlays(noise, CLUSTER_SETTINGS)!;
  const pick = none.scores.find((s) => s.chosen)!;
  assert.equal(pick.structure, NO_STRUCTURE, JSON.stringify(none.scores));
  assert.ok(none.scores.every((s) => s.nullSilhouette !== null));
});

test('the result depends on the plays, not on their order (which follows the pseudonym-derived event ids)', () => {
  const rows = blobs(FIVE, 80, 4, 0.2);
  const settings = { ...CLUSTER_SETTINGS, sampleSize: 150 };
  const a = clusterPlays(rows, settings)!;
  const perm = shuffleInPlace(rows.map((_, i) => i), seededRng(5, 'perm'));
  const b = clusterPlays(perm.map((i) => rows[i]), settings)!;
  assert.deepEqual(b.scores, a.scores);
  assert.deepEqual(perm.map((i) => a.labels[i]), b.labels, 'every play keeps its cluster');
  assert.deepEqual(b.sample.map((k) => perm[k]).sort((x, y) => x - y), a.sample, 'the same plays are sampled');
});

/** The silhouette summed in one pass over all points per point: the definition the grouped sums must reproduce bit for bit. */
function onePassSilhouette(points: number[][], labels: number[]): number {
  const n = points.length;
  const d = (p: number[], q: number[]) => Math.sqrt(p.reduce((s, x, j) => s + (x - q[j]) ** 2, 0));
  const k = Math.max(...labels) + 1;
  const size = Array.from({ length: k }, (_, c) => labels.filter((l) => l === c).length);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const sums = new Array<number>(k).fill(0);
    for (let j = 0; j < n; j++) sums[labels[j]] += i === j ? 0 : d(points[i], points[j]);
    if (size[labels[i]] === 1) continue;
    const a = sums[labels[i]] / (size[labels[i]] - 1);
    const b = Math.min(...sums.map((s, c) => (c === labels[i] || size[c] === 0 ? Infinity : s / size[c])));
    total += Math.max(a, b) > 0 ? (b - a) / Math.max(a, b) : 0;
  }
  return total / n;
}

test('the silhouette equals its one-pass definition bit for bit (interleaved labels, a singleton, an empty cluster)', () => {
  const rng = seededRng(8, 'silhouette');
  const points = standardise(blobs(FIVE, 12, 2, 0.3));
  const labels = points.map((_, i) => (i === 7 ? 4 : (Math.floor(rng() * 3) * (i % 2 === 0 ? 1 : -1) + 3) % 4));
  assert.equal(labels.filter((l) => l === 4).length, 1, 'cluster 4 is a singleton');
  assert.equal(silhouette(points, labels), onePassSilhouette(points, labels));
  const withEmpty = labels.map((l) => (l === 1 ? 5 : l));
  assert.equal(silhouette(points, withEmpty), onePassSilhouette(points, withEmpty));
});
