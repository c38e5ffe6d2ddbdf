// A forest scored in Node from its node table (forest-node-sql.ts's forestNodes), for many rows at
// once: flat typed arrays walked with ml-cart's comparison (`x < split` goes left), the trees' values
// combined as ml-random-forest's predict combines them (regression: the mean, summed in tree order;
// classification: ml-array-mode's vote over each tree's first most likely class). Same values as
// Forest.predict (forest-node-js.test.ts), without its per-row matrices and per-tree row copies: the
// catalog forests' 300,000 feature vectors at 10M plays took 10 s that way.
import type { ForestNodes } from './forest-node-sql.ts';

export interface FlatForest {
  trees: number;
  /** Index of tree t's node 0. */
  root: Int32Array;
  /** Feature index of a split, -1 at a leaf. */
  feature: Int32Array;
  split: Float64Array;
  /** Children as absolute indexes. */
  left: Int32Array;
  right: Int32Array;
  leaf: Float64Array;
}

export function flattenForest(f: ForestNodes): FlatForest {
  const n = f.rows.length;
  const out: FlatForest = {
    trees: f.trees, root: new Int32Array(f.trees).fill(-1), feature: new Int32Array(n), split: new Float64Array(n),
    left: new Int32Array(n), right: new Int32Array(n), leaf: new Float64Array(n),
  };
  const byTree = new Map<number, (number | null)[][]>();
  for (const r of f.rows) {
    const list = byTree.get(r[0] as number) ?? [];
    list.push(r);
    byTree.set(r[0] as number, list);
  }
  let at = 0;
  for (let t = 0; t < f.trees; t++) {
    const rows = byTree.get(t) ?? [];
    out.root[t] = at;
    for (const [, node, feature, split, left, right, leaf] of rows) {
      const k = at + (node as number);
      out.feature[k] = feature === null ? -1 : feature;
      out.split[k] = split ?? 0;
      out.left[k] = at + (left as number);
      out.right[k] = at + (right as number);
      out.leaf[k] = leaf ?? 0;
    }
    at += rows.length;
  }
  return out;
}

/** The leaf value of tree t for row i of `columns` (one array per feature). */
function walk(f: FlatForest, t: number, columns: readonly ArrayLike<number>[], i: number): number {
  let k = f.root[t];
  while (f.feature[k] >= 0) k = columns[f.feature[k]][i] < f.split[k] ? f.left[k] : f.right[k];
  return f.leaf[k];
}

/** Mean of the trees' values for each of the `rows` rows. */
export function predictRegressor(f: FlatForest, columns: readonly ArrayLike<number>[], rows: number): Float64Array {
  const out = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    let sum = 0;
    for (let t = 0; t < f.trees; t++) sum += walk(f, t, columns, i);
    out[i] = sum / f.trees;
  }
  return out;
}

/** ml-array-mode's vote over the trees' class indexes: the first class whose count exceeds every earlier count. */
export function predictClassifier(f: FlatForest, classes: number, columns: readonly ArrayLike<number>[], rows: number): Int32Array {
  const out = new Int32Array(rows);
  const counts = new Int32Array(classes);
  for (let i = 0; i < rows; i++) {
    counts.fill(0);
    let best = 0;
    let bestCount = 0;
    for (let t = 0; t < f.trees; t++) {
      const c = walk(f, t, columns, i);
      const n = ++counts[c];
      if (n > bestCount) {
        bestCount = n;
        best = c;
      }
    }
    out[i] = best;
  }
  return out;
}
