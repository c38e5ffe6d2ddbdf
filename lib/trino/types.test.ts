import { test } from 'node:test';
import assert from 'node:assert/strict';
import { duckdbToTrinoType, parseTrinoType, splitTopLevel } from './types.ts';
import { trinoResultToJsonRows } from './json-rows.ts';
import { assertReadOnly } from './query.ts';

test('DuckDB types map to the Hive/Trino types that read DuckDB Parquet back unchanged', () => {
  const cases: [string, string | null][] = [
    ['BOOLEAN', 'boolean'], ['INTEGER', 'integer'], ['BIGINT', 'bigint'], ['SMALLINT', 'smallint'], ['UINTEGER', 'bigint'],
    ['DOUBLE', 'double'], ['FLOAT', 'real'], ['DECIMAL(18,3)', 'decimal(18,3)'], ['VARCHAR', 'varchar'], ['DATE', 'date'],
    ['TIMESTAMP', 'timestamp(6)'], ['TIMESTAMP WITH TIME ZONE', 'timestamp(6)'], ['TIMESTAMP_NS', 'timestamp(6)'],
    ['VARCHAR[]', 'array(varchar)'], ['INTEGER[][]', 'array(array(integer))'], ['DOUBLE[3]', 'array(double)'],
    ['STRUCT(a INTEGER, "b c" VARCHAR[])', 'row("a" integer, "b c" array(varchar))'],
    ['MAP(VARCHAR, DOUBLE)', 'map(varchar, double)'], ["ENUM('a', 'b')", 'varchar'],
    ['TIME', null], ['INTERVAL', null], ['UUID', null], ['STRUCT(t TIME)', null], ['TIME[]', null],
  ];
  for (const [duck, trino] of cases) assert.equal(duckdbToTrinoType(duck), trino, duck);
});

test('type strings split at top-level commas only', () => {
  assert.deepEqual(splitTopLevel('a INTEGER, b DECIMAL(10,2), "c,d" VARCHAR'), ['a INTEGER', 'b DECIMAL(10,2)', '"c,d" VARCHAR']);
  const t = parseTrinoType('array(row(a bigint, ts timestamp(3) with time zone))');
  assert.equal(t.name, 'array');
  assert.deepEqual(t.args[0].fields.map((f) => [f.name, f.type.name]), [['a', 'bigint'], ['ts', 'timestamp with time zone']]);
});

test('Trino rows follow the query --json contract', () => {
  const rows = trinoResultToJsonRows({
    columns: [
      { name: 'ts', type: 'timestamp(3)' }, { name: 'ts6', type: 'timestamp(6)' }, { name: 'tz', type: 'timestamp(3) with time zone' },
      { name: 'd', type: 'date' }, { name: 'dec', type: 'decimal(10,2)' }, { name: 'x', type: 'double' },
      { name: 'r', type: 'row(a integer, b array(timestamp(0)))' }, { name: 'n', type: 'bigint' },
    ],
    rows: [['2024-01-01 10:00:00.123', '2024-01-01 10:00:00.123456', '2024-01-01 12:00:00.000 +02:00', '2024-01-01', '12.34', 'NaN', [1, ['2024-01-01 00:00:00']], null]],
  });
  assert.deepEqual(rows, [{
    ts: '2024-01-01T10:00:00.123Z', ts6: '2024-01-01T10:00:00.123Z', tz: '2024-01-01T10:00:00.000Z', d: '2024-01-01', dec: 12.34, x: null,
    r: { a: 1, b: ['2024-01-01T00:00:00.000Z'] }, n: null,
  }]);
});

test('query --engine trino accepts read-only statements only', () => {
  assert.equal(assertReadOnly('-- top\n  select 1;  '), 'select 1');
  assert.equal(assertReadOnly('/* c */ with x as (select 1) select * from x'), 'with x as (select 1) select * from x');
  assert.throws(() => assertReadOnly('drop table gold.x'), /read-only/);
  assert.throws(() => assertReadOnly('insert into gold.x values (1)'), /read-only/);
});
