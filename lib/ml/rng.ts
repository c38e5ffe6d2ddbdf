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
