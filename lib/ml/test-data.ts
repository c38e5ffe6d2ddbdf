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
