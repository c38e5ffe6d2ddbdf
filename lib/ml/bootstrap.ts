// Cluster bootstrap: resample whole clusters (tracks, days) with replacement, so that rows that share
// a cluster (the same track played 20 times) count as one piece of evidence, not twenty.
//
// Each cluster is summarised by a vector of sums (counts, errors, confusion cells); a resample is the
// sum of the vectors of the clusters drawn, and the statistic is computed from that sum. Intervals are
// percentile intervals (2.5 % and 97.5 %, linear interpolation) of the resampled statistics.
import { seededRng } from './rng.ts';

export const BOOTSTRAP_RESAMPLES = 2000;
/** Fewer clusters than this: no interval (a bootstrap over a handful of tracks says nothing). */
export const MIN_BOOTSTRAP_CLUSTERS = 5;

export type Verdict = 'better' | 'worse' | 'inconclusive';

export interface Interval {
  low: number | null;
  high: number | null;
}

export interface BootstrapOptions {
  resamples?: number;
  seed: number | string;
  /** Names the stream, so two statistics of one run draw independently but reproducibly. */
  salt?: string;
}

/** The q-quantile (0..1) of sorted finite values, linear interpolation; null when there are none. */
export function quantileSorted(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/**
 * 95 % percentile intervals of statistics computed from summed cluster vectors. `stat` gets the sum of
 * the drawn clusters' vectors and returns one value per statistic (NaN when undefined on that
 * resample; such resamples are left out of that statistic). Fewer than MIN_BOOTSTRAP_CLUSTERS
 * clusters: every interval is null.
 */
export function clusterBootstrap(clusters: readonly (readonly number[])[], stat: (sum: Float64Array) => number[], o: BootstrapOptions): Interval[] {
  const m = clusters.length;
  const width = m > 0 ? clusters[0].length : 0;
  const probe = stat(new Float64Array(width).map((_, j) => clusters.reduce((s, c) => s + c[j], 0)));
  if (m < MIN_BOOTSTRAP_CLUSTERS) return probe.map(() => ({ low: null, high: null }));
  const rng = seededRng(o.seed, `cluster-bootstrap:${o.salt ?? ''}`);
  const resamples = o.resamples ?? BOOTSTRAP_RESAMPLES;
  const draws: number[][] = probe.map(() => []);
  const sum = new Float64Array(width);
  for (let r = 0; r < resamples; r++) {
    sum.fill(0);
    for (let i = 0; i < m; i++) {
      const c = clusters[Math.floor(rng() * m)];
      for (let j = 0; j < width; j++) sum[j] += c[j];
    }
    stat(sum).forEach((v, k) => { if (Number.isFinite(v)) draws[k].push(v); });
  }
  return draws.map((d) => {
    d.sort((a, b) => a - b);
    return { low: quantileSorted(d, 0.025), high: quantileSorted(d, 0.975) };
  });
}

/** Differences within this of 0 are rounding, not evidence (a model equal to its baseline up to 1e-16 is not "worse"). */
export const VERDICT_TOLERANCE = 1e-9;

/** better: the whole interval is above 0; worse: below 0; inconclusive otherwise (or without an interval). */
export function verdictOf(i: Interval): Verdict {
  if (i.low !== null && i.low > VERDICT_TOLERANCE) return 'better';
  if (i.high !== null && i.high < -VERDICT_TOLERANCE) return 'worse';
  return 'inconclusive';
}

/** A cluster given sparsely: the positions of its non-zero sums and their values (a day's plays in a few of 24 hours). */
export interface SparseCluster {
  index: readonly number[];
  value: readonly number[];
}

/**
 * sfc32, a small counter-based generator, seeded from the seeded stream: the cluster draws of a
 * bootstrap over many clusters (a thousand listeners × hundreds of days × 1,000 resamples) would take
 * minutes with seedrandom's ARC4 (≈ 200 ns a draw); this takes a few nanoseconds and is as reproducible.
 */
export function fastSeededRng(seed: number | string, salt: string): () => number {
  const s = seededRng(seed, salt);
  let a = Math.floor(s() * 2 ** 32) >>> 0;
  let b = Math.floor(s() * 2 ** 32) >>> 0;
  let c = Math.floor(s() * 2 ** 32) >>> 0;
  let d = Math.floor(s() * 2 ** 32) >>> 0;
  return () => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
}

/**
 * clusterBootstrap for sparse clusters of `width` sums, with the fast generator: same resampling
 * (whole clusters with replacement, `resamples` times), same percentile intervals, same null below
 * MIN_BOOTSTRAP_CLUSTERS. `stat` gets the dense sum of the drawn clusters.
 */
export function sparseClusterBootstrap(clusters: readonly SparseCluster[], width: number, stat: (sum: Float64Array) => number[], o: BootstrapOptions): Interval[] {
  const m = clusters.length;
  // Compressed rows: cluster c holds idx/val[start[c] .. start[c + 1]).
  const start = new Int32Array(m + 1);
  clusters.forEach((c, i) => { start[i + 1] = start[i] + c.index.length; });
  const idx = new Int32Array(start[m]);
  const val = new Float64Array(start[m]);
  clusters.forEach((c, i) => { idx.set(c.index, start[i]); val.set(c.value, start[i]); });
  const total = new Float64Array(width);
  for (let k = 0; k < idx.length; k++) total[idx[k]] += val[k];
  const probe = stat(total);
  if (m < MIN_BOOTSTRAP_CLUSTERS) return probe.map(() => ({ low: null, high: null }));
  // The generator of fastSeededRng, inlined: its state lives in locals of this hot loop.
  const seeder = seededRng(o.seed, `sparse-cluster-bootstrap:${o.salt ?? ''}`);
  let a = Math.floor(seeder() * 2 ** 32) >>> 0;
  let b = Math.floor(seeder() * 2 ** 32) >>> 0;
  let c = Math.floor(seeder() * 2 ** 32) >>> 0;
  let d = Math.floor(seeder() * 2 ** 32) >>> 0;
  const resamples = o.resamples ?? BOOTSTRAP_RESAMPLES;
  const draws = probe.map(() => new Float64Array(resamples));
  const counts = probe.map(() => 0);
  const sum = new Float64Array(width);
  for (let r = 0; r < resamples; r++) {
    sum.fill(0);
    for (let i = 0; i < m; i++) {
      const t = (((a + b) | 0) + d) | 0;
      d = (d + 1) | 0;
      a = b ^ (b >>> 9);
      b = (c + (c << 3)) | 0;
      c = (c << 21) | (c >>> 11);
      c = (c + t) | 0;
      const pick = Math.floor(((t >>> 0) / 4294967296) * m);
      const end = start[pick + 1];
      for (let k = start[pick]; k < end; k++) sum[idx[k]] += val[k];
    }
    const values = stat(sum);
    for (let k = 0; k < values.length; k++) if (Number.isFinite(values[k])) draws[k][counts[k]++] = values[k];
  }
  return draws.map((d, k) => {
    const sorted = Array.from(d.subarray(0, counts[k]).sort());
    return { low: quantileSorted(sorted, 0.025), high: quantileSorted(sorted, 0.975) };
  });
}
