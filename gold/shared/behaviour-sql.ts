// SQL pieces of the behaviour tables (gold/behaviour/), which rest on the real events only: no
// audio feature, no synthetic value. The definitions they count (stream, skip, first listen, track
// and artist keys) live in silver (silver/README.md), so every table counts the same way.
import { rounded } from './feature-sql.ts';

/**
 * Aggregate over rows holding a count `n` each (e.g. plays per artist): Shannon entropy in bits of
 * the shares n / N, computed as log2(N) − Σ n·log2(n) / N. 0 for one category, log2(k) for k equal
 * ones; 3 decimals, never below 0 (rounding noise).
 */
export function entropyBitsSql(n: string): string {
  return rounded(`greatest(0, log2(sum(${n})) - sum(${n} * log2(${n})) / sum(${n}))`);
}

/** Local hours counted as night by the profiles (00:00–05:59). */
export const NIGHT_HOURS = [0, 5] as const;
