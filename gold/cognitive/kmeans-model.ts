// k-means over a listener's plays (ml-kmeans), with k chosen by silhouette. Pure functions on number
// arrays: the job in mood_state_clusters.ts reads the plays and writes the tables. Everything is
// seeded, and the plays are put in a canonical order (by their feature values) before sampling and
// seeding, so the result depends only on the multiset of plays: not on the order they were read in,
// nor on the listener's pseudonym (which event ids, and so ties in played_at, are derived from).
//
// Null reference: the same scoring on the sample with every feature column shuffled independently
// (seeded) keeps each feature's distribution but destroys any joint structure. A real silhouette that
// does not exceed the shuffled one is no evidence of clusters: labelled NO_STRUCTURE.
import { kmeans } from 'ml-kmeans';
import { seededRng, shuffleInPlace } from '../../lib/ml/rng.ts';

/** The clustering features with the fixed ranges that scale them to [0, 1] (values outside are clipped). */
export const CLUSTER_FEATURES = [
  { name: 'valence', min: 0, max: 1 },
  { name: 'energy', min: 0, max: 1 },
  { name: 'danceability', min: 0, max: 1 },
  { name: 'acousticness', min: 0, max: 1 },
  { name: 'instrumentalness', min: 0, max: 1 },
  { name: 'tempo', min: 0, max: 250 },
  { name: 'loudness', min: -60, max: 0 },
] as const;

export interface ClusterSettings {
  kMin: number;
  kMax: number;
  /** Rows of the seeded sample on which each k is scored (silhouette is quadratic in rows). */
  sampleSize: number;
  /** Seed of the sample; the k-means runs use seed, seed + 1, … seed + runs - 1. */
  seed: number;
  runs: number;
  /** Fewer plays with all seven features than this: no clusters for the listener. */
  minPlays: number;
}

export const CLUSTER_SETTINGS: ClusterSettings = { kMin: 2, kMax: 8, sampleSize: 300, seed: 42, runs: 5, minPlays: 10 };

export const NO_STRUCTURE = 'no cluster structure';
export const STRUCTURE = 'above shuffled reference';

export interface KScore {
  k: number;
  /** Silhouette of the kept run (lowest WCSS of the seeded runs), 3 decimals. */
  silhouette: number;
  /** Within-cluster sum of squares (standardised units) of the kept run, 3 decimals. */
  wcss: number;
  /** Spread of the silhouette across the runs: max minus min, 3 decimals. */
  stability: number;
  chosen: boolean;
  /** Silhouette of the same k, scored the same way, on the sample with each feature column shuffled (seeded), 3 decimals. */
  nullSilhouette: number | null;
  /** NO_STRUCTURE when silhouette does not exceed nullSilhouette, else STRUCTURE. */
  structure: string;
}

export interface Clustering {
  scores: KScore[];
  k: number;
  /** Cluster index 0..k-1 of every input point. */
  labels: number[];
  sampleSize: number;
  /** Indices (into the input points) of the sample the scores were computed on. */
  sample: number[];
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;

/** Scales each feature to [0, 1] by its fixed range (clipped), then standardises it over the points (z-scores; 0 without spread). */
export function standardise(rows: readonly (readonly number[])[]): number[][] {
  const scaled = rows.map((r) => CLUSTER_FEATURES.map((f, j) => Math.min(1, Math.max(0, (r[j] - f.min) / (f.max - f.min)))));
  const n = scaled.length;
  return transpose(CLUSTER_FEATURES.map((_, j) => {
    const col = scaled.map((r) => r[j]);
    const mean = col.reduce((s, x) => s + x, 0) / n;
    const sd = Math.sqrt(col.reduce((s, x) => s + (x - mean) ** 2, 0) / n);
    return col.map((x) => (sd > 1e-12 ? (x - mean) / sd : 0));
  }), n);
}

function transpose(cols: number[][], n: number): number[][] {
  return Array.from({ length: n }, (_, i) => cols.map((c) => c[i]));
}

function distance(p: readonly number[], q: readonly number[]): number {
  let s = 0;
  for (let j = 0; j < p.length; j++) s += (p[j] - q[j]) ** 2;
  return Math.sqrt(s);
}

/** Pairwise Euclidean distances, row-major n x n (the silhouette of every run of a sample reuses them). */
export function distanceMatrix(points: readonly (readonly number[])[]): Float64Array {
  const n = points.length;
  const d = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) d[i * n + j] = d[j * n + i] = distance(points[i], points[j]);
  }
  return d;
}

/**
 * Mean silhouette coefficient (Euclidean): per point (b - a) / max(a, b), a = mean distance to the
 * other members of its cluster, b = lowest mean distance to another cluster; 0 for a point alone in
 * its cluster. Null when fewer than two clusters are non-empty.
 */
