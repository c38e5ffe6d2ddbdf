// The compiled SQL against the JavaScript models, on DuckDB: classes exactly equal, regression values
// bit for bit (Object.is), with the edge cases a scorer meets: single-leaf trees, tied votes, NaN,
// infinities, nulls, extreme doubles, awkward column names.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import { kmeans } from 'ml-kmeans';
import { queryRows, withDuckDB, type DuckDBConnection } from '../duckdb.ts';
import { loadRows } from '../appender.ts';
import { loadForest, trainForestClassifier, trainForestRegressor, type ForestArtifact } from './forest.ts';
import { RandomForestClassifier, type ForestModelJSON } from './ml-libs.ts';
import { seededRng } from './rng.ts';
import { awkwardDoubles, edgeRows, makeTestData } from './test-data.ts';
import {
  SqlCompileError, compileForestClassifier, compileForestRegressor, compileMultivariateLinear, compileTree,
  forestClassifierSelect, modeWinnerSql, nearestCentroidSelect, sqlDouble, sqlIdent,
} from './sql-compile.ts';
import { FOREST_NODE_COLUMNS, forestClassifierNodeSql, forestNodes, forestRegressorNodeSql, modeVoteLongSql } from './forest-node-sql.ts';

const require = createRequire(import.meta.url);
const arrayMode = require('ml-array-mode') as (v: number[]) => number;
const { MultivariateLinearRegression } = require('ml-regression') as {
  MultivariateLinearRegression: new (x: number[][], y: number[][], o?: { intercept?: boolean; statistics?: boolean }) => { weights: number[][]; intercept: boolean; predict(x: number[][]): number[][] };
};

const NAMES = ['plain', 'with space', 'select', 'quo"te', 'MiXeD'];
const small = { nEstimators: 9, maxDepth: 6, minNumSamples: 5, progress: false };

const withDb = <T>(fn: (conn: DuckDBConnection) => Promise<T>) => withDuckDB({ threads: 1 }, fn);

/** Rows into temp table `points` (column i = NAMES[i], plus row number `i`), nulls allowed. */
async function loadPoints(conn: DuckDBConnection, X: readonly (readonly (number | null)[])[], names = NAMES): Promise<void> {
  await loadRows(conn, 'points', [{ name: 'i', type: 'INTEGER' }, ...names.map((name) => ({ name, type: 'DOUBLE' as const }))], X.map((r, i) => [i, ...r]));
}

async function column<T>(conn: DuckDBConnection, sql: string): Promise<T[]> {
  return (await conn.runAndReadAll(sql)).getRowsJS().map((r) => r[0] as T);
}


describe('sqlDouble', () => {
  it('prints every double so that DuckDB reads back the same double, NaN and infinities included', async () => {
    const values = awkwardDoubles();
    await withDb(async (conn) => {
      const back = await queryRows<{ v: number | string }>(conn, values.map((v) => `select ${sqlDouble(v)} as v`).join(' union all '));
      // the JSON form prints ±Infinity and NaN as strings
      const got = back.map((r) => (typeof r.v === 'string' ? Number(r.v) : r.v));
      values.forEach((v, i) => assert.ok(Object.is(got[i], v) || (Number.isNaN(v) && Number.isNaN(got[i])), `${v} came back as ${got[i]} from ${sqlDouble(v)}`));
      const types = await column<string>(conn, `select distinct typeof(${sqlDouble(0.1)})`);
      assert.deepEqual(types, ['DOUBLE']);
    });
  });

  it('quotes identifiers and refuses what cannot be one', () => {
    assert.equal(sqlIdent('quo"te'), '"quo""te"');
    assert.throws(() => sqlIdent(''), SqlCompileError);
  });
});

