// Training time and test metric against training rows, with the patched ml-cart ("after") and,
// on small sizes, the original ("before", rebuilt by reverse-applying patches/; its 50-tree time is
// extrapolated from a few trees because trees are grown independently).
import { stratifiedSample, type Fold } from '../lib/ml/folds.ts';
import { trainForestClassifier, trainForestRegressor } from '../lib/ml/forest.ts';
import { accuracy, r2 } from '../lib/ml/metrics.ts';
import type { RandomForestRegression } from '../lib/ml/ml-libs.ts';
import { requirePristine } from '../lib/ml/pristine-libs.ts';
import { featureMatrix, targetOf, TASKS, type TrackRow } from './ml-data.ts';
import type { ForestSettings } from './ml-models.ts';

export interface CurvePoint {
  engine: 'patched' | 'original';
  task: string;
  rows: number;
  /** Trees actually grown. */
  trees: number;
  fitSeconds: number;
  fitCpuSeconds: number;
  /** Fit time scaled to the configured number of trees. */
  fitSecondsAllTrees: number;
  metric: string;
  value: number | null;
}

const valenceTask = TASKS.find((t) => t.name === 'valence_forest')!;
const moodTask = TASKS.find((t) => t.name === 'mood_forest')!;

/** Wall and CPU seconds of a synchronous call. */
export function measure<T>(fn: () => T): { out: T; wall: number; cpu: number } {
  const start = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  const out = fn();
  const used = process.cpuUsage(cpu);
  return { out, wall: Number(process.hrtime.bigint() - start) / 1e9, cpu: (used.user + used.system) / 1e6 };
}

function patchedPoint(task: typeof valenceTask, rows: TrackRow[], test: TrackRow[], settings: ForestSettings): CurvePoint {
  const X = featureMatrix(rows, task.features);
  const Xte = featureMatrix(test, task.features);
  const options = { ...settings, label: `${task.name} ${rows.length} rows` };
  const base = { engine: 'patched' as const, task: task.name, rows: rows.length, trees: settings.nEstimators };
  if (task.model === 'rf_classifier') {
    const fit = measure(() => trainForestClassifier(X, targetOf(rows, task) as string[], options));
    const value = accuracy(targetOf(test, task), fit.out.predict(Xte));
    return { ...base, fitSeconds: fit.wall, fitCpuSeconds: fit.cpu, fitSecondsAllTrees: fit.wall, metric: 'accuracy', value };
  }
  const fit = measure(() => trainForestRegressor(X, targetOf(rows, task) as number[], options));
  const value = r2(targetOf(test, task) as number[], fit.out.predict(Xte));
  return { ...base, fitSeconds: fit.wall, fitCpuSeconds: fit.cpu, fitSecondsAllTrees: fit.wall, metric: 'r2', value };
}

function originalPoint(rows: TrackRow[], settings: ForestSettings, trees: number): CurvePoint {
  const { RandomForestRegression: Original } = requirePristine('ml-random-forest') as { RandomForestRegression: typeof RandomForestRegression };
  const model = new Original({ nEstimators: trees, maxFeatures: 1, replacement: false, seed: settings.seed, useSampleBagging: true, noOOB: true,
    treeOptions: { maxDepth: settings.maxDepth, minNumSamples: settings.minNumSamples } });
  const fit = measure(() => model.train(featureMatrix(rows, valenceTask.features), targetOf(rows, valenceTask) as number[]));
  return { engine: 'original', task: valenceTask.name, rows: rows.length, trees, fitSeconds: fit.wall, fitCpuSeconds: fit.cpu, fitSecondsAllTrees: (fit.wall * settings.nEstimators) / trees, metric: 'r2', value: null };
}

export interface CurveOptions {
  sizes: number[];
  originalSizes: number[];
  originalTrees: number;
  log: (line: string) => void;
}

/** Points for every size ≤ the training pool (the pool itself last), on the fold's test rows. */
export function trainingCurve(tracks: readonly TrackRow[], fold: Fold, settings: ForestSettings, o: CurveOptions): CurvePoint[] {
  const pool = fold.train.map((i) => tracks[i]);
  const test = fold.test.map((i) => tracks[i]);
  const sizes = [...new Set([...o.sizes.filter((s) => s < pool.length), pool.length])];
  const sample = (n: number) => stratifiedSample(pool.map((t) => t.mood), n, settings.seed).map((i) => pool[i]);
  const points: CurvePoint[] = [];
  for (const n of o.originalSizes.filter((s) => s <= pool.length)) {
    points.push(originalPoint(sample(n), settings, o.originalTrees));
    o.log(`curve: original ${n} rows, ${o.originalTrees} trees: ${points.at(-1)!.fitSeconds.toFixed(1)} s`);
  }
  for (const n of sizes) {
    const rows = sample(n);
    for (const task of [valenceTask, moodTask]) {
      points.push(patchedPoint(task, rows, test, settings));
      o.log(`curve: patched ${task.name} ${n} rows: ${points.at(-1)!.fitSeconds.toFixed(1)} s, ${points.at(-1)!.metric} ${points.at(-1)!.value?.toFixed(3)}`);
    }
  }
  return points;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

export interface FullFit {
  task: string;
  rows: number;
  seconds: number[];
  cpuSeconds: number[];
  median: number;
  medianCpu: number;
}

/** Fit times of the valence and mood forests on every row (no evaluation: the target figure). */
export function fullCatalogFits(tracks: readonly TrackRow[], settings: ForestSettings, repeats: number, log: (line: string) => void): FullFit[] {
  return [valenceTask, moodTask].map((task) => {
    const X = featureMatrix(tracks, task.features);
    const y = targetOf(tracks, task);
    const options = { ...settings, label: `${task.name} all rows` };
    const wall: number[] = [];
    const cpu: number[] = [];
    for (let k = 0; k < repeats; k++) {
      const fit = measure(() => (task.model === 'rf_classifier' ? trainForestClassifier(X, y as string[], options) : trainForestRegressor(X, y as number[], options)));
      wall.push(fit.wall);
      cpu.push(fit.cpu);
      log(`full catalog: ${task.name} ${tracks.length} rows: ${fit.wall.toFixed(1)} s wall, ${fit.cpu.toFixed(1)} s cpu`);
    }
    return { task: task.name, rows: tracks.length, seconds: wall, cpuSeconds: cpu, median: median(wall), medianCpu: median(cpu) };
  });
}
