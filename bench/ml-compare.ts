// Random forests against scikit-learn on identical folds grouped by feature vector (as production
// groups its split: the same recording under two track ids never straddles), plus training time and metric
// against training rows before/after the ml-cart patch (issue 11). Readable tables on stdout
// (`--json`: one JSON object instead); progress on stderr.
//
//   node --import tsx bench/ml-compare.ts [--only kaggle|generated|production] [--lake <data dir>] [--folds 5] [--trees 50]
//        [--repeats 3] [--catalog-rows 114000] [--no-sklearn] [--no-compare] [--no-curve]
//        [--no-original] [--json]
// --only generated --no-compare --no-curve --repeats 3: just the full-catalog fit times (the target).
// --lake <data dir>: also (with --only production: only) both libraries on the production split of
// that lake's silver.catalog_tracks (bench/ml-production.ts), the numbers to compare with
// model_performance_metrics' catalog_holdout rows.
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { groupedHoldout, groupedKFold, type Fold } from '../lib/ml/folds.ts';
import { fullCatalogFits, trainingCurve, type CurvePoint } from './ml-curve.ts';
import { featureGroup, generatedCatalogFile, readTracks, TASKS, type TaskSpec, type TrackRow } from './ml-data.ts';
import { PRODUCTION_SETTINGS, PRODUCTION_TASKS, productionSplit } from './ml-production.ts';
import { runOurs, runSklearn, type ForestSettings, type TaskResult } from './ml-models.ts';
import { comparisonTable, curveTable } from './ml-report.ts';

const repoRoot = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const KAGGLE_SAMPLE = path.resolve(repoRoot, '..', 'shared', 'data', 'kaggle', 'Nima-ml__spotify-song-clustering', 'dataset_sample.csv');

const { values: args } = parseArgs({
  options: {
    only: { type: 'string' }, lake: { type: 'string' }, folds: { type: 'string', default: '5' }, trees: { type: 'string', default: '50' },
    'max-depth': { type: 'string', default: '10' }, 'min-samples': { type: 'string', default: '5' }, seed: { type: 'string', default: '42' },
    repeats: { type: 'string', default: '1' }, 'catalog-rows': { type: 'string', default: '114000' }, kaggle: { type: 'string', default: KAGGLE_SAMPLE },
    'no-sklearn': { type: 'boolean', default: false }, 'no-compare': { type: 'boolean', default: false }, 'no-curve': { type: 'boolean', default: false }, 'no-original': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});

const settings: ForestSettings = { nEstimators: Number(args.trees), maxDepth: Number(args['max-depth']), minNumSamples: Number(args['min-samples']), seed: Number(args.seed) };
const log = (line: string) => process.stderr.write(`[ml-compare] ${line}\n`);

interface Comparison {
  data: string;
  tracks: number;
  folds: number;
  ours: TaskResult[];
  sklearn: TaskResult[] | null;
}

function compare(name: string, tracks: TrackRow[], folds: Fold[], tasks: TaskSpec[] = TASKS, forest: ForestSettings = settings): Comparison {
  log(`${name}: ${tracks.length} tracks, ${folds.length} fold(s), ours…`);
  const ours = runOurs(tasks, tracks, folds, forest);
  let sklearn: TaskResult[] | null = null;
  if (!args['no-sklearn']) {
    log(`${name}: scikit-learn…`);
    const ref = runSklearn(tasks, tracks, folds, forest);
    versions.sklearn = ref.versions;
    sklearn = ref.tasks;
  }
  return { data: name, tracks: tracks.length, folds: folds.length, ours, sklearn };
}

const versions: Record<string, unknown> = { node: process.version };
const comparisons: Comparison[] = [];
let curve: CurvePoint[] = [];
let fullFits: ReturnType<typeof fullCatalogFits> = [];

if (args.lake) {
  const prod = await productionSplit(args.lake);
  comparisons.push(compare(`production split of ${args.lake} (${prod.groups} feature vectors)`, prod.tracks, [prod.fold], PRODUCTION_TASKS, PRODUCTION_SETTINGS));
}
if (args.only === undefined || args.only === 'kaggle') {
  const tracks = await readTracks(args.kaggle);
  comparisons.push(compare('kaggle sample', tracks, groupedKFold(tracks.map(featureGroup), Number(args.folds), settings.seed)));
}
if (args.only === undefined || args.only === 'generated') {
  const file = await generatedCatalogFile(Number(args['catalog-rows']), 'bench-ml');
  const tracks = await readTracks(file);
  const holdout = groupedHoldout(tracks.map(featureGroup), 0.2, settings.seed);
  const fold: Fold = { index: 0, ...holdout };
  if (!args['no-compare']) comparisons.push(compare(`generated catalog (${args['catalog-rows']} rows)`, tracks, [fold]));
  fullFits = fullCatalogFits(tracks, settings, Number(args.repeats), log);
  if (!args['no-curve']) {
    curve = trainingCurve(tracks, fold, settings, {
      sizes: [1000, 2000, 5000, 10000, 20000, 45000], originalSizes: args['no-original'] ? [] : [1000, 2000, 4000], originalTrees: 5, log,
    });
  }
}

const result = { machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, note: 'shared machine: other jobs were running' }, versions, settings, comparisons, fullFits, curve };
if (args.json) {
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
} else {
  for (const c of comparisons) process.stdout.write(`${comparisonTable(c.data, c.tracks, c.folds, c.ours, c.sklearn)}\n`);
  for (const f of fullFits) {
    process.stdout.write(`full catalog fit: ${f.task} on ${f.rows} tracks, ${settings.nEstimators} trees: median ${f.median.toFixed(1)} s wall, ${f.medianCpu.toFixed(1)} s cpu `
      + `(runs: ${f.seconds.map((s) => s.toFixed(1)).join(', ')} s)\n`);
  }
  if (curve.length > 0) process.stdout.write(`\n${curveTable(curve)}\n`);
}
