// Large forests as data: a nested CASE of 80,000 nodes takes DuckDB half a minute to plan and is
// evaluated branch by branch over ever smaller selections (100 s for 100k rows), and a JVM engine
// cannot compile an expression that size. So a forest can also be scored from a node table: every
// (row, tree) pair walks two levels per join (each node's row also carries its children's splits),
// with the same comparison at each node as ml-cart. One level per join cost Trino twice the joins:
// they were about half of its CPU for the catalog forests.
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
  // The children's splits (null for a leaf child, whose two next nodes are itself).
  { name: 'l_feature', type: 'INTEGER' }, { name: 'l_split', type: 'DOUBLE' }, { name: 'l_left', type: 'INTEGER' }, { name: 'l_right', type: 'INTEGER' },
  { name: 'r_feature', type: 'INTEGER' }, { name: 'r_split', type: 'DOUBLE' }, { name: 'r_left', type: 'INTEGER' }, { name: 'r_right', type: 'INTEGER' },
] as const;

/** The eight children's-split columns of a row before they are filled (and of a leaf, for good). */
const NO_CHILD_SPLITS: null[] = Array(8).fill(null);

export interface ForestNodes {
  /** Rows in FOREST_NODE_COLUMNS order: splits name the feature (index into the forest's features), leaves carry the value or class index. */
  rows: (number | null)[][];
  trees: number;
  /** Longest root-to-leaf path: the walk needs half as many joins, rounded up. */
  depth: number;
}

