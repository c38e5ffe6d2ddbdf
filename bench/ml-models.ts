// Both sides of the comparison on identical folds: our models (ml-random-forest through
// lib/ml/forest.ts, ml-regression's linear regression) and scikit-learn (scripts/sklearn_reference.py
// in the cached venv of scripts/sklearn-venv.sh), each returning fit times and test metrics per fold.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import type { Fold } from '../lib/ml/folds.ts';
import { trainForestClassifier, trainForestRegressor, type ForestOptions } from '../lib/ml/forest.ts';
import { accuracy, macroF1, mae, majorityLabel, mean, r2, rmse } from '../lib/ml/metrics.ts';
import { referencePython } from './python-venv.ts';
import { featureMatrix, GROUP_FEATURES, MOODS, NUMERIC, targetOf, type ModelKind, type TaskSpec, type TrackRow } from './ml-data.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { MultivariateLinearRegression } = require('ml-regression') as {
  MultivariateLinearRegression: new (x: number[][], y: number[][]) => { predict(x: number[][]): number[][] };
};

export interface FoldResult {
  fold: number;
  trainRows: number;
  testRows: number;
  fitSeconds: number;
  /** CPU time of the fit (user + system): less sensitive than wall time on a shared machine. */
  fitCpuSeconds: number;
  metrics: Record<string, number>;
}

export interface TaskResult {
  name: string;
  model: ModelKind;
  folds: FoldResult[];
}

export type ForestSettings = Required<Pick<ForestOptions, 'nEstimators' | 'maxDepth' | 'minNumSamples' | 'seed'>>;

function pick<T>(values: readonly T[], idx: readonly number[]): T[] {
  return idx.map((i) => values[i]);
}

function timed<T>(fn: () => T): [T, { fitSeconds: number; fitCpuSeconds: number }] {
  const start = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  const out = fn();
  const used = process.cpuUsage(cpu);
  return [out, { fitSeconds: Number(process.hrtime.bigint() - start) / 1e9, fitCpuSeconds: (used.user + used.system) / 1e6 }];
}

function regressionMetrics(actual: number[], predicted: number[], trainY: number[]): Record<string, number> {
  const base = new Array<number>(actual.length).fill(mean(trainY));
  return { rmse: rmse(actual, predicted), mae: mae(actual, predicted), r2: r2(actual, predicted), baseline_rmse: rmse(actual, base), baseline_r2: r2(actual, base) };
}

function oursOnFold(task: TaskSpec, rows: readonly TrackRow[], fold: Fold, settings: ForestSettings): FoldResult {
  const X = featureMatrix(rows, task.features);
  const y = targetOf(rows, task);
  const [Xtr, Xte, ytr, yte] = [pick(X, fold.train), pick(X, fold.test), pick(y, fold.train), pick(y, fold.test)];
  const label = `${task.name} fold ${fold.index}`;
  if (task.model === 'rf_classifier') {
    const [model, fit] = timed(() => trainForestClassifier(Xtr, ytr as string[], { ...settings, label }));
    const predicted = model.predict(Xte);
    const majority = majorityLabel(ytr as string[]);
    const metrics = { accuracy: accuracy(yte, predicted), macro_f1: macroF1(yte as string[], predicted, MOODS), baseline_accuracy: accuracy(yte, yte.map(() => majority)) };
    return { fold: fold.index, trainRows: Xtr.length, testRows: Xte.length, ...fit, metrics };
  }
  if (task.model === 'linear') {
    const [model, fit] = timed(() => new MultivariateLinearRegression(Xtr, (ytr as number[]).map((v) => [v])));
    const predicted = model.predict(Xte).map((r) => r[0]);
    return { fold: fold.index, trainRows: Xtr.length, testRows: Xte.length, ...fit, metrics: regressionMetrics(yte as number[], predicted, ytr as number[]) };
  }
  const [model, fit] = timed(() => trainForestRegressor(Xtr, ytr as number[], { ...settings, label }));
  return { fold: fold.index, trainRows: Xtr.length, testRows: Xte.length, ...fit, metrics: regressionMetrics(yte as number[], model.predict(Xte), ytr as number[]) };
}

export function runOurs(tasks: readonly TaskSpec[], rows: readonly TrackRow[], folds: readonly Fold[], settings: ForestSettings): TaskResult[] {
  return tasks.map((task) => ({ name: task.name, model: task.model, folds: folds.map((f) => oursOnFold(task, rows, f, settings)) }));
}

/** Path of the venv's python (creates the venv on first use). */
export function sklearnPython(): string {
  return referencePython('sklearn-venv.sh');
}

/** Writes rows + the fold of each row, runs scripts/sklearn_reference.py and parses its JSON. */
export function runSklearn(tasks: readonly TaskSpec[], rows: readonly TrackRow[], folds: readonly Fold[], settings: ForestSettings): { versions: Record<string, string>; tasks: TaskResult[] } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lakehouse-ml-'));
  try {
    const foldOf = new Int32Array(rows.length).fill(-1);
    for (const f of folds) for (const i of f.test) foldOf[i] = f.index;
    const lines = [['fold', ...NUMERIC, 'mood'].join(',')];
    rows.forEach((r, i) => lines.push([foldOf[i], ...NUMERIC.map((c) => r.values[c]), r.mood].join(',')));
    writeFileSync(path.join(dir, 'rows.csv'), `${lines.join('\n')}\n`);
    // max_features null (None): every feature at every split; JSON cannot say 1.0, and 1 means one feature
    const params = { n_estimators: settings.nEstimators, max_depth: settings.maxDepth, min_samples_split: settings.minNumSamples + 1, max_features: null, random_state: settings.seed, n_jobs: 1 };
    const spec = { folds: folds.map((f) => f.index), group_columns: GROUP_FEATURES, tasks: tasks.map((t) => ({ name: t.name, model: t.model, features: t.features, target: t.target, params })) };
    writeFileSync(path.join(dir, 'spec.json'), JSON.stringify(spec));
    const res = spawnSync(sklearnPython(), [path.join(repoRoot, 'scripts', 'sklearn_reference.py'), '--data', path.join(dir, 'rows.csv'), '--spec', path.join(dir, 'spec.json')],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 * 1024 * 1024 });
    if (res.status !== 0) throw new Error(`sklearn_reference.py failed with exit code ${res.status}`);
    const out = JSON.parse(res.stdout) as { versions: Record<string, string>; tasks: { name: string; model: ModelKind; folds: { fold: number; train_rows: number; test_rows: number; fit_seconds: number; fit_cpu_seconds: number; metrics: Record<string, number> }[] }[] };
    return {
      versions: out.versions,
      tasks: out.tasks.map((t) => ({ name: t.name, model: t.model, folds: t.folds.map((f) => ({ fold: f.fold, trainRows: f.train_rows, testRows: f.test_rows, fitSeconds: f.fit_seconds, fitCpuSeconds: f.fit_cpu_seconds, metrics: f.metrics })) })),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