describe('compiled forests and trees equal ml-random-forest on DuckDB', () => {
  const train = makeTestData(500, 'sql-train');
  const test = makeTestData(300, 'sql-test');

  it('regressor: every prediction bit for bit, NaN and infinite inputs included; null features give null', async () => {
    const forest = trainForestRegressor(train.X, train.y, { ...small, seed: 3, maxFeatures: 0.8, featureNames: NAMES });
    const artifact = JSON.parse(JSON.stringify(forest)) as ForestArtifact;
    const X = [...test.X, ...edgeRows(5)];
    const js = loadForest(artifact).predict(X);
    const sql = compileForestRegressor(artifact.model, NAMES);
    assert.equal(sql, compileForestRegressor(JSON.parse(JSON.stringify(artifact)).model, NAMES), 'deterministic text');
    await withDb(async (conn) => {
      await loadPoints(conn, [...X, [0.1, null, 0.2, 0.3, 0.4]]);
      const got = await column<number | null>(conn, `select ${sql} from points order by i`);
      js.forEach((v, i) => assert.ok(Object.is(got[i], v), `row ${i}: SQL ${got[i]} vs JS ${v}`));
      assert.equal(got[X.length], null, 'a null feature gives no prediction');
    });
  });

  it('classifier: every class exactly, with an even number of trees so that votes tie', async () => {
    const labels = train.classes.map((c) => ['a', "b'c", 'd', 'e'][c]);
    const forest = trainForestClassifier(train.X, labels, { ...small, nEstimators: 6, maxDepth: 3, seed: 11, maxFeatures: 0.6, featureNames: NAMES });
    const artifact = JSON.parse(JSON.stringify(forest)) as ForestArtifact;
    const loaded = loadForest(artifact);
    const X = [...test.X, ...edgeRows(5)];
    const js = loaded.predict(X);
    const compiled = compileForestClassifier(artifact.model, NAMES, artifact.classes!);
    const votes = (RandomForestClassifier.load(artifact.model) as unknown as { predictionValues(x: number[][]): { getRow(i: number): number[] } }).predictionValues(X);
    const ties = X.filter((_, i) => {
      const counts = new Map<number, number>();
      for (const v of votes.getRow(i)) counts.set(v, (counts.get(v) ?? 0) + 1);
      const top = Math.max(...counts.values());
      return [...counts.values()].filter((c) => c === top).length > 1;
    }).length;
    assert.ok(ties >= 5, `the test needs tied votes (${ties})`);
    await withDb(async (conn) => {
      await loadPoints(conn, [...X, [null, 0.1, 0.2, 0.3, 0.4]]);
      const got = await column<string | null>(conn, `select predicted from (${forestClassifierSelect(compiled, { from: 'points', keep: ['i'], as: 'predicted' })}) order by i`);
      assert.deepEqual(got.slice(0, X.length), js);
      assert.equal(got[X.length], null);
    });
  });

  it('the vote follows ml-array-mode on random ballots, ties included', async () => {
    const rng = seededRng(5, 'ballots');
    const ballots = Array.from({ length: 2000 }, () => Array.from({ length: 6 }, () => Math.floor(rng() * 3)));
    await withDb(async (conn) => {
      const cols = ballots[0].map((_, j) => `v${j}`);
      await loadRows(conn, 'ballots', [{ name: 'i', type: 'INTEGER' }, ...cols.map((name) => ({ name, type: 'INTEGER' as const }))], ballots.map((b, i) => [i, ...b]));
      const got = await column<number>(conn, `select ${modeWinnerSql(cols, 3)} from ballots order by i`);
      assert.deepEqual(got, ballots.map((b) => arrayMode(b)));
    });
  });

  it('the long-form vote (node tables) follows ml-array-mode on random ballots, ties included', async () => {
    const rng = seededRng(6, 'long ballots');
    const ballots = Array.from({ length: 2000 }, (_, i) => Array.from({ length: 2 + (i % 7) }, () => Math.floor(rng() * 3)));
    await withDb(async (conn) => {
      await loadRows(conn, 'ballots', [{ name: 'i', type: 'INTEGER' }, { name: 'pos', type: 'INTEGER' }, { name: 'v', type: 'DOUBLE' }],
        ballots.flatMap((b, i) => b.map((v, pos) => [i, pos, v])));
      const got = await column<number>(conn, `select "__vote" from (${modeVoteLongSql('ballots', ['i'], 'pos', 'v')}) order by i`);
      assert.deepEqual(got, ballots.map((b) => arrayMode(b)));
    });
  });

  it('single-leaf trees (a constant target) compile to constants', async () => {
    const X = train.X.slice(0, 50);
    const reg = trainForestRegressor(X, X.map(() => 0.25), { ...small, nEstimators: 3, seed: 1 });
    const cls = trainForestClassifier(X, X.map(() => 'only'), { ...small, nEstimators: 3, seed: 1 });
    const regModel = (reg.toJSON() as ForestArtifact).model;
    assert.ok(regModel.baseModel.estimators.every((t) => t.root.distribution !== undefined), 'every tree is one leaf');
    await withDb(async (conn) => {
      await loadPoints(conn, test.X.slice(0, 5), ['f0', 'f1', 'f2', 'f3', 'f4']);
      const names = ['f0', 'f1', 'f2', 'f3', 'f4'];
      assert.deepEqual(await column(conn, `select ${compileForestRegressor(regModel, names)} from points order by i`), reg.predict(test.X.slice(0, 5)));
      assert.equal(compileTree(regModel.baseModel.estimators[0].root, 'regressor', []), '2.5e-1');
      const c = compileForestClassifier((cls.toJSON() as ForestArtifact).model, names, cls.classes);
      assert.deepEqual(await column(conn, `select p from (${forestClassifierSelect(c, { from: 'points', keep: ['i'], as: 'p' })}) order by i`), cls.predict(test.X.slice(0, 5)));
    });
  });

  it('extreme training values: an infinite split (in memory) and its JSON null (reloaded, compared as 0) both match', async () => {
    const big = Number.MAX_VALUE;
    const X = Array.from({ length: 40 }, (_, i) => [i < 20 ? big * 0.9 : big, i % 2]);
    const y = X.map((_, i) => (i < 20 ? 1 : 2));
    const forest = trainForestRegressor(X, y, { nEstimators: 2, maxDepth: 2, minNumSamples: 1, seed: 1, progress: false });
    const raw = (forest as unknown as { model: { toJSON(): ForestModelJSON } }).model.toJSON();
    const splits = JSON.stringify(raw.baseModel.estimators.map((t) => t.root.splitValue ?? null));
    assert.match(splits, /null/, 'an overflowing midpoint is saved as null');
    assert.ok(raw.baseModel.estimators.some((t) => t.root.splitValue === Infinity), 'in memory it is Infinity');
    const probe = [[big * 0.9, 0], [big, 1], [-1, 0], [1, 0], [Infinity, 0], [NaN, 1]];
    const reloaded = loadForest(JSON.parse(JSON.stringify(forest)) as ForestArtifact);
    await withDb(async (conn) => {
      await loadPoints(conn, probe, ['a', 'b']);
      assert.deepEqual(await column(conn, `select ${compileForestRegressor(raw, ['a', 'b'])} from points order by i`), forest.predict(probe));
      const saved = (JSON.parse(JSON.stringify(forest)) as ForestArtifact).model;
      assert.deepEqual(await column(conn, `select ${compileForestRegressor(saved, ['a', 'b'])} from points order by i`), reloaded.predict(probe));
    });
  });

  it('refuses the median selection and a feature list shorter than the trees need', () => {
    const forest = trainForestRegressor(train.X, train.y, { ...small, seed: 3 });
    const model = (forest.toJSON() as ForestArtifact).model;
    assert.throws(() => compileForestRegressor({ ...model, selectionMethod: 'median' }, NAMES), /median/);
    assert.throws(() => compileForestRegressor(model, NAMES.slice(0, 2)), /features were given/);
  });
});

