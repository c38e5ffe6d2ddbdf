// The writer under a listener scope: fresh rows for the listeners in scope and for lake-level rows
// (null listener_id), the current version's rows for everyone else; tables without listener_id, bronze
// and wholeTable writes are rebuilt whole; a changed schema stops the build naming the table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tempDir, testConfig } from '../test/helpers.ts';
import { silentLogger } from './logger.ts';
import { withWriter, type LakeSession } from './session.ts';
import { queryRows } from './duckdb.ts';

const values = (rows: [string | null, number][]) =>
  `select * from (values ${rows.map(([l, v]) => `(${l === null ? 'null::varchar' : `'${l}'`}, ${v})`).join(', ')}) t(listener_id, v)`;

async function write(s: LakeSession, name: string, sql: string, opts: { layer?: 'silver' | 'bronze'; wholeTable?: boolean } = {}): Promise<void> {
  const tx = s.begin();
  try {
    await tx.write({ layer: opts.layer ?? 'silver', name }, { sql, orderBy: 'all', wholeTable: opts.wholeTable });
    await tx.commit();
  } catch (err) {
    await tx.abort();
    throw err;
  }
}

const rows = (s: LakeSession, table: string) => queryRows<Record<string, unknown>>(s.conn, `select * from ${table} order by all`);

test('a scoped write keeps the other listeners\' rows of the current version and takes fresh rows for the scope and the lake', async (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  await withWriter(testConfig(dir), silentLogger, 'test', async (s) => {
    await write(s, 'plays', values([['a', 1], ['b', 1], ['c', 1], [null, 1]]));
    await write(s, 'catalog', 'select 1 as v');
    await write(s, 'whole', values([['a', 1], ['b', 1]]));
    await write(s, 'raw', values([['a', 1], ['b', 1]]), { layer: 'bronze' });
    await s.conn.run("create temp table _scope as select 'a' as listener_id");
    s.listenerScope = { label: 'study test', table: '_scope' };

    await write(s, 'plays', values([['a', 2], ['b', 2], ['d', 2], [null, 2]]));
    assert.deepEqual(await rows(s, 'silver.plays'), [
      { listener_id: 'a', v: 2 }, { listener_id: 'b', v: 1 }, { listener_id: 'c', v: 1 }, { listener_id: null, v: 2 },
    ], 'a fresh; b and c carried over (c even though the fresh build lost it); d is outside the scope and new, so not taken; the lake row fresh');
    await write(s, 'catalog', 'select 2 as v');
    assert.deepEqual(await rows(s, 'silver.catalog'), [{ v: 2 }], 'no listener_id: rebuilt whole');
    await write(s, 'whole', values([['b', 3]]), { wholeTable: true });
    assert.deepEqual(await rows(s, 'silver.whole'), [{ listener_id: 'b', v: 3 }], 'wholeTable: rebuilt whole');
    await write(s, 'raw', values([['b', 3]]), { layer: 'bronze' });
    assert.deepEqual(await rows(s, 'bronze.raw'), [{ listener_id: 'b', v: 3 }], 'bronze is never scoped');

    await assert.rejects(write(s, 'plays', "select 'a' as listener_id, 2 as v, 'x' as extra"), /silver\.plays: .*--study \(study test\): its columns changed since its current version/);
    assert.equal((await rows(s, 'silver.plays')).length, 4, 'nothing was published');
    s.listenerScope = null;
    await write(s, 'plays', values([['a', 5]]));
    assert.deepEqual(await rows(s, 'silver.plays'), [{ listener_id: 'a', v: 5 }], 'without a scope a write replaces everything');
  });
});
