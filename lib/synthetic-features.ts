// Deterministic synthetic audio features for tracks that neither the Spotify API nor Kaggle can
// describe. The values depend on the track key alone: seedrandom is seeded with the hex SHA-256 of
// the key, so the same track always gets the same values on every machine. Changing anything here
// changes GENERATOR_VERSION and the golden test vectors.
import { createHash } from 'node:crypto';
import seedrandom from 'seedrandom';

export const GENERATOR_VERSION = 'synthetic-beta22-v1';

/** Output ranges: a Beta(2,2) draw in [0,1] is scaled to [lo, hi]. Order matters (draw order). */
export const RANGES = [
  ['danceability', 0.15, 0.85],
  ['energy', 0.1, 0.9],
  ['valence', 0.1, 0.85],
  ['acousticness', 0.05, 0.95],
  ['instrumentalness', 0.0, 0.8],
  ['speechiness', 0.03, 0.5],
  ['liveness', 0.05, 0.4],
  ['loudness', -25, -3],
  ['tempo', 60, 180],
] as const;

export type SyntheticFeatures = Record<(typeof RANGES)[number][0], number> & {
  time_signature: number;
  key: number;
  mode: number;
};

const round4 = (x: number) => Math.round(x * 1e4) / 1e4;

/** Beta(2,2) as G1/(G1+G2) with G ~ Gamma(2,1) = -ln(U1·U2); 1-rng() keeps U in (0,1]. */
function beta22(rng: () => number): number {
  const g1 = -Math.log((1 - rng()) * (1 - rng()));
  const g2 = -Math.log((1 - rng()) * (1 - rng()));
  return g1 / (g1 + g2);
}

export function seedFor(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export function syntheticFeatures(key: string): SyntheticFeatures {
  const rng = seedrandom(seedFor(key));
  const out = {} as Record<string, number>;
  for (const [name, lo, hi] of RANGES) out[name] = round4(lo + (hi - lo) * beta22(rng));
  out.time_signature = [3, 4, 5][Math.floor(rng() * 3)];
  out.key = Math.floor(rng() * 12);
  out.mode = Math.floor(rng() * 2);
  return out as SyntheticFeatures;
}