describe('forests scored from node tables equal ml-random-forest on DuckDB', () => {
  const train = makeTestData(500, 'node-train');
  const test = makeTestData(300, 'node-test');
  const X = [...test.X, ...edgeRows(5)];
  const opts = (as: string) => ({ nodes: 'nodes', from: 'points', keys: ['i'], features: NAMES, as });

  it('regressor: bit for bit, NaN and infinities included; rows with a missing feature are left out', async () => {
    const forest = trainForestRegressor(train.X, train.y, { ...small, seed: 4, maxFeatures: 0.6, featureNames: NAMES });
    const model = (JSON.parse(JSON.stringify(forest)) as ForestArtifact).model;
    const js = loadForest(JSON.parse(JSON.stringify(forest)) as ForestArtifact).predict(X);
    const nodes = forestNodes(model);
    assert.equal(nodes.trees, 9);
    await withDb(async (conn) => {
      await loadRows(conn, 'nodes', FOREST_NODE_COLUMNS.map((c) => ({ ...c })), nodes.rows);
      await loadPoints(conn, [...X, [0.1, null, 0.2, 0.3, 0.4]]);
      const got = await queryRows<{ i: number; p: number | string }>(conn, `select i, p from (${forestRegressorNodeSql(model, nodes, opts('p'))}) order by i`);
      assert.deepEqual(got.map((r) => r.i), X.map((_, i) => i), 'every complete row once, the incomplete one left out');
      js.forEach((v, i) => assert.ok(Object.is(Number(got[i].p), v), `row ${i}: SQL ${got[i].p} vs JS ${v}`));
    });
  });

  it('classifier: every class exactly, tied votes included', async () => {
    const labels = train.classes.map((c) => ['w', 'x', 'y', 'z'][c]);
    const forest = trainForestClassifier(train.X, labels, { ...small, nEstimators: 6, maxDepth: 3, seed: 12, maxFeatures: 0.6, featureNames: NAMES });
    const artifact = JSON.parse(JSON.stringify(forest)) as ForestArtifact;
    const js = loadForest(artifact).predict(X);
    const nodes = forestNodes(artifact.model);
    await withDb(async (conn) => {
      await loadRows(conn, 'nodes', FOREST_NODE_COLUMNS.map((c) => ({ ...c })), nodes.rows);
      await loadPoints(conn, X);
      const got = await column<string>(conn, `select p from (${forestClassifierNodeSql(nodes, artifact.classes!, opts('p'))}) order by i`);
      assert.deepEqual(got, js);
    });
  });
});

