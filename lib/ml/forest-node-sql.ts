// Large forests as data: a nested CASE of 80,000 nodes takes DuckDB half a minute to plan and is
// evaluated branch by branch over ever smaller selections (100 s for 100k rows), and a JVM engine
// cannot compile an expression that size. So a forest can also be scored from a node table: every
// (row, tree) pair walks one level per join, with the same comparison at each node as ml-cart.
// The SQL runs unchanged on DuckDB and Trino (sql-compile.stack.test.ts, sql-scoring.stack.test.ts):
// about 11 kB for the catalog's valence forest and 10 kB for its mood forest, whatever the trees' size.
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

/** One row per (complete row, tree): the keys, "__tree" and the leaf the walk ends in. */
function nodeLeavesSql(f: ForestNodes, o: NodeScoringOptions): string {
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
  return `select ${keys.map((k) => `p.${k}`).join(', ')}, p."__tree", n.leaf from (${walk}) as p join ${o.nodes} as n on n.tree = p."__tree" and n.node = p."__node"`;
}

/** One prediction column per tree (__t0…) for every complete row: the leaves pivoted, one row per key. */
function nodeWalkSql(f: ForestNodes, o: NodeScoringOptions): string {
  const keys = o.keys.map(sqlIdent);
  const perTree = Array.from({ length: f.trees }, (_, t) => `max(case when "__tree" = ${t} then leaf end) as ${sqlIdent(`__t${t}`)}`);
  return `select ${keys.join(', ')}, ${perTree.join(', ')} from (${nodeLeavesSql(f, o)}) as "__leaves" group by ${keys.join(', ')}`;
}

/** A forest regressor scored from its node table: the mean of the trees, summed in tree order. */
export function forestRegressorNodeSql(model: ForestModelJSON, f: ForestNodes, o: NodeScoringOptions): string {
  if ((model.selectionMethod ?? 'mean') !== 'mean') throw new SqlCompileError(`forest: selection method ${String(model.selectionMethod)} is not compiled (only mean)`);
  const trees = Array.from({ length: f.trees }, (_, t) => sqlIdent(`__t${t}`));
  return `select ${o.keys.map(sqlIdent).join(', ')}, (${['0e0', ...trees].join(' + ')}) / ${sqlDouble(f.trees)} as ${sqlIdent(o.as)} from (${nodeWalkSql(f, o)}) as "__trees"`;
}

/**
 * ml-array-mode's vote over ballots in long form (`ballots`: one row per key and ballot, with the
 * ballot's position `order` and its `vote`): the vote of the first ballot whose running count for its
 * own vote reaches the largest total (the class with the most votes; among tied classes, the one that
 * reached that count first). Window functions instead of one column per tree: the SQL stays the same
 * size whatever the number of trees (the wide form grows with trees², 290 kB and 20 s of Trino planning
 * for 100 trees). One row per key: the keys and "__vote".
 */
export function modeVoteLongSql(ballots: string, keys: readonly string[], order: string, vote: string): string {
  const k = keys.join(', ');
  const counted = `select ${k}, ${order} as "__order", ${vote} as "__vote",
    count(*) over (partition by ${k}, ${vote} order by ${order} rows between unbounded preceding and current row) as "__running",
    count(*) over (partition by ${k}, ${vote}) as "__total"
    from ${ballots}`;
  const topped = `select ${k}, "__order", "__vote", "__running", max("__total") over (partition by ${k}) as "__top" from (${counted}) as "__counted"`;
  const first = `select ${k}, "__vote", row_number() over (partition by ${k} order by "__order") as "__rank" from (${topped}) as "__topped" where "__running" = "__top"`;
  return `select ${k}, "__vote" from (${first}) as "__first" where "__rank" = 1`;
}

/** A forest classifier scored from its node table: ml-array-mode's vote over the trees' classes (modeVoteLongSql), then the label. */
export function forestClassifierNodeSql(f: ForestNodes, classes: readonly (string | number)[], o: NodeScoringOptions): string {
  const keys = o.keys.map(sqlIdent);
  const vote = modeVoteLongSql(`(${nodeLeavesSql(f, o)}) as "__leaves"`, keys, '"__tree"', 'leaf');
  return `select ${keys.join(', ')}, case ${classes.map((c, k) => `when "__vote" = ${k} then ${sqlLabel(c)}`).join(' ')} end as ${sqlIdent(o.as)} from (${vote}) as "__vote"`;
}
