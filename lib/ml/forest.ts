// Seeded, deterministic random forests on ml-random-forest (trees from the patched ml-cart), with
// versioned JSON artifacts. Same rows, options and seed give identical predictions.
//
// Semantics to know (ml-random-forest 2.1.0): every tree is grown on a bootstrap sample of the rows
// and on `maxFeatures` of the features drawn once per tree (not per split as in scikit-learn); a
// node with at most `minNumSamples` rows becomes a leaf (scikit-learn: min_samples_split =
// minNumSamples + 1); a classifier node splits only when its gini gain exceeds `gainThreshold`
// (default 0 here, 0.01 in ml-cart).
// Out-of-bag predictions are not computed (noOOB): evaluation uses grouped folds (folds.ts).
import { LakehouseError } from '../errors.ts';
import {
  assertCartPatched, DecisionTreeClassifier, DecisionTreeRegression, RandomForestClassifier,
  RandomForestRegression, type DecisionTreeClass, type ForestModelJSON, type RandomForestModel,
} from './ml-libs.ts';
import { treeProgress } from './progress.ts';
import { compactForestJSON } from './forest-json.ts';

export const FOREST_ARTIFACT_FORMAT = 'lakehouse.random-forest';
export const FOREST_ARTIFACT_VERSION = 1;

export interface ForestOptions {
  /** Trees (default 50). */
  nEstimators?: number;
  /** Maximum depth, root = 0 (default 10). */
  maxDepth?: number;
  /** A node with at most this many rows becomes a leaf (default 5). */
  minNumSamples?: number;
  /** Share (0, 1] or count (> 1) of features each tree sees (default 1: all). */
  maxFeatures?: number;
  /** Seed of the bootstrap and feature draws: a 32-bit integer (default 42). */
  seed?: number;
  /**
   * Classifier only: a node splits when its gini gain exceeds this (default 0, as scikit-learn's
   * min_impurity_decrease; ml-cart's own default 0.01 stops growth early and cost 1.3 accuracy
   * points on the 90k-track generated catalog).
   */
  gainThreshold?: number;
  /** Show a progress bar on stderr (default: when stderr is a TTY). */
  progress?: boolean;
  /** Label of the progress bar. */
  label?: string;
}

export type ResolvedForestOptions = Required<Omit<ForestOptions, 'progress' | 'label'>>;

export type ClassLabel = string | number;

export interface ForestArtifact {
  format: typeof FOREST_ARTIFACT_FORMAT;
  version: typeof FOREST_ARTIFACT_VERSION;
  kind: 'regressor' | 'classifier';
  engine: string;
  options: ResolvedForestOptions;
  featureNames: string[];
  classes: ClassLabel[] | null;
  trainRows: number;
  trainingSeconds: number;
  model: ForestModelJSON;
}

export class ForestError extends LakehouseError {}

const ENGINE = 'ml-random-forest@2.1.0 + ml-cart@2.1.1 (patches/: presorted split search)';

export function resolveForestOptions(o: ForestOptions = {}): ResolvedForestOptions {
  const r: ResolvedForestOptions = {
    nEstimators: o.nEstimators ?? 50, maxDepth: o.maxDepth ?? 10, minNumSamples: o.minNumSamples ?? 5,
    maxFeatures: o.maxFeatures ?? 1, seed: o.seed ?? 42, gainThreshold: o.gainThreshold ?? 0,
  };
  if (!Number.isInteger(r.nEstimators) || r.nEstimators < 1) throw new ForestError(`forest options: nEstimators must be a positive integer, got ${r.nEstimators}`);
  if (!Number.isInteger(r.seed) || r.seed < 0 || r.seed > 0x7fffffff) throw new ForestError(`forest options: seed must be a 31-bit non-negative integer, got ${r.seed}`);
  if (!(r.maxFeatures > 0)) throw new ForestError(`forest options: maxFeatures must be > 0, got ${r.maxFeatures}`);
  return r;
}

function checkMatrix(X: readonly (readonly number[])[], n: number, what: string): number {
  if (X.length === 0) throw new ForestError(`${what}: no rows`);
  if (X.length !== n) throw new ForestError(`${what}: ${X.length} feature rows but ${n} targets`);
  const width = X[0].length;
  X.forEach((row, i) => {
    if (row.length !== width) throw new ForestError(`${what}: row ${i} has ${row.length} features, expected ${width}`);
    row.forEach((v, j) => {
      if (!Number.isFinite(v)) throw new ForestError(`${what}: row ${i}, feature ${j} is not a finite number (${v})`);
    });
  });
  return width;
}

function names(featureNames: readonly string[] | undefined, width: number): string[] {
  const out = featureNames ? [...featureNames] : Array.from({ length: width }, (_, j) => `f${j}`);
  if (out.length !== width) throw new ForestError(`forest: ${out.length} feature names for ${width} features`);
  return out;
}

/** Trains with a per-tree progress tick (the forest's tree class is wrapped while it trains). */
function trainWithProgress(model: RandomForestModel, Tree: DecisionTreeClass, X: number[][], y: number[], o: ResolvedForestOptions, opts: ForestOptions): void {
  const progress = treeProgress(opts.label ?? 'random forest', o.nEstimators, opts.progress);
  const original = Tree.prototype.train;
  Tree.prototype.train = function trainAndTick(this: unknown, ...args: Parameters<typeof original>) {
    original.apply(this, args);
    progress.tick();
  };
  try {
    model.train(X, y);
  } finally {
    Tree.prototype.train = original;
    progress.stop();
  }
}

