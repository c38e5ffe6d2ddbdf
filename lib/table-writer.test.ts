import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir, testConfig } from '../test/helpers.ts';
import { silentLogger } from './logger.ts';
import { withWriter, withReader } from './session.ts';
import { listTables, listVersions, readCatalog } from './lake.ts';
import { queryRows } from './duckdb.ts';
import { TableContractError } from './errors.ts';

const spec = {
  layer: 'bronze' as const,
  name: 't',
  description: 'test table',
  grain: ['id'],
  columns: [
    { name: 'id', type: 'INTEGER', description: 'key' },
    { name: 'v', type: 'VARCHAR', description: 'value' },
  ],
};

test('replace, append and retention keep the last N versions and a consistent catalog', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const config = testConfig(dir, {}, { LAKEHOUSE_RETAIN_VERSIONS: '2' });
    for (let i = 0; i < 3; i++) {
      await withWriter(config, silentLogger, 'test', async (s) => {
        const tx = s.begin();
        await tx.write(spec, { sql: `select range::integer as id, 'x' || range as v from range(${i * 2}, ${i * 2 + 2})`, mode: 'append' });
        await tx.commit();
      });
    }
    const [meta] = listTables(dir);
    assert.equal(meta.version, 3);
    assert.deepEqual(listVersions(dir, 'bronze', 't'), [2, 3]);
    assert.equal(meta.files.length, 3);
    const rows = await withReader(config, silentLogger, (s) => queryRows<{ n: number }>(s.conn, 'select count(*)::integer n from bronze.t'));
    assert.equal(rows[0].n, 6); // appended rows accumulate, 2 per run
  } finally {
    cleanup();
  }
});

test('a declaration mismatch or a duplicate grain fails and leaves the previous version current', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const config = testConfig(dir);
    await withWriter(config, silentLogger, 'test', async (s) => {
      const tx = s.begin();
      await tx.write(spec, { sql: `select 1::integer as id, 'a' as v` });
      await tx.commit();
    });
    await withWriter(config, silentLogger, 'test', async (s) => {
      const tx = s.begin();
      await assert.rejects(tx.write(spec, { sql: `select 1::integer as id, 'a' as v union all select 1, 'b'` }), TableContractError);
      await assert.rejects(tx.write(spec, { sql: `select 1::bigint as id, 'a' as v` }), /schema does not match/);
      await tx.abort();
    });
    assert.equal(readCatalog(dir).tables['bronze.t'].version, 1);
    assert.deepEqual(readdirSync(join(dir, 'bronze', 't')).filter((f) => f.startsWith('.tmp')), []);
    assert.ok(existsSync(join(dir, 'bronze', 't', 'v000001', '_meta.json')));
  } finally {
    cleanup();
  }
});

test('abort points the views back at the committed versions, or drops views of tables never committed', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const config = testConfig(dir);
    await withWriter(config, silentLogger, 'test', async (s) => {
      const first = s.begin();
      await first.write(spec, { sql: `select 1::integer as id, 'committed' as v` });
      await first.commit();
      const tx = s.begin();
      await tx.write(spec, { sql: `select 2::integer as id, 'staged' as v` });
      await tx.write({ ...spec, name: 'fresh' }, { sql: `select 3::integer as id, 'staged' as v` });
      assert.deepEqual(await queryRows(s.conn, 'select v from bronze.t'), [{ v: 'staged' }]);
      await tx.abort();
      assert.deepEqual(await queryRows(s.conn, 'select v from bronze.t'), [{ v: 'committed' }]);
      await assert.rejects(queryRows(s.conn, 'select * from bronze.fresh'), /does not exist/);
      const next = s.begin();
      await next.write({ ...spec, name: 'fresh' }, { sql: `select 4::integer as id, 'next' as v` });
      await next.commit();
    });
    assert.equal(readCatalog(dir).tables['bronze.fresh'].version, 1);
  } finally {
    cleanup();
  }
});

test('retention keeps a version a consumer still serves (pinned), and drops it once unpinned', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const { writePins } = await import('./lake.ts');
    const config = testConfig(dir, {}, { LAKEHOUSE_RETAIN_VERSIONS: '2' });
    const write = (i: number) => withWriter(config, silentLogger, 'test', async (s) => {
      const tx = s.begin();
      await tx.write(spec, { sql: `select ${i}::integer as id, 'v' as v` });
      await tx.commit();
    });
    await write(1);
    writePins(dir, 'trino', { 'bronze.t': 1 });
    for (let i = 2; i <= 4; i++) await write(i);
    assert.deepEqual(listVersions(dir, 'bronze', 't'), [1, 3, 4]);
    writePins(dir, 'trino', { 'bronze.t': 4 });
    await write(5);
    assert.deepEqual(listVersions(dir, 'bronze', 't'), [4, 5]);
  } finally {
    cleanup();
  }
});

test('scratch relations: computed on DuckDB, read back when asked, read as temp.<name> by a later write; odd names refused', async () => {
  const { dir, cleanup } = tempDir();
  try {
    await withWriter(testConfig(dir), silentLogger, 'test', async (s) => {
      const tx = s.begin();
      assert.equal(tx.remote, null, 'no --engine trino: DuckDB computes everything');
      const rows = await tx.scratch('probe', 'select range::integer as id, range * 10 as x from range(3)', { read: true });
      assert.deepEqual(rows.map((r) => Number(r.x)), [0, 10, 20]);
      await tx.share('probe'); // a no-op without a remote engine
      await tx.write(spec, { sql: "select id, 'x=' || x as v from temp.probe", portable: true });
      await tx.commit();
      assert.deepEqual((await queryRows<{ v: string }>(s.conn, 'select v from bronze.t order by id')).map((r) => r.v), ['x=0', 'x=10', 'x=20']);
      const tx2 = s.begin();
      await assert.rejects(() => tx2.scratch('Probe; drop table x', 'select 1'), /scratch name/);
      await tx2.abort();
    });
  } finally {
    cleanup();
  }
});
