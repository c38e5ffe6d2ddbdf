// Trained models as portable SQL: a CART tree is a nested CASE, a forest regressor the mean of its
// trees, a forest classifier a vote with ml-random-forest's tie rule, a linear model arithmetic, a
// k-means model the nearest centroid. The SQL uses only CASE WHEN, + - * /, comparisons, IS NULL,
// CAST(... AS DOUBLE), sqrt() and nested SELECTs, which DuckDB and Trino both accept, and it
// reproduces the JavaScript predictions exactly: the same comparisons, the same operations in the
// same order (IEEE doubles in both), every constant printed so that it parses back to the same double.
// Output is a pure function of the model: compiling twice gives the same text.
//
// Portable by construction, tested on both engines (sql-compile.test.ts on DuckDB,
// sql-compile.stack.test.ts on Trino 476): `1.5e0` is a DOUBLE literal in both (never a DECIMAL),
// NaN/±Infinity are cast('NaN' as double) etc., every division has a double operand, no USING joins.
// Size limits on Trino: one expression of more than ~1,000 CASE branches is refused
// (QUERY_EXCEEDED_COMPILER_LIMIT: a full depth-10 tree compiles, depth 11 does not), a statement is at
// most 1,000,000 characters (query.max-length; the catalog's 50-tree forests compile to 1.5-2 MB), and
// over a VALUES relation the optimizer folds the projections row by row (a 6-tree classifier over 341
// rows exhausted its 180 s). So on Trino: trees and small forests as CASE over a table; real forests
// from node tables (forest-node-sql.ts); rows to score in a table, never VALUES.
import type { ForestModelJSON, TreeNodeJSON } from './ml-libs.ts';
import { LakehouseError } from '../errors.ts';

export class SqlCompileError extends LakehouseError {}

/** A SQL expression to use as is (a column of a joined table, say), where a number would be printed as a literal. */
export interface SqlRef {
  sql: string;
}

/** A double as a SQL literal that parses back to the same double: the shortest round-trip digits in exponent form (a DOUBLE, never a DECIMAL, in both engines). */
export function sqlDouble(x: number): string {
  if (typeof x !== 'number') throw new SqlCompileError(`sqlDouble: not a number (${String(x)})`);
  if (Number.isNaN(x)) return "cast('NaN' as double)";
  if (x === Infinity) return "cast('Infinity' as double)";
  if (x === -Infinity) return "cast('-Infinity' as double)";
  if (Object.is(x, -0)) return '(-0e0)';
  const text = x.toExponential().replace('e+', 'e');
  return x < 0 ? `(${text})` : text;
}

/** An identifier in double quotes (doubled inside): any column name, keywords and spaces included. */
export function sqlIdent(name: string): string {
  if (name.length === 0 || name.includes('\u0000')) throw new SqlCompileError(`sqlIdent: invalid column name ${JSON.stringify(name)}`);
  return `"${name.replaceAll('"', '""')}"`;
}

/** A string literal in single quotes (doubled inside). */
export function sqlString(s: string): string {
  if (s.includes('\u0000')) throw new SqlCompileError('sqlString: NUL in a string literal');
  return `'${s.replaceAll("'", "''")}'`;
}

/** A class label as a literal: strings quoted, numbers as doubles. */
export function sqlLabel(label: string | number): string {
  return typeof label === 'number' ? sqlDouble(label) : sqlString(label);
}

function term(v: number | SqlRef): string {
  return typeof v === 'number' ? sqlDouble(v) : `(${v.sql})`;
}

/** Features as SQL: column names are quoted; pass SqlRefs for expressions. */
export function featureSql(features: readonly (string | SqlRef)[]): string[] {
  return features.map((f) => (typeof f === 'string' ? sqlIdent(f) : `(${f.sql})`));
}

/** True when any feature is null: the JS path never predicts a row with a missing feature. */
export function anyNull(features: readonly string[]): string {
  return [...new Set(features)].map((f) => `${f} is null`).join(' or ');
}

function nullGuarded(features: readonly string[], expr: string): string {
  return features.length === 0 ? expr : `case when ${anyNull(features)} then null else ${expr} end`;
}

/** ml-cart's leaf class: the first index of the largest share (Matrix.maxRowIndex). */
export function leafClass(distribution: TreeNodeJSON['distribution']): number {
  const row = Array.isArray(distribution) && Array.isArray(distribution[0]) ? distribution[0] as number[] : null;
  if (!row || row.length === 0) throw new SqlCompileError('tree: a classifier leaf without a class distribution');
  let best = 0;
  for (let i = 1; i < row.length; i++) if (row[i] > row[best]) best = i;
  return best;
}

/** ml-cart compares `row[col] < splitValue` (left when true); a null split value (Infinity saved as JSON) compares as 0. */
export function splitValue(node: TreeNodeJSON): number {
  const v = node.splitValue as number | null | undefined;
  if (v === null) return 0;
  if (typeof v !== 'number') throw new SqlCompileError(`tree: split on column ${String(node.splitColumn)} without a split value`);
  return v;
}