/** The forest's nodes as table rows (node 0 is each tree's root; a leaf points to itself). */
export function forestNodes(model: ForestModelJSON): ForestNodes {
  const classifier = model.name === 'RFClassifier';
  const rows: (number | null)[][] = [];
  let depth = 0;
  model.baseModel.estimators.forEach((tree, t) => {
    const first = rows.length;
    let next = 0;
    const walk = (n: TreeNodeJSON, d: number): number => {
      const id = next++;
      depth = Math.max(depth, d);
      if (n.distribution !== undefined) {
        const leaf = classifier ? leafClass(n.distribution) : n.distribution;
        if (typeof leaf !== 'number') throw new SqlCompileError('tree: a regression leaf without a value');
        rows.push([t, id, null, null, id, id, leaf, ...NO_CHILD_SPLITS]);
        return id;
      }
      if (!n.left || !n.right) throw new SqlCompileError(`tree: split node on column ${String(n.splitColumn)} without two children`);
      const feature = model.baseModel.indexes[t]?.[n.splitColumn as number];
      if (feature === undefined) throw new SqlCompileError(`forest: tree ${t} splits on its column ${String(n.splitColumn)}, which it was not given`);
      const row: (number | null)[] = [t, id, feature, splitValue(n), null, null, null, ...NO_CHILD_SPLITS];
      rows.push(row);
      row[4] = walk(n.left, d + 1);
      row[5] = walk(n.right, d + 1);
      return id;
    };
    walk(tree.root, 0);
    // Rows are in node order within a tree (pre-order ids): a child's row is at first + its id.
    for (const row of rows.slice(first)) {
      if (row[2] === null) continue;
      for (const [child, at] of [[row[4], 7], [row[5], 11]] as const) {
        const c = rows[first + (child as number)]!;
        row.splice(at, 4, c[2]!, c[3]!, c[4]!, c[5]!);
      }
    }
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
  const pick = (feature: string) => `case ${feature} ${feats.map((c, j) => `when ${j} then p.${c}`).join(' ')} end`;
  // One level down from a split (feature, split, left, right); a leaf child (null feature) stays.
  const step = (side: 'l' | 'r', stay: string) =>
    `case when n.${side}_feature is null then ${stay} when ${pick(`n.${side}_feature`)} < n.${side}_split then n.${side}_left else n.${side}_right end`;
  const input = featureSql(o.features);
  let walk = `select ${[...keys.map((k) => `r.${k}`), ...input.map((c, j) => `r.${c} as ${feats[j]}`)].join(', ')}, t."__tree", 0 as "__node"
    from ${o.from} as r cross join (select distinct tree as "__tree" from ${o.nodes}) as t
    where not (${anyNull(input.map((c) => `r.${c}`))})`;
  for (let d = 0; d < f.depth; d += 2) {
    walk = `select ${carried.map((c) => `p.${c}`).join(', ')}, case when n.feature is null then p."__node" when ${pick('n.feature')} < n.split then ${step('l', 'n.left_node')} else ${step('r', 'n.right_node')} end as "__node"
    from (${walk}) as p join ${o.nodes} as n on n.tree = p."__tree" and n.node = p."__node"`;
  }
  return `select ${keys.map((k) => `p.${k}`).join(', ')}, p."__tree", n.leaf from (${walk}) as p join ${o.nodes} as n on n.tree = p."__tree" and n.node = p."__node"`;
}

/**
 * A forest regressor scored from its node table: the mean of the trees, summed in tree order from 0
 * as the JS forest does (the same double whatever the threads). The trees' leaves are gathered in
 * tree order into one array per row (array_agg ... order by, in DuckDB and Trino alike) and added
 * element by element; the earlier pivot of one max(case ...) column per tree was a fifth of Trino's
 * CPU for the catalog's valence forest.
 */
export function forestRegressorNodeSql(model: ForestModelJSON, f: ForestNodes, o: NodeScoringOptions): string {
  if ((model.selectionMethod ?? 'mean') !== 'mean') throw new SqlCompileError(`forest: selection method ${String(model.selectionMethod)} is not compiled (only mean)`);
  const keys = o.keys.map(sqlIdent);
  const sum = ['0e0', ...Array.from({ length: f.trees }, (_, t) => `"__leaves"[${t + 1}]`)].join(' + ');
  const gathered = `select ${keys.join(', ')}, array_agg(leaf order by "__tree") as "__leaves" from (${nodeLeavesSql(f, o)}) as "__walked" group by ${keys.join(', ')}`;
  return `select ${keys.join(', ')}, (${sum}) / ${sqlDouble(f.trees)} as ${sqlIdent(o.as)} from (${gathered}) as "__trees"`;
}

/**
 * ml-array-mode's vote over ballots in long form (`ballots`: one row per key and ballot, with the
 * ballot's position `order` and its `vote`): the vote of the first ballot whose running count for its
 * own vote reaches the largest total, which is the class with the most votes and, among tied classes,
 * the one whose last ballot comes first (a class reaches its total at its last ballot). So one row
 * per key and class (its total and its last position) decides, ranked by total, then by that
 * position; positions are distinct within a key, so the ranking is total. Aggregates over the
 * ballots instead of running counts: the three windows over every ballot were half of Trino's CPU
 * for the catalog's mood forest. The SQL stays the same size whatever the number of trees. One row
 * per key: the keys and "__vote".
 */
export function modeVoteLongSql(ballots: string, keys: readonly string[], order: string, vote: string): string {
  const k = keys.join(', ');
  const classes = `select ${k}, ${vote} as "__vote", count(*) as "__total", max(${order}) as "__last" from ${ballots} group by ${k}, ${vote}`;
  const ranked = `select ${k}, "__vote", row_number() over (partition by ${k} order by "__total" desc, "__last") as "__rank" from (${classes}) as "__classes"`;
  return `select ${k}, "__vote" from (${ranked}) as "__ranked" where "__rank" = 1`;
}

/** A forest classifier scored from its node table: ml-array-mode's vote over the trees' classes (modeVoteLongSql), then the label. */
export function forestClassifierNodeSql(f: ForestNodes, classes: readonly (string | number)[], o: NodeScoringOptions): string {
  const keys = o.keys.map(sqlIdent);
  const vote = modeVoteLongSql(`(${nodeLeavesSql(f, o)}) as "__leaves"`, keys, '"__tree"', 'leaf');
  return `select ${keys.join(', ')}, case ${classes.map((c, k) => `when "__vote" = ${k} then ${sqlLabel(c)}`).join(' ')} end as ${sqlIdent(o.as)} from (${vote}) as "__vote"`;
}
