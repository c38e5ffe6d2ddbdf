// Small seeded data sets for the ML tests: continuous and heavily tied features, regression and
// class targets.
import { seededRng } from './rng.ts';

export interface TestData {
  X: number[][];
  y: number[];
  classes: number[];
}

/** `rows` rows of 5 features: continuous, small integers (ties), binary, 2-decimal, negative. */
export function makeTestData(rows: number, seed: number | string, roundTarget = false): TestData {
  const rng = seededRng(seed, 'ml-test-data');
  const X: number[][] = [];
  const y: number[] = [];
  const classes: number[] = [];
  for (let i = 0; i < rows; i++) {
    const r = [rng(), Math.round(rng() * 3), rng() < 0.5 ? 0 : 1, Math.round(rng() * 100) / 100, -rng()];
    const s = r[0] + 0.3 * r[1] - 0.5 * r[2] * r[3] + 0.3 * rng();
    X.push(r);
    y.push(roundTarget ? Math.round(s * 20) / 20 : s);
    classes.push(Math.max(0, Math.min(3, Math.floor(s * 2))));
  }
  return { X, y, classes };
}

/** Test rows plus the awkward ones: NaN, ±Infinity, extremes, -0. */
export function edgeRows(width: number): number[][] {
  const odd = [NaN, Infinity, -Infinity, Number.MAX_VALUE, -Number.MAX_VALUE, Number.MIN_VALUE, -0, 0.5];
  return odd.flatMap((v) => Array.from({ length: width }, (_, j) => Array.from({ length: width }, (__, k) => (k === j ? v : 0.3))));
}

/** Doubles a SQL literal must carry exactly: the special and extreme ones, then 300 random bit patterns. */
export function awkwardDoubles(): number[] {
  const rng = seededRng(7, 'sql-double');
  const bits = new DataView(new ArrayBuffer(8));
  const values = [0, -0, 0.1, 1 / 3, 1e21, 1e-7, 123456789012345680000, Number.MAX_VALUE, Number.MIN_VALUE, 2.2250738585072014e-308, -1.5, NaN, Infinity, -Infinity];
  for (let i = 0; i < 300; i++) {
    bits.setUint32(0, Math.floor(rng() * 2 ** 32));
    bits.setUint32(4, Math.floor(rng() * 2 ** 32));
    values.push(bits.getFloat64(0));
  }
  return values;
}