/**
 * One tree as a nested CASE over `columns` (the SQL of the tree's column j). `leaf` prints a leaf.
 * Without a null guard: a null feature would take the right branch (callers guard).
 */
export function treeSql(node: TreeNodeJSON, columns: readonly string[], leaf: (n: TreeNodeJSON) => string): string {
  if (node.distribution !== undefined) return leaf(node);
  if (!node.left || !node.right) throw new SqlCompileError(`tree: split node on column ${String(node.splitColumn)} without two children`);
  const col = columns[node.splitColumn as number];
  if (col === undefined) throw new SqlCompileError(`tree: split column ${String(node.splitColumn)} is not among the ${columns.length} columns`);
  return `case when ${col} < ${sqlDouble(splitValue(node))} then ${treeSql(node.left, columns, leaf)} else ${treeSql(node.right, columns, leaf)} end`;
}

const regressionLeaf = (n: TreeNodeJSON) => {
  if (typeof n.distribution !== 'number') throw new SqlCompileError('tree: a regression leaf without a value');
  return sqlDouble(n.distribution);
};
const classLeaf = (n: TreeNodeJSON) => String(leafClass(n.distribution));

/** A single ml-cart tree (its JSON root) as an expression: the regression value or the class index; null when a feature is null. */
export function compileTree(root: TreeNodeJSON, kind: 'regressor' | 'classifier', features: readonly (string | SqlRef)[]): string {
  const cols = featureSql(features);
  return nullGuarded(cols, treeSql(root, cols, kind === 'regressor' ? regressionLeaf : classLeaf));
}

/** The forest's trees, each over its own columns (a tree sees the features drawn for it, in that order). */
function forestTrees(model: ForestModelJSON, features: readonly (string | SqlRef)[], leaf: (n: TreeNodeJSON) => string): string[] {
  const cols = featureSql(features);
  const { estimators, indexes } = model.baseModel;
  if (estimators.length === 0) throw new SqlCompileError('forest: no trees');
  return estimators.map((tree, i) => treeSql(tree.root, (indexes[i] ?? []).map((j) => {
    if (cols[j] === undefined) throw new SqlCompileError(`forest: tree ${i} uses feature ${j}, but ${cols.length} features were given`);
    return cols[j];
  }), leaf));
}

/**
 * A random forest regressor as one expression: ml-random-forest's mean, (0 + t1 + … + tn) / n summed
 * left to right as ml-array-mean does. Null when a feature is null. The median selection is refused.
 */
export function compileForestRegressor(model: ForestModelJSON, features: readonly (string | SqlRef)[]): string {
  if (model.name !== 'RFRegression') throw new SqlCompileError(`forest: expected an RFRegression model, got ${String(model.name)}`);
  if ((model.selectionMethod ?? 'mean') !== 'mean') throw new SqlCompileError(`forest: selection method ${String(model.selectionMethod)} is not compiled (only mean)`);
  const trees = forestTrees(model, features, regressionLeaf);
  return nullGuarded(featureSql(features), `(${['0e0', ...trees].join('\n + ')}) / ${sqlDouble(trees.length)}`);
}

export interface CompiledClassifier {
  /** One expression per tree: its class index (integer); null when a feature is null. */
  votes: string[];
  /** The winning class index from the votes' column names: ml-array-mode's rule. */
  winner(voteColumns: readonly string[]): string;
  /** The label of a class index column (null stays null). */
  label(indexColumn: string): string;
}

/**
 * ml-array-mode, which ml-random-forest's classifier uses: scanning the trees in order, a class
 * becomes the answer when its running count exceeds the best count so far. So the winner is the
 * class with the most votes and, among tied classes, the one that reached that count first: the vote
 * of the first tree i whose running count r_i (votes for its class among trees 1..i) is at least
 * every class's total.
 */
export function modeWinnerSql(votes: readonly string[], classCount: number): string {
  const totals = Array.from({ length: classCount }, (_, k) => `(${votes.map((v) => `case when ${v} = ${k} then 1 else 0 end`).join(' + ')})`);
  const running = votes.map((vi, i) => `(${votes.slice(0, i + 1).map((vj) => `case when ${vj} = ${vi} then 1 else 0 end`).join(' + ')})`);
  return `case ${votes.map((v, i) => `when ${totals.map((t) => `${running[i]} >= ${t}`).join(' and ')} then ${v}`).join(' ')} end`;
}

/** A random forest classifier: per-tree votes, the vote, and the labels (class index k → classes[k]). */
export function compileForestClassifier(model: ForestModelJSON, features: readonly (string | SqlRef)[], classes: readonly (string | number)[]): CompiledClassifier {
  if (model.name !== 'RFClassifier') throw new SqlCompileError(`forest: expected an RFClassifier model, got ${String(model.name)}`);
  if (classes.length === 0) throw new SqlCompileError('forest: a classifier without classes');
  const cols = featureSql(features);
  const votes = forestTrees(model, features, classLeaf).map((t) => nullGuarded(cols, t));
  return {
    votes,
    winner: (voteColumns) => modeWinnerSql(voteColumns, classes.length),
    label: (indexColumn) => `case ${classes.map((c, k) => `when ${indexColumn} = ${k} then ${sqlLabel(c)}`).join(' ')} end`,
  };
}