export function silhouette(points: readonly (readonly number[])[], clusterOf: ArrayLike<number>, distances = distanceMatrix(points)): number | null {
  const n = points.length;
  const labels = Int32Array.from(clusterOf);
  const k = labels.reduce((m, l) => Math.max(m, l), 0) + 1;
  const size = new Int32Array(k);
  for (const l of labels) size[l]++;
  if (size.filter((s) => s > 0).length < 2) return null;
  // The members of each cluster in ascending order: each cluster's sum adds the same distances in
  // the same order as one pass over all points would, without a scattered store per distance.
  const start = new Int32Array(k + 1);
  for (let c = 0; c < k; c++) start[c + 1] = start[c] + size[c];
  const members = new Int32Array(n);
  const fill = start.slice(0, k);
  for (let j = 0; j < n; j++) members[fill[labels[j]]++] = j;
  const sums = new Float64Array(k);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const own = labels[i];
    if (size[own] === 1) continue;
    const row = i * n;
    for (let c = 0; c < k; c++) {
      let sum = 0;
      for (let m = start[c]; m < start[c + 1]; m++) sum += distances[row + members[m]];
      sums[c] = sum;
    }
    const a = sums[own] / (size[own] - 1);
    let b = Infinity;
    for (let c = 0; c < k; c++) if (c !== own && size[c] > 0) b = Math.min(b, sums[c] / size[c]);
    total += Math.max(a, b) > 0 ? (b - a) / Math.max(a, b) : 0;
  }
  return total / n;
}

/** Within-cluster sum of squared distances to the cluster means. */
export function withinClusterSumOfSquares(points: readonly (readonly number[])[], labels: ArrayLike<number>): number {
  let total = 0;
  for (const c of new Set(Array.from(labels))) {
    const members = points.filter((_, i) => labels[i] === c);
    const mean = members[0].map((_, j) => members.reduce((s, p) => s + p[j], 0) / members.length);
    for (const p of members) total += distance(p, mean) ** 2;
  }
  return total;
}

function distinctCount(points: readonly (readonly number[])[]): number {
  return new Set(points.map((p) => p.join(','))).size;
}

/** Seeded sample of up to `size` indices, in ascending order. */
export function seededSample(n: number, size: number, seed: number): number[] {
  if (n <= size) return Array.from({ length: n }, (_, i) => i);
  const idx = shuffleInPlace(Array.from({ length: n }, (_, i) => i), seededRng(seed, 'cluster-sample'));
  return idx.slice(0, size).sort((a, b) => a - b);
}

/**
 * k-means++ seeding (D^2 sampling) with our seeded stream. ml-kmeans has it built in, but its version
 * builds matrices per candidate and costs more than the clustering itself on a few hundred points.
 */
export function kmeansPlusPlus(points: readonly (readonly number[])[], k: number, seed: number): number[][] {
  const rng = seededRng(seed, 'kmeans++');
  const centers = [points[Math.floor(rng() * points.length)]];
  const nearest = points.map((p) => distance(p, centers[0]) ** 2);
  while (centers.length < k) {
    const total = nearest.reduce((s, x) => s + x, 0);
    let pick = 0;
    if (total > 0) {
      let target = rng() * total;
      while (pick < points.length - 1 && (target -= nearest[pick]) >= 0) pick++;
    } else {
      pick = Math.floor(rng() * points.length);
    }
    centers.push(points[pick]);
    points.forEach((p, i) => { nearest[i] = Math.min(nearest[i], distance(p, points[pick]) ** 2); });
  }
  return centers.map((c) => [...c]);
}

function runKmeans(points: number[][], k: number, start: number | number[][]): { labels: number[]; centroids: number[][] } {
  const initialization = typeof start === 'number' ? kmeansPlusPlus(points, k, start) : start;
  const result = kmeans(points, k, { initialization, maxIterations: 100 });
  return { labels: result.clusters, centroids: result.centroids };
}

function nearestCentroid(p: readonly number[], centroids: readonly (readonly number[])[]): number {
  let best = 0;
  for (let c = 1; c < centroids.length; c++) if (distance(p, centroids[c]) < distance(p, centroids[best])) best = c;
  return best;
}

export interface KCandidate extends KScore {
  /** Centroids of the run with the lowest within-cluster sum of squares on the sample. */
  centroids: number[][];
}

