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
import { findUnusedKeys } from './residue.ts';

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
    assert.deepEqual(preview, [{ table: 'bronze.plays', versions: [1, 2, 3], rows_removed: 2, rows_removed_all_versions: 5, rows_scrubbed: 0, unused_keys_removed: 0, listener_found: true }]);
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

test('track rows only the erased listener played go from every version; the residue scan finds such rows', async (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  await withWriter(testConfig(dir), silentLogger, 'test', async (s) => {
    const write = async (name: string, sql: string) => {
      const tx = s.begin();
      await tx.write({ layer: 'bronze', name }, { mode: 'append', sql });
      await tx.commit();
    };
    const history = (rows: string) => `select * from (values ${rows}) t(listener_id, track_id, artist_name, track_name)`;
    await write('listening_history', history("('a', 't1', 'A', 'One'), ('b', 't2', 'B', 'Two'), ('a', null, 'Solo', 'Song')"));
    await write('listening_history', history("('a', 't2', 'B', 'Two'), ('b', null, 'Both', 'Hit'), ('a', null, 'Both', 'Hit')"));
    await write('track_features_synthetic', "select * from (values ('t1', 0.1), ('solo — song', 0.2)) t(feature_key, energy)");
    await write('track_features_synthetic', "select * from (values ('t2', 0.3), ('both — hit', 0.4)) t(feature_key, energy)");
    await write('track_metadata_api', "select * from (values ('t1', 'a/run-1/rp.json'), ('t2', 'b/run-1/rp.json')) t(track_id, source_file)");
    await write('track_features_api', "select * from (values ('t1', 0.5), ('t2', 0.6)) t(track_id, energy)");
    assert.deepEqual(await findUnusedKeys(s.conn, dir), [], 'every key is played by someone');

    const preview = await eraseFromTables(s.conn, dir, 'a', { dryRun: true });
    const synth = preview.find((e) => e.table === 'bronze.track_features_synthetic');
    assert.deepEqual(synth && [synth.versions, synth.unused_keys_removed, synth.rows_removed_all_versions, synth.listener_found], [[1, 2], 2, 4, false], 'keys of a are in both versions (v2 shares v1\'s part)');
    await eraseFromTables(s.conn, dir, 'a');
    await s.refresh();
    assert.deepEqual(await queryRows(s.conn, 'select feature_key from bronze.track_features_synthetic order by 1'), [{ feature_key: 'both — hit' }, { feature_key: 't2' }]);
    const v1 = join(dir, 'bronze', 'track_features_synthetic', 'v000001', '*.parquet');
    assert.deepEqual(await queryRows(s.conn, `select count(*)::integer as n from read_parquet('${v1}')`), [{ n: 0 }], 'the older version lost them too');
    assert.deepEqual(await queryRows(s.conn, 'select track_id, source_file from bronze.track_metadata_api'), [{ track_id: 't2', source_file: 'b/run-1/rp.json' }]);
    assert.deepEqual(await queryRows(s.conn, 'select track_id from bronze.track_features_api'), [{ track_id: 't2' }]);
    assert.deepEqual(await findUnusedKeys(s.conn, dir), []);

    // A row nobody plays (left by an erasure before this rule existed) is reported, and the next erasure of someone removes it.
    await write('track_features_synthetic', "select * from (values ('orphan — key', 0.9)) t(feature_key, energy)");
    const residue = await findUnusedKeys(s.conn, dir);
    assert.deepEqual(residue.map((r) => [r.path.split('/').slice(0, 3).join('/'), r.where, r.rows]), [['bronze/track_features_synthetic/v000003', 'unused_keys', 1]]);
    assert.deepEqual(await eraseFromTables(s.conn, dir, 'b-nobody'), [], 'an id stored nowhere changes nothing by default');
    assert.equal((await findUnusedKeys(s.conn, dir)).length, 1);
    const pruned = await eraseFromTables(s.conn, dir, 'b-nobody', { pruneUnusedKeys: true });
    assert.deepEqual(pruned.map((e) => [e.table, e.unused_keys_removed, e.listener_found]), [['bronze.track_features_synthetic', 1, false]]);
    assert.deepEqual(await findUnusedKeys(s.conn, dir), []);
  });
});
