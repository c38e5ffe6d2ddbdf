// Seeded randomness for the ML helpers (folds, samples, permutations): seedrandom's ARC4 stream, so
// the same seed gives the same draws on every machine.
import seedrandom from 'seedrandom';

export type Rng = () => number;

export function seededRng(seed: number | string, salt = ''): Rng {
  return seedrandom(`${String(seed)}:${salt}`);
}

/** Fisher-Yates shuffle in place. */
export function shuffleInPlace<T>(items: T[], rng: Rng): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const tmp = items[i];
    items[i] = items[j];
    items[j] = tmp;
  }
  return items;
}

/** A 32-bit unsigned integer drawn from the stream (ml-random-forest wants integer seeds). */
export function int32Seed(seed: number | string, salt: string): number {
  return Math.floor(seededRng(seed, salt)() * 0x7fffffff);
}

/**
 * mulberry32: a small, fast seeded generator for hot loops (bootstrap draws) and test data, where
 * seedrandom's ARC4 (~200 ns a draw) would dominate. Same seed, same sequence on every machine.
 */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