describe('compiled linear and k-means models', () => {
  it('ml-regression MultivariateLinearRegression, with and without intercept, bit for bit', async () => {
    const data = makeTestData(200, 'linear');
    const y = data.y.map((v) => [v]);
    await withDb(async (conn) => {
      await loadPoints(conn, [...data.X, ...edgeRows(5)]);
      const X = [...data.X, ...edgeRows(5)];
      for (const intercept of [true, false]) {
        const model = new MultivariateLinearRegression(data.X, y, { intercept, statistics: false });
        const js = model.predict(X).map((r) => r[0]);
        const got = await column<number>(conn, `select ${compileMultivariateLinear(model, NAMES)} from points order by i`);
        js.forEach((v, i) => assert.ok(Object.is(got[i], v) || (Number.isNaN(v) && Number.isNaN(got[i])), `intercept ${intercept}, row ${i}: ${got[i]} vs ${v}`));
      }
    });
  });

  it("nearest centroid equals ml-kmeans' nearest (squared distance, first index on ties), duplicated centroids included", async () => {
    const rng = seededRng(9, 'kmeans');
    const points = Array.from({ length: 400 }, () => [rng(), rng() * 2, rng() - 0.5]);
    const result = kmeans(points, 4, { seed: 3, maxIterations: 50 });
    const centroids = [...result.centroids, result.centroids[1]]; // index 4 ties with index 1 everywhere: 1 must win
    const probes = [...points, ...centroids.map((c) => [...c])];
    const js = new (result.constructor as new (c: number[], cs: number[][], conv: boolean, it: number, d: unknown) => typeof result)(result.clusters, centroids, true, 0, (result as unknown as { distance: unknown }).distance).nearest(probes);
    await withDb(async (conn) => {
      await loadPoints(conn, probes, ['x', 'y', 'z']);
      const sql = nearestCentroidSelect(['x', 'y', 'z'], centroids, 'squared', { from: 'points', keep: ['i'], as: 'c' });
      assert.deepEqual(await column(conn, `select c from (${sql}) order by i`), js);
      // per-row centroids from columns, a null coordinate meaning "no such centroid"
      const refs = [[{ sql: 'x' }, { sql: 'y' }, { sql: 'z' }], [{ sql: 'null::double' }, { sql: '0e0' }, { sql: '0e0' }], [{ sql: 'x + 1' }, { sql: 'y' }, { sql: 'z' }]];
      assert.deepEqual(await column(conn, `select c from (${nearestCentroidSelect(['x', 'y', 'z'], refs, 'euclidean', { from: 'points', keep: ['i'], as: 'c' })}) order by i`), probes.map(() => 0));
    });
  });
});
