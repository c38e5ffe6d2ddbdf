// Table rewriting on a tiny lake: token matching of ids, shared parts, empty versions, leftovers of
// an interrupted erasure, and a dry run that changes nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir, testConfig } from '../test/helpers.ts';
import { silentLogger } from '../lib/logger.ts';
import { withWriter, type LakeSession } from '../lib/session.ts';
import { queryRows } from '../lib/duckdb.ts';
import { readCatalog } from '../lib/lake.ts';
import { eraseFromTables, STAGED_SUFFIX } from './erase-tables.ts';
import { tokenPattern } from './erase-rules.ts';

test('an id matches as a whole token only', () => {
  const re = new RegExp(tokenPattern('p.1'));
  assert.ok(re.test('p.1'));
  assert.ok(re.test('listeners: p.1, p.2'));
  assert.ok(re.test('raw/spotify/p.1/run'));
  assert.ok(!re.test('p.10'), 'a longer id is another listener');
  assert.ok(!re.test('xp.1'));
  assert.ok(!re.test('p-1'), 'the dot is literal');
});

async function append(s: LakeSession, rows: string): Promise<void> {
  const tx = s.begin();
  await tx.write({ layer: 'bronze', name: 'plays' }, { mode: 'append', sql: `select * from (values ${rows}) t(listener_id, n)` });
  await tx.commit();
}

test('every version is rewritten once per shared part; dry runs and leftovers change nothing', async (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  await withWriter(testConfig(dir), silentLogger, 'test', async (s) => {
    await append(s, "('a', 1), ('b', 2)");
    await append(s, "('a', 3)");
    await append(s, "('b', 4)");
    const v = (n: number) => join(dir, 'bronze', 'plays', `v00000${n}`);
    const part0 = (n: number) => join(v(n), readdirSync(v(n)).filter((f) => f.endsWith('.parquet')).sort()[0]);
    writeFileSync(join(v(1), `part-x.parquet${STAGED_SUFFIX}`), 'left over by a killed erasure');

    const preview = await eraseFromTables(s.conn, dir, 'a', { dryRun: true });
    assert.deepEqual(preview, [{ table: 'bronze.plays', versions: [1, 2, 3], rows_removed: 2, rows_removed_all_versions: 5, rows_scrubbed: 0 }]);
    assert.equal(readCatalog(dir).tables['bronze.plays'].rows, 4, 'the dry run changed nothing');

    const done = await eraseFromTables(s.conn, dir, 'a');
    assert.deepEqual(done, preview);
    for (const n of [1, 2, 3]) {
      assert.ok(!readdirSync(v(n)).some((f) => f.endsWith(STAGED_SUFFIX)), `v${n}: no staged file left`);
    }
    assert.equal(statSync(part0(1)).ino, statSync(part0(3)).ino, 'the rewritten first part is still shared');
    await s.refresh();
    assert.deepEqual(await queryRows(s.conn, 'select listener_id, n from bronze.plays order by n'), [{ listener_id: 'b', n: 2 }, { listener_id: 'b', n: 4 }]);
    assert.equal(readCatalog(dir).tables['bronze.plays'].rows, 2);
    assert.deepEqual(await eraseFromTables(s.conn, dir, 'a'), [], 'a second run finds nothing');
  });
});

test('an erasure interrupted between renames leaves every version readable and a second run completes it', async (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  await withWriter(testConfig(dir), silentLogger, 'test', async (s) => {
    await append(s, "('a', 1), ('b', 2)");
    await append(s, "('a', 3)");
    await append(s, "('b', 4)");
    let renames = 0;
    await assert.rejects(eraseFromTables(s.conn, dir, 'a', { onRename: () => { if (++renames === 2) throw new Error('killed'); } }), /killed/);
    const versions = [1, 2, 3].map((n) => join(dir, 'bronze', 'plays', `v00000${n}`, '*.parquet'));
    const left = [];
    for (const glob of versions) {
      const [r] = await queryRows<{ a: number; b: number }>(s.conn, `select count(*) filter (where listener_id = 'a')::integer as a, count(*) filter (where listener_id = 'b')::integer as b from read_parquet('${glob}')`);
      left.push(r.a);
      assert.ok(r.b >= 1, 'the other rows are readable in every version');
    }
    assert.ok(left.some((n) => n === 0) && left.some((n) => n > 0), `half done: ${left.join(', ')}`);

    const rest = await eraseFromTables(s.conn, dir, 'a');
    assert.ok(rest.length === 1 && rest[0].rows_removed_all_versions > 0);
    for (const glob of versions) {
      const rows = await queryRows<{ listener_id: string }>(s.conn, `select listener_id from read_parquet('${glob}')`);
      assert.ok(rows.every((r) => r.listener_id === 'b'));
    }
    for (const n of [1, 2, 3]) assert.ok(!readdirSync(join(dir, 'bronze', 'plays', `v00000${n}`)).some((f) => f.endsWith(STAGED_SUFFIX)));
    assert.equal(readCatalog(dir).tables['bronze.plays'].rows, 2);
  });
});
