// The compiled SQL of sql-compile.test.ts, run on the real Trino of scripts/test-stack.sh instead of
// DuckDB: literals that read back as the same double (NaN, infinities, -0, extremes), nested-CASE
// trees and forests with tied votes, node-table forests, ml-regression's linear model and the
// nearest centroid, all against the JavaScript models on rows with NaN, infinite and null features.
// The rows and node tables reach Trino as scratch tables (Parquet written by DuckDB into the data dir
// Trino serves: lib/trino/scratch-table.ts), as a job's would. Not as VALUES: Trino's optimizer folds
// the projections over a VALUES relation row by row (ValuesExpressionRewrite), and for the compiled
// classifier that exhausted its 180 s limit (OPTIMIZER_TIMEOUT) on 341 rows. Also pins Trino's limit
// that makes node tables the form for real forests there: one expression of more than ~1,000 CASE
// branches is refused (QUERY_EXCEEDED_COMPILER_LIMIT).
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import { kmeans } from 'ml-kmeans';
import { pipelineTrino } from '../trino/stack-test-support.ts';
import { TrinoQueryError } from '../trino/client.ts';
import { stageForTrino, type ScratchTable } from '../trino/scratch-table.ts';
import { openDuckDB, type DuckDBConnection } from '../duckdb.ts';
import { loadRows } from '../appender.ts';
import { loadForest, trainForestClassifier, trainForestRegressor, type ForestArtifact } from './forest.ts';
import type { TreeNodeJSON } from './ml-libs.ts';
import { seededRng } from './rng.ts';
import { awkwardDoubles, edgeRows, makeTestData } from './test-data.ts';
import {
  compileForestClassifier, compileForestRegressor, compileMultivariateLinear, compileTree, forestClassifierSelect, modeWinnerSql,
  nearestCentroidSelect, sqlDouble, sqlIdent,
} from './sql-compile.ts';
import { FOREST_NODE_COLUMNS, forestClassifierNodeSql, forestNodes, forestRegressorNodeSql, modeVoteLongSql } from './forest-node-sql.ts';

const require = createRequire(import.meta.url);
const arrayMode = require('ml-array-mode') as (v: number[]) => number;
const { MultivariateLinearRegression } = require('ml-regression') as {
  MultivariateLinearRegression: new (x: number[][], y: number[][], o?: { intercept?: boolean; statistics?: boolean }) => { weights: number[][]; intercept: boolean; predict(x: number[][]): number[][] };
};

const trino = pipelineTrino();
const NAMES = ['plain', 'with space', 'select', 'quo"te', 'MiXeD'];
const small = { nEstimators: 9, maxDepth: 6, minNumSamples: 5, progress: false };

/** Trino's JSON protocol sends NaN and the infinities as strings. */
const num = (v: unknown) => (v === 'NaN' ? NaN : v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : v);
const same = (a: unknown, b: unknown) => Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));

const servedDir = process.env.LAKEHOUSE_DATA_DIR ?? '';
let duck: { connection: DuckDBConnection; close(): void };
const staged: ScratchTable[] = [];
let tables = 0;

before(async () => {
  const { instance, connection } = await openDuckDB({ threads: 1 });
  duck = { connection, close: () => { connection.closeSync(); instance.closeSync(); } };
});

after(async () => {
  for (const t of staged) await t.drop();
  duck.close();
});

/** Rows (column `i` = row number, then `cols`) as a Trino table; its reference. */
async function table(cols: readonly string[], rows: readonly (readonly (number | null)[])[], types?: readonly ('DOUBLE' | 'INTEGER')[]): Promise<string> {
  const name = `t${tables++}`;
  await loadRows(duck.connection, name, [{ name: 'i', type: 'INTEGER' }, ...cols.map((c, j) => ({ name: c, type: types?.[j] ?? 'DOUBLE' as const }))], rows.map((r, i) => [i, ...r]));
  const t = await stageForTrino(duck.connection, trino, servedDir, `sql_compile_${name}`, `select * from temp.main.${name}`);
  staged.push(t);
  return t.ref;
}

/** The first column of a query's rows. */
async function column(sql: string): Promise<unknown[]> {
  return (await trino.query(sql)).rows.map((r) => num(r[0]));
}


