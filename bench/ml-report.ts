// Readable tables for bench/ml-compare.ts.
import type { CurvePoint } from './ml-curve.ts';
import type { TaskResult } from './ml-models.ts';

function meanOf(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

function foldMean(task: TaskResult, metric: string): number {
  return meanOf(task.folds.map((f) => f.metrics[metric]));
}

function row(cells: string[], widths: number[]): string {
  return cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
}

const METRICS: Record<string, string[]> = {
  rf_regressor: ['r2', 'rmse', 'mae', 'baseline_rmse'],
  linear: ['r2', 'rmse', 'mae', 'baseline_rmse'],
  rf_classifier: ['accuracy', 'macro_f1', 'baseline_accuracy'],
};

/** Mean over folds of each metric and of the fit time, ours beside scikit-learn's. */
export function comparisonTable(data: string, tracks: number, folds: number, ours: TaskResult[], sklearn: TaskResult[] | null): string {
  const widths = [16, 24, 9, 9, 8];
  const lines = [`== ${data}: ${tracks} tracks, ${folds} fold(s) grouped by feature vector (means over folds)`,
    row(['model', 'metric', 'ours', 'sklearn', 'diff'], widths)];
  for (const task of ours) {
    const ref = sklearn?.find((t) => t.name === task.name);
    for (const metric of METRICS[task.model]) {
      const a = foldMean(task, metric);
      const b = ref && metric in ref.folds[0].metrics ? foldMean(ref, metric) : undefined;
      lines.push(row([task.name, metric, a.toFixed(3), b === undefined ? '-' : b.toFixed(3), b === undefined ? '' : (a - b >= 0 ? '+' : '') + (a - b).toFixed(3)], widths));
    }
    for (const [label, key] of [['fit s', 'fitSeconds'], ['fit cpu s', 'fitCpuSeconds']] as const) {
      const fa = meanOf(task.folds.map((f) => f[key]));
      const fb = ref ? meanOf(ref.folds.map((f) => f[key])) : undefined;
      lines.push(row([task.name, `${label} (${task.folds[0].trainRows} rows)`, fa.toFixed(2), fb === undefined ? '-' : fb.toFixed(2), ''], widths));
    }
  }
  return lines.join('\n');
}

export function curveTable(points: CurvePoint[]): string {
  const widths = [9, 16, 7, 6, 9, 9, 12, 16];
  const lines = ['== training time and test metric against training rows',
    row(['engine', 'model', 'rows', 'trees', 'fit s', 'cpu s', 'fit s @all', 'test metric'], widths)];
  for (const p of points) {
    lines.push(row([p.engine, p.task, String(p.rows), String(p.trees), p.fitSeconds.toFixed(2), p.fitCpuSeconds.toFixed(2), p.fitSecondsAllTrees.toFixed(1), p.value === null ? '-' : `${p.metric} ${p.value.toFixed(3)}`], widths));
  }
  return lines.join('\n');
}
