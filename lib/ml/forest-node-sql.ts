// Large forests as data: a nested CASE of 80,000 nodes takes DuckDB half a minute to plan and is
// evaluated branch by branch over ever smaller selections (100 s for 100k rows), and a JVM engine
// cannot compile an expression that size. So a forest can also be scored from a node table: every
// (row, tree) pair walks one level per join, with the same comparison at each node as ml-cart.
// The SQL runs unchanged on DuckDB and Trino (sql-compile.stack.test.ts, sql-scoring.stack.test.ts):
// about 11 kB for the valence forest and 90 kB for the mood forest (its vote), whatever the trees' size.
// On Trino the node table is a scratch table (lib/trino/scratch-table.ts): as VALUES it would exceed
// Trino's 1,000,000-character statement limit for a real forest and be re-read at every level.
import type { ForestModelJSON, TreeNodeJSON } from './ml-libs.ts';
import { SqlCompileError, anyNull, featureSql, leafClass, splitValue, sqlDouble, sqlIdent, sqlLabel } from './sql-compile.ts';

export const FOREST_NODE_COLUMNS = [
  { name: 'tree', type: 'INTEGER' }, { name: 'node', type: 'INTEGER' }, { name: 'feature', type: 'INTEGER' },
  { name: 'split', type: 'DOUBLE' }, { name: 'left_node', type: 'INTEGER' }, { name: 'right_node', type: 'INTEGER' },
  { name: 'leaf', type: 'DOUBLE' },
] as const;

export interface ForestNodes {
  /** Rows in FOREST_NODE_COLUMNS order: splits name the feature (index into the forest's features), leaves carry the value or class index. */
  rows: (number | null)[][];
  trees: number;
  /** Longest root-to-leaf path: the number of joins the walk needs. */
  depth: number;
}

/** The forest's nodes as table rows (node 0 is each tree's root; a leaf points to itself). */
export function forestNodes(model: ForestModelJSON): ForestNodes {
  const classifier = model.name === 'RFClassifier';
  const rows: (number | null)[][] = [];
  let depth = 0;
  model.baseModel.estimators.forEach((tree, t) => {
    let next = 0;
    const walk = (n: TreeNodeJSON, d: number): number => {
      const id = next++;
      depth = Math.max(depth, d);
      if (n.distribution !== undefined) {
        const leaf = classifier ? leafClass(n.distribution) : n.distribution;
        if (typeof leaf !== 'number') throw new SqlCompileError('tree: a regression leaf without a value');
        rows.push([t, id, null, null, id, id, leaf]);
        return id;
      }
      if (!n.left || !n.right) throw new SqlCompileError(`tree: split node on column ${String(n.splitColumn)} without two children`);
      const feature = model.baseModel.indexes[t]?.[n.splitColumn as number];
      if (feature === undefined) throw new SqlCompileError(`forest: tree ${t} splits on its column ${String(n.splitColumn)}, which it was not given`);
      const row: (number | null)[] = [t, id, feature, splitValue(n), null, null, null];
      rows.push(row);
      row[4] = walk(n.left, d + 1);
      row[5] = walk(n.right, d + 1);
      return id;
    };
    walk(tree.root, 0);
  });
  return { rows, trees: model.baseModel.estimators.length, depth };
}

export interface NodeScoringOptions {
  /** The node table (loaded from forestNodes().rows). */
  nodes: string;
  /** The rows to score: a table name or a parenthesised query, without an alias; rows with a missing feature are left out. */
  from: string;
  /** Key columns (plain names) carried to the result. */
  keys: readonly string[];
  features: readonly string[];
  as: string;
}