function forestOptions(o: ResolvedForestOptions, classifier: boolean) {
  const treeOptions: Record<string, unknown> = { maxDepth: o.maxDepth, minNumSamples: o.minNumSamples };
  if (classifier) treeOptions.gainThreshold = o.gainThreshold;
  return {
    nEstimators: o.nEstimators, maxFeatures: o.maxFeatures, replacement: false, seed: o.seed,
    useSampleBagging: true, noOOB: true, treeOptions, ...(classifier ? {} : { selectionMethod: 'mean' as const }),
  };
}

abstract class Forest<P> {
  constructor(
    protected readonly model: RandomForestModel,
    readonly options: ResolvedForestOptions,
    readonly featureNames: string[],
    readonly trainRows: number,
    readonly trainingSeconds: number,
  ) {}

  abstract readonly kind: 'regressor' | 'classifier';

  abstract predict(X: readonly (readonly number[])[]): P[];

  protected raw(X: readonly (readonly number[])[]): number[] {
    if (X.length === 0) return [];
    X.forEach((row, i) => {
      if (row.length !== this.featureNames.length) throw new ForestError(`predict: row ${i} has ${row.length} features, expected ${this.featureNames.length}`);
    });
    return this.model.predict(X as number[][]);
  }

  protected artifact(classes: ClassLabel[] | null): ForestArtifact {
    return {
      format: FOREST_ARTIFACT_FORMAT, version: FOREST_ARTIFACT_VERSION, kind: this.kind, engine: ENGINE,
      options: this.options, featureNames: this.featureNames, classes, trainRows: this.trainRows,
      trainingSeconds: this.trainingSeconds, model: compactForestJSON(this.model.toJSON()),
    };
  }
}

export class ForestRegressor extends Forest<number> {
  readonly kind = 'regressor' as const;

  predict(X: readonly (readonly number[])[]): number[] {
    return this.raw(X);
  }

  toJSON(): ForestArtifact {
    return this.artifact(null);
  }
}

export class ForestClassifier<L extends ClassLabel = ClassLabel> extends Forest<L> {
  readonly kind = 'classifier' as const;

  constructor(model: RandomForestModel, options: ResolvedForestOptions, featureNames: string[], trainRows: number, trainingSeconds: number, readonly classes: L[]) {
    super(model, options, featureNames, trainRows, trainingSeconds);
  }

  predict(X: readonly (readonly number[])[]): L[] {
    return this.raw(X).map((k) => this.classes[k]);
  }

  toJSON(): ForestArtifact {
    return this.artifact(this.classes);
  }
}

function seconds(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

export function trainForestRegressor(X: readonly (readonly number[])[], y: readonly number[], options: ForestOptions & { featureNames?: readonly string[] } = {}): ForestRegressor {
  assertCartPatched();
  const width = checkMatrix(X, y.length, 'trainForestRegressor');
  y.forEach((v, i) => {
    if (!Number.isFinite(v)) throw new ForestError(`trainForestRegressor: target ${i} is not a finite number (${v})`);
  });
  const o = resolveForestOptions(options);
  const start = process.hrtime.bigint();
  const model = new RandomForestRegression(forestOptions(o, false));
  trainWithProgress(model, DecisionTreeRegression, X as number[][], [...y], o, options);
  return new ForestRegressor(model, o, names(options.featureNames, width), X.length, seconds(start));
}

/** Labels are mapped to class indexes in sorted order; `predict` returns labels. */
export function trainForestClassifier<L extends ClassLabel>(X: readonly (readonly number[])[], labels: readonly L[], options: ForestOptions & { featureNames?: readonly string[] } = {}): ForestClassifier<L> {
  assertCartPatched();
  const width = checkMatrix(X, labels.length, 'trainForestClassifier');
  const classes = [...new Set(labels)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const index = new Map(classes.map((c, k) => [c, k]));
  const o = resolveForestOptions(options);
  const start = process.hrtime.bigint();
  const model = new RandomForestClassifier(forestOptions(o, true));
  trainWithProgress(model, DecisionTreeClassifier, X as number[][], labels.map((l) => index.get(l)!), o, options);
  return new ForestClassifier<L>(model, o, names(options.featureNames, width), X.length, seconds(start), classes);
}

/** Restores a forest saved with `toJSON()`; refuses other formats and versions. */
export function loadForest(artifact: ForestArtifact): ForestRegressor | ForestClassifier {
  if (artifact?.format !== FOREST_ARTIFACT_FORMAT || artifact.version !== FOREST_ARTIFACT_VERSION) {
    throw new ForestError(`loadForest: not a ${FOREST_ARTIFACT_FORMAT} v${FOREST_ARTIFACT_VERSION} artifact (format ${String(artifact?.format)}, version ${String(artifact?.version)})`);
  }
  const { options, featureNames, trainRows, trainingSeconds } = artifact;
  if (artifact.kind === 'regressor') {
    return new ForestRegressor(RandomForestRegression.load(artifact.model), options, featureNames, trainRows, trainingSeconds);
  }
  if (!artifact.classes) throw new ForestError('loadForest: classifier artifact without classes');
  return new ForestClassifier(RandomForestClassifier.load(artifact.model), options, featureNames, trainRows, trainingSeconds, artifact.classes);
}
