// The stack test's reference computation, checked on DuckDB: a chart's saved query context becomes
// the same aggregate over the table, and a chart row whose number was rounded away (the DECIMAL
// literal bug) is reported with both values. Also: no built-in chart writes a decimal literal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withDuckDB } from '../../lib/duckdb.ts';
import { readerToJsonRows } from '../../lib/json-values.ts';
import { DASHBOARDS } from '../lib/dashboard-spec.ts';
import { decimalLiterals } from '../lib/metrics.ts';
import { queryContext } from '../lib/query-context.ts';
import { compareRows, expectedSql, savedQueries } from './expected.ts';

test('no built-in chart uses a decimal literal (Trino would keep its one decimal)', () => {
  assert.deepEqual(decimalLiterals("AVG(CASE WHEN a = 'x.5' THEN 1.0 ELSE 0.0 END) + 1e0 + ROUND(x, 1)"), ['1.0', '0.0']);
  const found = DASHBOARDS.flatMap((d) => d.charts).flatMap((c) => {
    const sqls = savedQueries(queryContext(c.chart)).flatMap((q) => [
      q.where, ...q.columns.map((d) => (typeof d === 'string' ? d : d.sqlExpression)), ...(q.metrics ?? []).map((m) => m.sqlExpression)]);
    return sqls.flatMap((sql) => decimalLiterals(sql).map((lit) => `${c.title}: ${lit}`));
  });
  assert.deepEqual(found, []);
});

test('a chart is recomputed from its query context and a rounded number is caught', async () => {
  await withDuckDB({}, async (conn) => {
    await conn.run(`create schema gold; create table gold.t as select * from (values
      ('a', 'synthetic', 2), ('a', 'kaggle', 28), ('b', 'synthetic', 1), ('b', 'none', 5)) v(listener_id, feature_source, record_count)`);
    const q = savedQueries(queryContext({ kind: 'table', groupby: ['listener_id'], metrics: [
      { label: 'synthetic share', sql: "CAST(SUM(CASE WHEN feature_source = 'synthetic' THEN record_count ELSE 0 END) AS DOUBLE) / NULLIF(SUM(CASE WHEN feature_source <> 'none' THEN record_count END), 0)" },
    ] }))[0];
    const expected = readerToJsonRows(await conn.runAndReadAll(expectedSql(q, 'gold.t')));
    assert.deepEqual(expected.sort((x, y) => String(x.listener_id).localeCompare(String(y.listener_id))),
      [{ listener_id: 'a', 'synthetic share': 2 / 30 }, { listener_id: 'b', 'synthetic share': 1 }]);
    assert.deepEqual(compareRows([{ listener_id: 'b', 'synthetic share': 1 }, { listener_id: 'a', 'synthetic share': 0.0666666666666667 }], expected, q, 100), []);
    const rounded = compareRows([{ listener_id: 'a', 'synthetic share': 0.1 }, { listener_id: 'b', 'synthetic share': 1 }], expected, q, 100);
    assert.equal(rounded.length, 1);
    assert.match(rounded[0], /synthetic share: chart 0\.1 vs data 0\.0666/);
    assert.match(compareRows([{ listener_id: 'b', 'synthetic share': 1 }], expected, q, 100).join(), /1 rows in the chart, 2 in the data/);
    assert.deepEqual(compareRows([{ listener_id: 'b', 'synthetic share': 1 }], expected, q, 1), [], 'a chart cut by its row limit may miss rows');
  });
});

test('temporal axes (epoch ms from Superset) match dates from DuckDB', () => {
  const q = { columns: [{ label: 'date_local', sqlExpression: 'date_local' }], metrics: [{ label: 'plays', sqlExpression: 'SUM(total_plays)' }], where: '' };
  assert.deepEqual(compareRows([{ date_local: Date.UTC(2024, 0, 2), plays: 3 }], [{ date_local: '2024-01-02', plays: 3 }], q, 10000), []);
});
