// compareTables on real Parquet written by DuckDB: equal within the tolerance, a double beyond it, a
// changed text, a missing row, a schema change, and the grain-less exact comparison.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { openDuckDB, quoteLiteral } from './duckdb.ts';
import { compareTables, type TableSide } from './table-compare.ts';
import { tempDir } from '../test/helpers.ts';

const COLUMNS = [{ name: 'id', type: 'INTEGER' }, { name: 'label', type: 'VARCHAR' }, { name: 'x', type: 'DOUBLE' }];

test('compareTables matches rows on the grain and compares doubles within the relative tolerance', async () => {
  const work = tempDir();
  const { instance, connection: conn } = await openDuckDB();
  try {
    const write = async (name: string, values: string): Promise<TableSide> => {
      const file = join(work.dir, `${name}.parquet`);
      await conn.run(`copy (select * from (values ${values}) t(id, label, x)) to ${quoteLiteral(file)} (format parquet)`);
      return { files: [file], columns: COLUMNS };
    };
    const base = await write('a', `(1::integer, 'a', 0.1::double), (2, 'b', 1e20), (3, null, null), (4, 'd', 'NaN'::double)`);
    const close = await write('b', `(1::integer, 'a', 0.1::double + 1e-17), (2, 'b', 1e20 * (1 + 5e-10)), (3, null, null), (4, 'd', 'NaN'::double)`);
    const eq = await compareTables(conn, base, close, ['id']);
    assert.equal(eq.equal, true, JSON.stringify(eq));
    assert.equal(eq.rows_a, 4);

    const far = await write('c', `(1::integer, 'a', 0.1::double * (1 + 1e-8)), (2, 'B', 1e20), (3, null, null), (5, 'e', 1.0)`);
    const ne = await compareTables(conn, base, far, ['id']);
    assert.equal(ne.equal, false);
    assert.equal(ne.only_a, 1, 'id 4 is missing from c');
    assert.equal(ne.only_b, 1, 'id 5 is new in c');
    assert.deepEqual(ne.differences.map((d) => [d.column, d.rows]).sort(), [['label', 1], ['x', 1]]);

    const schema = await compareTables(conn, base, { ...close, columns: [...COLUMNS.slice(0, 2), { name: 'x', type: 'FLOAT' }] }, ['id']);
    assert.equal(schema.schema_equal, false);
    assert.equal(schema.equal, false);

    const exact = await compareTables(conn, base, close, []);
    assert.equal(exact.equal, false, 'without a grain the comparison is exact');
    assert.equal(exact.only_a, 2);
    assert.equal((await compareTables(conn, base, base, [])).equal, true);
  } finally {
    conn.closeSync();
    instance.closeSync();
    work.cleanup();
  }
});
