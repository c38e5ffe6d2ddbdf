// Seeded random helpers. Every generator draws from these so the same seed gives the same bytes.
import seedrandom from 'seedrandom';

export interface Rng {
  (): number;
}

/** A fast seeded PRNG (Alea); the seed string fully determines the stream. */
export function makeRng(seed: string): Rng {
  const prng = seedrandom.alea(seed);
  return () => prng();
}

export function randInt(rng: Rng, minInclusive: number, maxInclusive: number): number {
  return minInclusive + Math.floor(rng() * (maxInclusive - minInclusive + 1));
}

export function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[Math.floor(rng() * items.length)];
}

/** Standard normal by Box-Muller (one value per call keeps the stream simple and deterministic). */
export function normal(rng: Rng, mean = 0, sd = 1): number {
  const u = 1 - rng();
  const v = rng();
  return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

export function clamp(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}

export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** Picks an index with probability proportional to its weight. */
export function weightedIndex(rng: Rng, weights: readonly number[]): number {
  let total = 0;
  for (const w of weights) total += w;
  let r = rng() * total;
  for (let i = 0; i < weights.length; i++) {
    r -= weights[i];
    if (r < 0) return i;
  }
  return weights.length - 1;
}

/**
 * Zipf-like sampler over ranks 0..n-1 (p(rank) ∝ 1/(rank+1)^s), by binary search over the
 * cumulative weights, so a few favourites repeat often and the tail is played once or twice.
 */
export function zipfSampler(n: number, s = 1): (rng: Rng) => number {
  const cumulative = new Float64Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    total += 1 / Math.pow(i + 1, s);
    cumulative[i] = total;
  }
  return (rng) => {
    const r = rng() * total;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid] > r) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** A 22-character base62 id like Spotify's, drawn from the given stream. */
export function base62Id(rng: Rng, length = 22): string {
  let id = '';
  for (let i = 0; i < length; i++) id += BASE62[Math.floor(rng() * 62)];
  return id;
}
