// Erasure end to end on two real listeners: export one, erase them, then read back every file under
// the data dir (Parquet of every version, JSON, models, raw) and check that nothing of them is left
// except the audit row, and that the other listener's rows in every version are exactly as before.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir, testConfig } from '../test/helpers.ts';
import { silentLogger } from '../lib/logger.ts';
import { withDuckDB, queryRows, quoteLiteral } from '../lib/duckdb.ts';
import { readCatalog } from '../lib/lake.ts';
import { nameKeySql } from '../lib/name-key.ts';
import { withReader } from '../lib/session.ts';
import { eraseListener } from './erase.ts';
import { exportListener } from './export.ts';
import { findResidue } from './residue.ts';
import { GONE, KEPT, buildTwoListenerLake, keepLink, snapshot, type Snapshot } from './test-lake.ts';
import type { Config } from '../lib/config.ts';
import type { DuckDBConnection } from '../lib/duckdb.ts';

const history = (dataDir: string, v: number) => join(dataDir, 'bronze', 'listening_history', `v00000${v}`);
const firstPart = (dir: string) => join(dir, readdirSync(dir).filter((f) => f.endsWith('.parquet')).sort()[0]);

test('erasing a listener removes them from every version and file and leaves the other listener unchanged', async (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const config = testConfig(dir);
  await buildTwoListenerLake(config);

  await withDuckDB({}, async (conn) => {
    const before = await snapshot(conn, dir);
    assert.ok([...before.goneRows.values()].filter((n) => n > 0).length >= 6, 'the listener is in several tables and versions');
    const shared = firstPart(history(dir, 1));
    assert.equal(statSync(shared).ino, statSync(firstPart(history(dir, 2))).ino, 'version 2 shares version 1\'s part by a hard link');
    const outside = join(dir, '..', `${GONE}-outside-link-${process.pid}.parquet`);
    keepLink(shared, outside);
    t.after(() => rmSync(outside, { force: true }));
    const residueBefore = await findResidue(conn, dir, GONE);
    assert.ok(residueBefore.some((r) => r.where === 'rows') && residueBefore.some((r) => r.where === 'name') && residueBefore.some((r) => r.where === 'bytes'), 'the scan sees the listener before');

    const goneOnly = await keysPlayedOnlyBy(conn, dir, GONE);
    const fingerprint = (rows: string[] | undefined) => (rows ?? []).filter((r) => goneOnly.has(JSON.parse(r).feature_key)).length;
    const synthKeys = [...before.rows.keys()].filter((k) => k.startsWith('bronze.track_features_synthetic@'));
    assert.ok(synthKeys.length > 0 && synthKeys.every((k) => fingerprint(before.rows.get(k)) > 0), 'the synthetic features hold keys only the listener played');
    await checkExport(conn, config, before);
    const summary = await eraseListener(config, silentLogger, GONE);
    assert.deepEqual(summary.residue, []);
    assert.equal(summary.trino, 'not_configured');

    const residue = await findResidue(conn, dir, GONE);
    assert.deepEqual(residue.map((r) => r.path.split('/').slice(0, 2).join('/')).filter((p, i, a) => a.indexOf(p) === i), ['ops/erasures'], 'only the audit table names the listener');
    const after = await snapshot(conn, dir);
    assert.deepEqual([...after.rows.keys()].filter((k) => !k.startsWith('ops.erasures@')), [...before.rows.keys()], 'every version is still there');
    for (const [key, rows] of before.rows) {
      if (key.startsWith('ops.test_notes') || key.startsWith('ops.erasures')) continue;
      if (synthKeys.includes(key)) {
        // Keys only the erased listener played go (a listening fingerprint); every other key stays.
        assert.equal(fingerprint(after.rows.get(key)), 0, `${key}: no key only the erased listener played`);
        assert.deepEqual(after.rows.get(key), rows.filter((r) => !goneOnly.has(JSON.parse(r).feature_key)), `${key}: the other keys are unchanged`);
        continue;
      }
      assert.deepEqual(after.rows.get(key), rows, `${key}: the other rows are unchanged`);
      assert.equal(after.goneRows.get(key), 0, `${key}: no row of the erased listener`);
    }
    const notes = await queryRows<{ listener_id: string | null; note: string }>(conn, `select * from read_parquet(${quoteLiteral(join(dir, readCatalog(dir).tables['ops.test_notes'].path, '*.parquet'))}) order by note`);
    assert.deepEqual(notes, [{ listener_id: KEPT, note: `only ${KEPT}` }, { listener_id: null, note: `run imported erased, ${KEPT}` }]);

    // Shared parts were replaced, not rewritten in place: the outside link still holds the old rows.
    assert.equal(statSync(firstPart(history(dir, 1))).ino, statSync(firstPart(history(dir, 2))).ino, 'the two versions still share one part');
    assert.notEqual(statSync(firstPart(history(dir, 1))).ino, statSync(outside).ino);
    const [old] = await queryRows<{ n: number }>(conn, `select count(*)::integer as n from read_parquet(${quoteLiteral(outside)}) where listener_id = $id`, { id: GONE });
    assert.ok(old.n > 0, 'the inode that other links point to was left as it was');

    // Catalog and _meta.json row counts follow the rewrite.
    for (const meta of Object.values(readCatalog(dir).tables)) {
      const [{ n }] = await queryRows<{ n: number }>(conn, `select count(*)::double as n from read_parquet(${quoteLiteral(join(dir, meta.path, '*.parquet'))})`);
      assert.equal(meta.rows, Number(n), `${meta.layer}.${meta.table}: catalog row count`);
      assert.equal(JSON.parse(readFileSync(join(dir, meta.path, '_meta.json'), 'utf8')).rows, Number(n));
    }
  });

  for (const rel of [`inbox/${GONE}`, `processed/${GONE}`, `failed/${GONE}`, `raw/spotify/${GONE}`, `state/spotify/${GONE}.json`, `secrets/spotify/${GONE}.json`, `models/mood/${GONE}`, 'models/mood-pooled/v1', `_demo_input/exports/${GONE}`]) {
    assert.equal(existsSync(join(dir, rel)), false, `${rel} is gone`);
  }
  for (const rel of [`processed/${KEPT}/run-1/StreamingHistory_music_0.json`, 'models/catalog-energy/v1/meta.json']) {
    assert.equal(existsSync(join(dir, rel)), true, `${rel} is kept`);
  }
  assert.deepEqual(readdirSync(join(dir, '_tmp', 'duckdb')), []);

  await withReader(config, silentLogger, async (s) => {
    const [audit] = await queryRows<Record<string, unknown>>(s.conn, 'select * from ops.erasures');
    assert.equal(audit.listener_id, GONE);
    assert.ok(Number(audit.rows_removed) > 2000 && Number(audit.rows_removed_all_versions) > Number(audit.rows_removed));
    assert.equal(audit.files_removed, 10);
    assert.equal(audit.models_dropped, 3);
    const touched = JSON.parse(String(audit.tables_touched)) as Record<string, unknown>;
    assert.ok(['bronze.listeners', 'bronze.listening_history', 'silver.listening_with_features', 'gold.temporal_trends', 'ops.test_notes'].every((k) => k in touched));
    assert.doesNotMatch(JSON.stringify(audit), /Asia\/Kolkata|JUSTSUJAY|StreamingHistory/, 'no personal data in the audit row');
  });
  await assert.rejects(eraseListener(config, silentLogger, GONE), /nothing is stored about gone-q7x2v \(erased at/);
  const late = await exportListener(config, silentLogger, GONE, join(dir, 'late-export'));
  assert.deepEqual(late.tables.map((x) => [x.table, x.rows]), [['ops.erasures', 1]], 'after the erasure only the audit row is about them');
  await assert.rejects(exportListener(config, silentLogger, 'never-was-here', join(dir, 'x')), /nothing is stored about never-was-here/);
});

/** Track keys (track id, else name key, as silver joins them) of plays of `listener` that nobody else played. */
async function keysPlayedOnlyBy(conn: DuckDBConnection, dataDir: string, listener: string): Promise<Set<string>> {
  const rows = await queryRows<{ k: string }>(conn, `
    select k from (select listener_id, coalesce(track_id, ${nameKeySql('artist_name', 'track_name')}) as k
                   from read_parquet(${quoteLiteral(join(dataDir, 'bronze', 'listening_history', 'v*', '*.parquet'))}, union_by_name = true))
    where k is not null group by k having bool_and(listener_id = $id)`, { id: listener });
  return new Set(rows.map((r) => r.k));
}

/** The export holds exactly the listener's rows of every current table and their files, never tokens. */
async function checkExport(conn: DuckDBConnection, config: Config, before: Snapshot): Promise<void> {
  const out = join(config.dataDir, '..', `export-${GONE}-${process.pid}`);
  try {
    const result = await exportListener(config, silentLogger, GONE, out);
    const catalog = readCatalog(config.dataDir).tables;
    const expected = Object.values(catalog).map((m) => [`${m.layer}.${m.table}`, before.goneRows.get(`${m.layer}.${m.table}@${m.version}`) ?? 0] as const).filter(([, n]) => n > 0);
    assert.deepEqual(result.tables.map((x) => [x.table, x.rows]).sort(), [...expected].sort());
    for (const x of result.tables) {
      const [r] = await queryRows<{ n: number; mine: number }>(conn, `select count(*)::integer as n, count(*) filter (where listener_id = $id)::integer as mine from read_csv(${quoteLiteral(join(out, x.file))}, header = true, all_varchar = true)`, { id: GONE });
      assert.deepEqual([r.n, r.mine], [x.rows, x.rows], `${x.file}: only the listener's rows`);
      assert.doesNotMatch(readFileSync(join(out, x.file), 'utf8'), new RegExp(KEPT), `${x.file}: nothing of the other listener`);
    }
    const files = result.files.map((f) => f.from).sort();
    assert.deepEqual(files, [`_demo_input/exports/${GONE}`, `failed/${GONE}`, `inbox/${GONE}`, 'models/mood-pooled/v1', `models/mood/${GONE}`, `processed/${GONE}`, `raw/spotify/${GONE}`, `state/spotify/${GONE}.json`]);
    assert.equal(existsSync(join(out, 'files', 'secrets')), false, 'tokens are never exported');
    assert.equal(JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')).listener_id, GONE);
    await assert.rejects(exportListener(config, silentLogger, GONE, out), /not empty/);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
