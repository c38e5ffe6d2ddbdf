// Typed access to ml-random-forest and ml-cart (both CommonJS; their bundled typings do not
// describe what we use). Both packages are patched on install (patches/README.md): the check below
// refuses to train with the unpatched, quadratic split search.
import { createRequire } from 'node:module';
import { LakehouseError } from '../errors.ts';

const require = createRequire(import.meta.url);

/** A tree node as ml-cart serialises it (options and gains omitted where not needed). */
export interface TreeNodeJSON {
  splitColumn?: number;
  splitValue?: number;
  gain?: number | null;
  numberSamples?: number;
  distribution?: number | number[][];
  left?: TreeNodeJSON;
  right?: TreeNodeJSON;
  [extra: string]: unknown;
}

export interface TreeJSON {
  name: 'DTRegression' | 'DTClassifier';
  options: Record<string, unknown>;
  root: TreeNodeJSON;
}

export interface ForestModelJSON {
  name: 'RFRegression' | 'RFClassifier';
  selectionMethod?: 'mean' | 'median';
  baseModel: {
    indexes: number[][];
    n: number;
    replacement: boolean;
    maxFeatures: number;
    nEstimators: number;
    treeOptions: Record<string, unknown>;
    isClassifier: boolean;
    seed: number;
    useSampleBagging: boolean;
    estimators: TreeJSON[];
  };
}

export interface RandomForestOptions {
  nEstimators: number;
  maxFeatures: number;
  replacement: boolean;
  seed: number;
  useSampleBagging: boolean;
  noOOB: boolean;
  treeOptions: Record<string, unknown>;
  selectionMethod?: 'mean' | 'median';
}

export interface RandomForestModel {
  train(X: number[][], y: number[]): void;
  predict(X: number[][]): number[];
  predictOOB(): number[];
  toJSON(): ForestModelJSON;
}

interface RandomForestClass {
  new (options: RandomForestOptions): RandomForestModel;
  load(model: ForestModelJSON): RandomForestModel;
}

interface DecisionTree {
  train(X: number[][], y: number[]): void;
  root: object;
}

export interface DecisionTreeClass {
  new (options?: Record<string, unknown>): DecisionTree;
  prototype: DecisionTree;
}

const forests = require('ml-random-forest') as {
  RandomForestRegression: RandomForestClass;
  RandomForestClassifier: RandomForestClass;
};
const cart = require('ml-cart') as {
  DecisionTreeRegression: DecisionTreeClass;
  DecisionTreeClassifier: DecisionTreeClass;
};

export const { RandomForestRegression, RandomForestClassifier } = forests;
export const { DecisionTreeRegression, DecisionTreeClassifier } = cart;

export class UnpatchedLibraryError extends LakehouseError {
  constructor() {
    super('ml-cart: the presorted split search patch is not applied (run `npx patch-package`; '
      + 'npm ci applies it through the postinstall script)');
  }
}

let patched: boolean | undefined;

/** True when node_modules/ml-cart carries patches/ml-cart+2.1.1.patch. */
export function isCartPatched(): boolean {
  if (patched === undefined) {
    const tree = new cart.DecisionTreeRegression({ minNumSamples: 1 });
    tree.train([[0], [1], [2]], [0, 1, 2]);
    patched = typeof (tree.root as { trainByPartition?: unknown }).trainByPartition === 'function';
  }
  return patched;
}

export function assertCartPatched(): void {
  if (!isCartPatched()) throw new UnpatchedLibraryError();
}
