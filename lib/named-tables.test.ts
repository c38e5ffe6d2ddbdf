import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withDuckDB } from './duckdb.ts';
import { namedLakeTables } from './named-tables.ts';

const CATALOG = { 'silver.plays': {}, 'gold.daily': {}, 'bronze.listeners': {}, 'ops.runs': {} };

test('the lake tables a statement names, from DuckDB\'s parse tree; null whenever it might see the catalog otherwise', async () => {
  await withDuckDB({ threads: 1 }, async (conn) => {
    const named = async (sql: string) => {
      const reader = await conn.runAndReadAll('select json_serialize_sql($sql::varchar) as j', { sql });
      const parsed = JSON.parse(String(reader.getRowsJS()[0][0])) as { error: boolean; statements: unknown[] };
      assert.equal(parsed.error, false, sql);
      const r = namedLakeTables(parsed.statements[0], CATALOG);
      return r === null ? null : [...r].sort();
    };
    assert.deepEqual(await named('select count(*) from silver.plays'), ['silver.plays']);
    assert.deepEqual(await named('from gold.daily d join silver.plays p using (listener_id) where p.x in (select x from bronze.listeners)'), ['bronze.listeners', 'gold.daily', 'silver.plays']);
    assert.deepEqual(await named('select (select count(*) from ops.runs) as n union all select 1'), ['ops.runs']);
    assert.deepEqual(await named('select 42 as n'), []);
    assert.deepEqual(await named('values (1), (2)'), []);
    for (const sql of [
      'select * from information_schema.tables',
      'select * from silver.plays where exists (select 1 from information_schema.tables)',
      'select count(*) from duckdb_views()',
      "select * from query_table('silver.plays')",
      'from range(3)',
      'with p as (select * from silver.plays) select * from p',
      'select * from plays',
      'select * from silver.no_such_table',
      'select * from memory.silver.plays',
      'show tables',
      'describe silver.plays',
      'summarize gold.daily',
      'pivot silver.plays on listener_id in (1) using count(*)',
    ]) assert.equal(await named(sql), null, sql);
  });
});
