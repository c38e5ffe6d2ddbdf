// Cluster bootstrap: resample whole clusters (tracks, days) with replacement, so that rows that share
// a cluster (the same track played 20 times) count as one piece of evidence, not twenty.
//
// Each cluster is summarised by a vector of sums (counts, errors, confusion cells); a resample is the
// sum of the vectors of the clusters drawn, and the statistic is computed from that sum. Intervals are
// percentile intervals (2.5 % and 97.5 %, linear interpolation) of the resampled statistics, widened
// around the point estimate for few clusters: the bootstrap of G clusters underestimates the spread by
// √((G − 1)/G) and a normal quantile is too small for G − 1 degrees of freedom, so each side's distance
// from the estimate is multiplied by √(G/(G − 1))·t(G − 1, 0.975)/z(0.975) (1.16 for 13 tracks, 1.03 for
// 100), the usual small-sample correction of cluster-robust inference (CR1 with t(G − 1)).
import { seededRng } from './rng.ts';
import { studentTwoSidedTail } from './distributions.ts';

const Z975 = 1.959963984540054;

/** The t quantile with `df` degrees of freedom whose two-sided tail is 5 % (bisection on the tail). */
export function t975(df: number): number {
  let lo = Z975;
  let hi = 20;
  for (let i = 0; i < 100; i++) {
    const mid = (lo + hi) / 2;
    if (studentTwoSidedTail(mid, df) > 0.05) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** Factor by which the percentile interval's sides are widened for `clusters` clusters. */
export function smallClusterFactor(clusters: number): number {
  return Math.sqrt(clusters / (clusters - 1)) * (t975(clusters - 1) / Z975);
}

/** The issue asks for at least 1,000; each resample costs (tracks drawn) × (non-zero sums), so 1,000 keeps the large scale affordable. */
export const BOOTSTRAP_RESAMPLES = 1000;
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
export function quantileSorted(sorted: ArrayLike<number>, q: number): number | null {
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
  const width = clusters.length > 0 ? clusters[0].length : 0;
  // Clusters as sparse rows (a catalog track fills one confusion cell of 25): the cost of a resample
  // is the number of non-zero sums of the clusters drawn, not clusters × width.
  const sparse = clusters.map((c) => {
    const index: number[] = [];
    const value: number[] = [];
    for (let j = 0; j < width; j++) if (c[j] !== 0) { index.push(j); value.push(c[j]); }
    return { index, value };
  });
  return sparseClusterBootstrap(sparse, width, stat, o);
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
 * clusterBootstrap for clusters given sparsely (`width` sums each): whole clusters are drawn with
 * replacement `resamples` times with the fast seeded generator, the statistic is computed from the
 * dense sum of each resample, and the percentile interval is widened for few clusters
 * (smallClusterFactor). Null intervals below MIN_BOOTSTRAP_CLUSTERS.
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
  const point = stat(total);
  if (m < MIN_BOOTSTRAP_CLUSTERS) return point.map(() => ({ low: null, high: null }));
  const seed = Math.floor(seededRng(o.seed, `cluster-bootstrap:${o.salt ?? ''}`)() * 0x100000000);
  const draws = resampleStats(m, width, start, idx, val, stat, seed, o.resamples ?? BOOTSTRAP_RESAMPLES, point.length);
  const widen = smallClusterFactor(m);
  return draws.map((d, k) => {
    sortAscending(d);
    const low = quantileSorted(d, 0.025);
    const high = quantileSorted(d, 0.975);
    const est = point[k];
    if (low === null || high === null || !Number.isFinite(est)) return { low, high };
    return { low: est - widen * Math.max(0, est - low), high: est + widen * Math.max(0, high - est) };
  });
}

/** Dense clusters of at most this many sums are added in locals (regression sums: 7). */
const LOCAL_SUMS = 8;

/**
 * The finite values of each statistic over `resamples` resamples of m clusters. This loop is the
 * whole cost of a listener-level evaluation (10M plays: 1.4 billion draws), so mulberry32 is inlined
 * (the same sequence as lib/ml/rng.ts's) and narrow clusters whose sums are mostly non-zero
 * (regression sums) are added densely in local variables, padded with zeros. Adding a zero leaves a
 * sum unchanged, so either way every resample's sum, added in draw order, is the same double.
 */
function resampleStats(m: number, width: number, start: Int32Array, idx: Int32Array, val: Float64Array, stat: (sum: Float64Array) => number[], seed: number, resamples: number, stats: number): Float64Array[] {
  const draws = Array.from({ length: stats }, () => new Float64Array(resamples));
  const counts = new Int32Array(stats);
  const sum = new Float64Array(width);
  const dense = width <= LOCAL_SUMS && 2 * idx.length >= m * width ? new Float64Array(m * LOCAL_SUMS) : null;
  if (dense) for (let c = 0; c < m; c++) for (let k = start[c]; k < start[c + 1]; k++) dense[c * LOCAL_SUMS + idx[k]] = val[k];
  const local = new Float64Array(LOCAL_SUMS);
  let a = seed >>> 0;
  for (let r = 0; r < resamples; r++) {
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
    if (!dense) sum.fill(0);
    for (let i = 0; i < m; i++) {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      const c = Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * m);
      if (dense) {
        const f = c * LOCAL_SUMS;
        s0 += dense[f]; s1 += dense[f + 1]; s2 += dense[f + 2]; s3 += dense[f + 3];
        s4 += dense[f + 4]; s5 += dense[f + 5]; s6 += dense[f + 6]; s7 += dense[f + 7];
      } else {
        for (let k = start[c]; k < start[c + 1]; k++) sum[idx[k]] += val[k];
      }
    }
    if (dense) {
      local[0] = s0; local[1] = s1; local[2] = s2; local[3] = s3; local[4] = s4; local[5] = s5; local[6] = s6; local[7] = s7;
      sum.set(local.subarray(0, width));
    }
    const v = stat(sum);
    for (let k = 0; k < stats; k++) if (Number.isFinite(v[k])) draws[k][counts[k]++] = v[k];
  }
  return draws.map((d, k) => d.subarray(0, counts[k]));
}

/**
 * Ascending, as a stable sort by (a, b) => a - b orders finite values: the typed sort puts -0 before
 * 0, which the comparator keeps in draw order, so values with both zeros take the comparator's path.
 */
function sortAscending(d: Float64Array): void {
  let negZero = false;
  let posZero = false;
  for (const x of d) if (x === 0) { if (Object.is(x, -0)) negZero = true; else posZero = true; }
  if (negZero && posZero) d.set(Array.from(d).sort((x, y) => x - y));
  else d.sort();
}