export interface SelectOptions {
  /** The relation to read (a table name or a parenthesised query with an alias). */
  from: string;
  /** Columns carried through (already quoted or plain SQL names). */
  keep: readonly string[];
  /** Name of the output column. */
  as: string;
}

/**
 * A SELECT adding the forest's predicted label as column `as`: trees in the innermost query, the vote
 * one level up, the label at the top (each tree is evaluated once per row).
 */
export function forestClassifierSelect(c: CompiledClassifier, o: SelectOptions): string {
  const keep = o.keep.map((k) => `${k}, `).join('');
  const names = c.votes.map((_, i) => sqlIdent(`__vote_${i}`));
  const trees = `select ${keep}${c.votes.map((v, i) => `${v} as ${names[i]}`).join(',\n  ')}\nfrom ${o.from}`;
  const vote = `select ${keep}${c.winner(names)} as "__class" from (${trees}) as "__trees"`;
  return `select ${keep}${c.label('"__class"')} as ${sqlIdent(o.as)} from (${vote}) as "__vote"`;
}

/**
 * A linear model as arithmetic, in ml-regression's order: the intercept (or 0 without one), then
 * + w_i × x_i for i = 1…n, left to right. Null when a feature is null (SQL arithmetic propagates it).
 */
export function compileLinear(weights: readonly (number | SqlRef)[], features: readonly (string | SqlRef)[], intercept: number | SqlRef | null): string {
  if (weights.length !== features.length) throw new SqlCompileError(`linear: ${weights.length} weights for ${features.length} features`);
  const cols = featureSql(features);
  const start = intercept === null ? '0e0' : term(intercept);
  return [start, ...weights.map((w, i) => `${term(w)} * ${cols[i]}`)].join(' + ');
}

/** ml-regression's MultivariateLinearRegression JSON/instance (weights: inputs rows, then the intercept row when it has one). */
export function compileMultivariateLinear(model: { weights: number[][]; intercept: boolean }, features: readonly (string | SqlRef)[], output = 0): string {
  const rows = model.weights.map((w) => w[output]);
  const inputs = model.intercept ? rows.slice(0, -1) : rows;
  return compileLinear(inputs, features, model.intercept ? rows[rows.length - 1] : null);
}

export type CentroidMetric = 'euclidean' | 'squared';

/** Distance of the point to one centroid, summed from 0 left to right as the JS loops do; `euclidean` takes sqrt(). */
export function centroidDistanceSql(point: readonly string[], centroid: readonly (number | SqlRef)[], metric: CentroidMetric): string {
  if (point.length !== centroid.length) throw new SqlCompileError(`k-means: a centroid of ${centroid.length} coordinates for ${point.length} features`);
  const squares = point.map((p, j) => {
    const d = `(${p} - ${term(centroid[j])})`;
    return `${d} * ${d}`;
  });
  const sum = ['0e0', ...squares].join(' + ');
  return metric === 'euclidean' ? `sqrt(${sum})` : `(${sum})`;
}

/**
 * The nearest centroid's index from distance columns d_0…d_{k-1}: the first index with the smallest
 * distance (a strict `<` scan, as ml-kmeans' and our nearestCentroid do). A null distance (no such
 * centroid) never wins.
 */
export function nearestIndexSql(distances: readonly string[]): string {
  const beats = (c: number) => distances.map((d, j) => (j === c ? null : j < c ? `(${d} is null or ${distances[c]} < ${d})` : `(${d} is null or ${distances[c]} <= ${d})`))
    .filter((x): x is string => x !== null);
  const whens = distances.map((d, c) => `when ${[`${d} is not null`, ...beats(c)].join(' and ')} then ${c}`);
  return `case ${whens.join(' ')} end`;
}

/**
 * k-means assignment as a SELECT adding column `as` (the centroid index): distances one level down,
 * the choice on top. `point` is the SQL of the (already scaled) coordinates; centroids may be literal
 * numbers or SqlRefs into `from` (per-group centroids of a joined table; a null coordinate = no such centroid).
 */
export function nearestCentroidSelect(point: readonly (string | SqlRef)[], centroids: readonly (readonly (number | SqlRef)[])[], metric: CentroidMetric, o: SelectOptions): string {
  if (centroids.length === 0) throw new SqlCompileError('k-means: no centroids');
  const p = featureSql(point);
  const keep = o.keep.map((k) => `${k}, `).join('');
  const names = centroids.map((_, c) => sqlIdent(`__distance_${c}`));
  const inner = `select ${keep}${centroids.map((c, i) => `${centroidDistanceSql(p, c, metric)} as ${names[i]}`).join(',\n  ')}\nfrom ${o.from}`;
  return `select ${keep}${nearestIndexSql(names)} as ${sqlIdent(o.as)} from (${inner}) as "__distances"`;
}