/** One prediction column per tree (t0…t{n-1}) for every complete row: the walk, then one row per key. */
function nodeWalkSql(f: ForestNodes, o: NodeScoringOptions): string {
  const keys = o.keys.map(sqlIdent);
  const feats = o.features.map((_, j) => sqlIdent(`__f${j}`));
  const carried = [...keys, ...feats, '"__tree"'];
  const pick = `case n.feature ${feats.map((c, j) => `when ${j} then p.${c}`).join(' ')} end`;
  const input = featureSql(o.features);
  let walk = `select ${[...keys.map((k) => `r.${k}`), ...input.map((c, j) => `r.${c} as ${feats[j]}`)].join(', ')}, t."__tree", 0 as "__node"
    from ${o.from} as r cross join (select distinct tree as "__tree" from ${o.nodes}) as t
    where not (${anyNull(input.map((c) => `r.${c}`))})`;
  for (let d = 0; d < f.depth; d++) {
    walk = `select ${carried.map((c) => `p.${c}`).join(', ')}, case when n.feature is null then p."__node" when ${pick} < n.split then n.left_node else n.right_node end as "__node"
    from (${walk}) as p join ${o.nodes} as n on n.tree = p."__tree" and n.node = p."__node"`;
  }
  const leaves = `select ${keys.map((k) => `p.${k}`).join(', ')}, p."__tree", n.leaf from (${walk}) as p join ${o.nodes} as n on n.tree = p."__tree" and n.node = p."__node"`;
  const perTree = Array.from({ length: f.trees }, (_, t) => `max(case when "__tree" = ${t} then leaf end) as ${sqlIdent(`__t${t}`)}`);
  return `select ${keys.join(', ')}, ${perTree.join(', ')} from (${leaves}) as "__leaves" group by ${keys.join(', ')}`;
}

/** A forest regressor scored from its node table: the mean of the trees, summed in tree order. */
export function forestRegressorNodeSql(model: ForestModelJSON, f: ForestNodes, o: NodeScoringOptions): string {
  if ((model.selectionMethod ?? 'mean') !== 'mean') throw new SqlCompileError(`forest: selection method ${String(model.selectionMethod)} is not compiled (only mean)`);
  const trees = Array.from({ length: f.trees }, (_, t) => sqlIdent(`__t${t}`));
  return `select ${o.keys.map(sqlIdent).join(', ')}, (${['0e0', ...trees].join(' + ')}) / ${sqlDouble(f.trees)} as ${sqlIdent(o.as)} from (${nodeWalkSql(f, o)}) as "__trees"`;
}

/** A forest classifier scored from its node table: ml-array-mode's vote over the trees' classes, then the label. */
export function forestClassifierNodeSql(f: ForestNodes, classes: readonly (string | number)[], o: NodeScoringOptions): string {
  const trees = Array.from({ length: f.trees }, (_, t) => sqlIdent(`__t${t}`));
  const keys = o.keys.map(sqlIdent).join(', ');
  // class totals and running counts as columns first: the vote compares each several times
  const totals = classes.map((_, k) => `(${trees.map((v) => `case when ${v} = ${k} then 1 else 0 end`).join(' + ')}) as ${sqlIdent(`__c${k}`)}`);
  const running = trees.map((vi, i) => `(${trees.slice(0, i + 1).map((vj) => `case when ${vj} = ${vi} then 1 else 0 end`).join(' + ')}) as ${sqlIdent(`__r${i}`)}`);
  const counted = `select ${keys}, ${trees.join(', ')}, ${totals.join(', ')}, ${running.join(', ')} from (${nodeWalkSql(f, o)}) as "__trees"`;
  const winner = `case ${trees.map((v, i) => `when ${classes.map((_, k) => `${sqlIdent(`__r${i}`)} >= ${sqlIdent(`__c${k}`)}`).join(' and ')} then ${v}`).join(' ')} end`;
  const vote = `select ${keys}, ${winner} as "__class" from (${counted}) as "__counted"`;
  return `select ${keys}, case ${classes.map((c, k) => `when "__class" = ${k} then ${sqlLabel(c)}`).join(' ')} end as ${sqlIdent(o.as)} from (${vote}) as "__vote"`;
}