describe('compiled SQL on Trino', () => {
  it('every double literal reads back as the same double, typed DOUBLE', async () => {
    const values = awkwardDoubles();
    // -0 is checked through its sign (JSON prints -0.0 as 0 in some writers): 1 / -0 = -Infinity
    const r = await trino.query(`select v, typeof(v), 1e0 / v from (values ${values.map((v, i) => `(${i}, ${sqlDouble(v)})`).join(', ')}) as t(i, v) order by i`);
    r.rows.forEach((row, i) => {
      const v = values[i];
      assert.equal(row[1], 'double', `${sqlDouble(v)} is a DOUBLE`);
      assert.ok(same(num(row[0]), v) || (v === 0 && num(row[0]) === 0), `${v} came back as ${String(row[0])} from ${sqlDouble(v)}`);
      if (v === 0) assert.equal(num(row[2]), Object.is(v, -0) ? -Infinity : Infinity, `the sign of ${Object.is(v, -0) ? '-0' : '0'}`);
    });
  });

  it('a forest regressor as one nested CASE: bit for bit, NaN and infinities included; a null feature gives null', async () => {
    const { X: trainX, y } = makeTestData(500, 'sql-train');
    const forest = trainForestRegressor(trainX, y, { ...small, seed: 3, maxFeatures: 0.8, featureNames: NAMES });
    const artifact = JSON.parse(JSON.stringify(forest)) as ForestArtifact;
    const X = [...makeTestData(300, 'sql-test').X, ...edgeRows(5)];
    const js = loadForest(artifact).predict(X);
    const points = await table(NAMES, [...X, [0.1, null, 0.2, 0.3, 0.4]]);
    const got = await column(`select ${compileForestRegressor(artifact.model, NAMES)} from ${points} order by i`);
    js.forEach((v, i) => assert.ok(Object.is(got[i], v), `row ${i}: Trino ${String(got[i])} vs JS ${v}`));
    assert.equal(got[X.length], null);
  });

  it('a forest classifier (per-tree CASE columns, ml-array-mode vote): every class, tied votes included', async () => {
    const train = makeTestData(500, 'sql-train');
    const labels = train.classes.map((c) => ['a', "b'c", 'd', 'e'][c]);
    const forest = trainForestClassifier(train.X, labels, { ...small, nEstimators: 6, maxDepth: 3, seed: 11, maxFeatures: 0.6, featureNames: NAMES });
    const artifact = JSON.parse(JSON.stringify(forest)) as ForestArtifact;
    const X = [...makeTestData(300, 'sql-test').X, ...edgeRows(5)];
    const js = loadForest(artifact).predict(X);
    const compiled = compileForestClassifier(artifact.model, NAMES, artifact.classes!);
    const points = await table(NAMES, [...X, [null, 0.1, 0.2, 0.3, 0.4]]);
    const got = await column(`select predicted from (${forestClassifierSelect(compiled, { from: points, keep: ['i'], as: 'predicted' })}) as "p" order by i`);
    assert.deepEqual(got.slice(0, X.length), js);
    assert.equal(got[X.length], null);
  });

  it('the vote follows ml-array-mode on random ballots, ties included', async () => {
    const rng = seededRng(5, 'ballots');
    const ballots = Array.from({ length: 2000 }, () => Array.from({ length: 6 }, () => Math.floor(rng() * 3)));
    const cols = ballots[0].map((_, j) => `v${j}`);
    const from = await table(cols, ballots, cols.map(() => 'INTEGER'));
    const got = await column(`select ${modeWinnerSql(cols, 3)} from ${from} order by i`);
    assert.deepEqual(got, ballots.map((b) => arrayMode(b)));
  });

  it('the long-form vote (node tables) follows ml-array-mode on random ballots, ties included', async () => {
    const rng = seededRng(6, 'long ballots');
    const ballots = Array.from({ length: 2000 }, (_, i) => Array.from({ length: 2 + (i % 7) }, () => Math.floor(rng() * 3)));
    const from = await table(['ballot', 'pos', 'v'], ballots.flatMap((b, i) => b.map((v, pos) => [i, pos, v])), ['INTEGER', 'INTEGER', 'DOUBLE']);
    const got = await column(`select "__vote" from (${modeVoteLongSql(from, ['ballot'], 'pos', 'v')}) as "v" order by ballot`);
    assert.deepEqual(got, ballots.map((b) => arrayMode(b)));
  });

  it('forests from node tables: regressor bit for bit, classifier exactly; rows with a missing feature left out', async () => {
    const train = makeTestData(500, 'node-train');
    const X = [...makeTestData(300, 'node-test').X, ...edgeRows(5)];
    const reg = JSON.parse(JSON.stringify(trainForestRegressor(train.X, train.y, { ...small, seed: 4, maxFeatures: 0.6, featureNames: NAMES }))) as ForestArtifact;
    const labels = train.classes.map((c) => ['w', 'x', 'y', 'z'][c]);
    const cls = JSON.parse(JSON.stringify(trainForestClassifier(train.X, labels, { ...small, nEstimators: 6, maxDepth: 3, seed: 12, maxFeatures: 0.6, featureNames: NAMES }))) as ForestArtifact;
    const points = await table(NAMES, [...X, [0.1, null, 0.2, 0.3, 0.4]]);
    const nodeTable = (rows: (number | null)[][]) => table(FOREST_NODE_COLUMNS.map((c) => c.name), rows, FOREST_NODE_COLUMNS.map((c) => c.type));
    const opts = (nodes: string, as: string) => ({ nodes, from: points, keys: ['i'], features: NAMES, as });

    const regNodes = forestNodes(reg.model);
    const r = await trino.query(`select i, p from (${forestRegressorNodeSql(reg.model, regNodes, opts(await nodeTable(regNodes.rows), 'p'))}) as "s" order by i`);
    assert.deepEqual(r.rows.map((row) => row[0]), X.map((_, i) => i), 'every complete row once, the incomplete one left out');
    const jsReg = loadForest(reg).predict(X);
    jsReg.forEach((v, i) => assert.ok(Object.is(num(r.rows[i][1]), v), `row ${i}: Trino ${String(r.rows[i][1])} vs JS ${v}`));

    const clsNodes = forestNodes(cls.model);
    const c = await column(`select p from (${forestClassifierNodeSql(clsNodes, cls.classes!, opts(await nodeTable(clsNodes.rows), 'p'))}) as "s" order by i`);
    assert.deepEqual(c, loadForest(cls).predict(X));
  });

  it('ml-regression MultivariateLinearRegression, with and without intercept, bit for bit', async () => {
    const data = makeTestData(200, 'linear');
    const X = [...data.X, ...edgeRows(5)];
    const points = await table(NAMES, X);
    for (const intercept of [true, false]) {
      const model = new MultivariateLinearRegression(data.X, data.y.map((v) => [v]), { intercept, statistics: false });
      const js = model.predict(X).map((row) => row[0]);
      const got = await column(`select ${compileMultivariateLinear(model, NAMES)} from ${points} order by i`);
      js.forEach((v, i) => assert.ok(same(got[i], v), `intercept ${intercept}, row ${i}: ${String(got[i])} vs ${v}`));
    }
  });

  it("nearest centroid equals ml-kmeans' nearest (first index on ties), per-row centroids with a missing one included", async () => {
    const rng = seededRng(9, 'kmeans');
    const points = Array.from({ length: 400 }, () => [rng(), rng() * 2, rng() - 0.5]);
    const result = kmeans(points, 4, { seed: 3, maxIterations: 50 });
    const centroids = [...result.centroids, result.centroids[1]];
    const probes = [...points, ...centroids.map((c) => [...c])];
    const js = new (result.constructor as new (c: number[], cs: number[][], conv: boolean, it: number, d: unknown) => typeof result)(result.clusters, centroids, true, 0, (result as unknown as { distance: unknown }).distance).nearest(probes);
    const from = await table(['x', 'y', 'z'], probes);
    const sql = nearestCentroidSelect(['x', 'y', 'z'], centroids, 'squared', { from, keep: ['i'], as: 'c' });
    assert.deepEqual(await column(`select c from (${sql}) as "a" order by i`), js);
    const refs = [[{ sql: 'x' }, { sql: 'y' }, { sql: 'z' }], [{ sql: 'cast(null as double)' }, { sql: '0e0' }, { sql: '0e0' }], [{ sql: 'x + 1' }, { sql: 'y' }, { sql: 'z' }]];
    const perRow = nearestCentroidSelect(['x', 'y', 'z'], refs, 'euclidean', { from, keep: ['i'], as: 'c' });
    assert.deepEqual(await column(`select c from (${perRow}) as "a" order by i`), probes.map(() => 0));
  });

  it('refuses one CASE expression of a full depth-11 tree (2,047 splits) and compiles depth 10 (1,023): why real forests go through node tables', async () => {
    const full = (d: number, lo: number, hi: number, k: { n: number }): TreeNodeJSON => (d === 0 ? { distribution: k.n++ / 7 }
      : { splitColumn: d % 3, splitValue: (lo + hi) / 2, left: full(d - 1, lo, (lo + hi) / 2, k), right: full(d - 1, (lo + hi) / 2, hi, k) });
    const rows = `(select rand() as x, rand() as y, rand() as z from unnest(sequence(1, 100)) as t(n)) as r`;
    const tree = (d: number) => compileTree(full(d, 0, 1, { n: 0 }), 'regressor', ['x', 'y', 'z']);
    assert.equal((await trino.query(`select count(${tree(10)}) from ${rows}`)).rows[0][0], 100);
    await assert.rejects(trino.query(`select count(${tree(11)}) from ${rows}`), (err: unknown) => err instanceof TrinoQueryError && err.errorName === 'QUERY_EXCEEDED_COMPILER_LIMIT');
  });
});