/** Scores every candidate k on the sample: silhouette and WCSS of the best seeded run, spread of the silhouette over the runs. */
export function scoreK(sample: number[][], settings: ClusterSettings): KCandidate[] {
  const kMax = Math.min(settings.kMax, distinctCount(sample) - 1);
  const distances = distanceMatrix(sample);
  const scores: KCandidate[] = [];
  for (let k = settings.kMin; k <= kMax; k++) {
    // Starts often converge to the same partition; silhouette and WCSS depend on the labels only, so
    // a repeated partition reuses them (the quadratic silhouette is about a fifth of a fit).
    const seen = new Map<string, { silhouette: number; wcss: number }>();
    const runs = Array.from({ length: settings.runs }, (_, r) => {
      const run = runKmeans(sample, k, settings.seed + r);
      const key = run.labels.join(',');
      let scored = seen.get(key);
      if (!scored) seen.set(key, scored = { silhouette: silhouette(sample, run.labels, distances) ?? 0, wcss: withinClusterSumOfSquares(sample, run.labels) });
      return { ...run, ...scored };
    });
    // The kept run is the one with the lowest WCSS (the first on ties), as k-means with several starts does.
    const best = runs.reduce((b, r) => (r.wcss < b.wcss - 1e-9 ? r : b));
    const sil = runs.map((r) => r.silhouette);
    scores.push({ k, silhouette: round3(best.silhouette), wcss: round3(best.wcss), stability: round3(Math.max(...sil) - Math.min(...sil)), chosen: false, nullSilhouette: null, structure: STRUCTURE, centroids: best.centroids });
  }
  // Highest silhouette at the printed precision; ties go to the smaller k.
  const best = scores.reduce<KCandidate | null>((b, s) => (b === null || s.silhouette > b.silhouette ? s : b), null);
  if (best) best.chosen = true;
  return scores;
}

/** The sample with each feature column permuted independently (seeded per column). */
export function shuffleColumns(points: readonly (readonly number[])[], seed: number): number[][] {
  const cols = (points[0] ?? []).map((_, j) => shuffleInPlace(points.map((p) => p[j]), seededRng(seed, `null-reference:${j}`)));
  return points.map((_, i) => cols.map((c) => c[i]));
}

/** Indices of the rows sorted by their values (lexicographic): a canonical order independent of how the rows came. */
export function canonicalOrder(rows: readonly (readonly number[])[]): number[] {
  return rows.map((_, i) => i).sort((a, b) => {
    for (let j = 0; j < rows[a].length; j++) if (rows[a][j] !== rows[b][j]) return rows[a][j] - rows[b][j];
    return 0;
  });
}

export interface SampleModel {
  scores: KScore[];
  k: number;
  /** Centroids of the chosen k's kept run: the model every play is assigned with. */
  centroids: number[][];
}

/**
 * The per-listener model fit on the standardised sample (in canonical order): every k scored, the
 * shuffled reference, the chosen k's centroids. Null when no k can be scored (too few distinct plays).
 */
export function fitSample(samplePoints: number[][], settings: ClusterSettings = CLUSTER_SETTINGS): SampleModel | null {
  const scores = scoreK(samplePoints, settings);
  const chosen = scores.find((s) => s.chosen);
  if (!chosen) return null;
  const reference = new Map(scoreK(shuffleColumns(samplePoints, settings.seed), { ...settings, kMax: Math.max(...scores.map((s) => s.k)) }).map((s) => [s.k, s.silhouette]));
  for (const s of scores) {
    s.nullSilhouette = reference.get(s.k) ?? null;
    s.structure = s.nullSilhouette !== null && s.silhouette <= s.nullSilhouette ? NO_STRUCTURE : STRUCTURE;
  }
  return { scores: scores.map(({ centroids: _c, ...score }) => score), k: chosen.k, centroids: chosen.centroids };
}

/**
 * Clusters the raw feature rows (in CLUSTER_FEATURES order); null when there is too little to cluster.
 * The whole model in JavaScript: the job (cluster-job.ts) does the per-play steps in SQL instead and
 * is tested equal to this.
 */
export function clusterPlays(rows: readonly (readonly number[])[], settings: ClusterSettings = CLUSTER_SETTINGS): Clustering | null {
  if (rows.length < settings.minPlays) return null;
  const order = canonicalOrder(rows);
  const points = standardise(order.map((i) => rows[i]));
  const sampled = seededSample(points.length, settings.sampleSize, settings.seed);
  const model = fitSample(sampled.map((i) => points[i]), settings);
  if (!model) return null;
  // The model is the kept sample run; every play goes to its nearest centroid (the sample's plays keep
  // their own cluster: a converged run is its own nearest-centroid assignment). Labels and sample
  // indices are mapped back to the caller's row order.
  const labels = new Array<number>(rows.length);
  points.forEach((p, k) => { labels[order[k]] = nearestCentroid(p, model.centroids); });
  const sample = sampled.map((k) => order[k]).sort((a, b) => a - b);
  return { scores: model.scores, k: model.k, labels, sampleSize: sampled.length, sample };
}
