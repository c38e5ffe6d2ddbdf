// An erasure killed at any rename (a rewritten part, a _meta.json, the catalog) or after the files
// are removed converges when run again: every catalog and _meta.json row count equals the rows in
// the files, the listener is gone from every file and version, and the audit row is written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, tempDir, testConfig } from '../test/helpers.ts';
import { silentLogger } from '../lib/logger.ts';
import { withReader, withWriter, type LakeSession } from '../lib/session.ts';
import { queryRows, quoteLiteral, withDuckDB, type DuckDBConnection } from '../lib/duckdb.ts';
import { listVersions, readCatalog, tableDir, versionDirName } from '../lib/lake.ts';
import { ensureListeners, writeListeners } from '../bronze/listener-registry.ts';
import type { Config } from '../lib/config.ts';
import { eraseListener } from './erase.ts';
import { isDataPart, tablesOnDisk, STAGED_SUFFIX } from './erase-tables.ts';
import { RECOUNT_FILE } from './erase-journal.ts';
import { ERASURE_MARKER_FILE } from '../lib/erasure-marker.ts';
import { findResidue, findUnusedKeys } from './residue.ts';

const GONE = 'gone-k7m2';
const KEPT = 'kept-p9x4';

async function write(s: LakeSession, table: string, sql: string, mode: 'append' | 'replace'): Promise<void> {
  const [layer, name] = table.split('.') as ['bronze' | 'silver' | 'ops', string];
  const tx = s.begin();
  await tx.write({ layer, name }, { mode, sql });
  await tx.commit();
}

/** Several tables and versions (appended versions share hard-linked parts), ops free text, personal files. */
async function buildLake(dir: string): Promise<void> {
  await withWriter(testConfig(dir), silentLogger, 'test', async (s) => {
    const tx = s.begin();
    await writeListeners(s.context(tx), [GONE, KEPT].map((id) => ({ listener_id: id, display_label: null, timezone: 'UTC', created_at: '2026-01-01 00:00:00', consent_recorded_at: null, status: 'active', timezone_source: null })));
    await tx.commit();
    const plays = (rows: [string, string, number][]) => `select * from (values ${rows.map(([l, t, n]) => `('${l}', '${t}', 'artist', 'title', ${n})`).join(', ')}) t(listener_id, track_id, artist_name, track_name, n)`;
    await write(s, 'bronze.listening_history', plays([[GONE, 't1', 1], [KEPT, 't2', 2], [GONE, 't3', 3]]), 'append');
    await write(s, 'bronze.listening_history', plays([[GONE, 't4', 4]]), 'append');
    await write(s, 'bronze.listening_history', plays([[KEPT, 't1', 5], [GONE, 't5', 6]]), 'append');
    const keys = (ks: string[]) => `select * from (values ${ks.map((k) => `('${k}', 0.5)`).join(', ')}) t(feature_key, energy)`;
    await write(s, 'bronze.track_features_synthetic', keys(['t1', 't2', 't3']), 'append');
    await write(s, 'bronze.track_features_synthetic', keys(['t4', 't5']), 'append');
    for (const g of [1, 2]) await write(s, 'silver.events', `select (case when range % 3 = 0 then '${GONE}' else '${KEPT}' end) as listener_id, range + ${g} as n from range(90)`, 'replace');
    await write(s, 'ops.notes', `select * from (values (null, 'imported ${GONE} and ${KEPT}'), ('${KEPT}', 'fine')) t(listener_id, note)`, 'replace');
  });
  for (const rel of [`inbox/${GONE}/Streaming_History_Audio_2030.json`, `raw/spotify/${GONE}/run-1/recently-played-0001.json`]) {
    mkdirSync(join(dir, rel, '..'), { recursive: true });
    writeFileSync(join(dir, rel), '[]');
  }
}

async function countParts(conn: DuckDBConnection, dir: string): Promise<number> {
  if (!readdirSync(dir).some(isDataPart)) return 0;
  const [{ n }] = await queryRows<{ n: number }>(conn, `select count(*)::double as n from read_parquet(${quoteLiteral(join(dir, '*.parquet'))})`);
  return Number(n);
}

/** "layer.table@version: recorded != actual" for every count that disagrees with the files. */
async function staleCounts(conn: DuckDBConnection, dataDir: string): Promise<string[]> {
  const out: string[] = [];
  const catalog = readCatalog(dataDir).tables;
  for (const { layer, table } of tablesOnDisk(dataDir)) {
    for (const v of listVersions(dataDir, layer, table)) {
      const dir = join(tableDir(dataDir, layer, table), versionDirName(v));
      const actual = await countParts(conn, dir);
      const meta = JSON.parse(readFileSync(join(dir, '_meta.json'), 'utf8')) as { rows: number };
      if (meta.rows !== actual) out.push(`${layer}.${table}@${v} _meta.json: ${meta.rows} != ${actual}`);
      const cat = catalog[`${layer}.${table}`];
      if (cat?.version === v && cat.rows !== actual) out.push(`${layer}.${table}@${v} catalog: ${cat.rows} != ${actual}`);
    }
  }
  return out;
}

async function assertConverged(conn: DuckDBConnection, dataDir: string, label: string): Promise<void> {
  assert.deepEqual(await staleCounts(conn, dataDir), [], `${label}: row counts match the files`);
  assert.deepEqual(await findResidue(conn, dataDir, GONE, (rel) => rel.startsWith('ops/erasures')), [], `${label}: the listener is gone everywhere`);
  assert.deepEqual(await findUnusedKeys(conn, dataDir), [], `${label}: no track key only they played`);
  assert.equal(existsSync(join(dataDir, ERASURE_MARKER_FILE)) || existsSync(join(dataDir, RECOUNT_FILE)), false, `${label}: no journal left`);
  for (const { layer, table } of tablesOnDisk(dataDir)) {
    for (const v of listVersions(dataDir, layer, table)) {
      assert.ok(!readdirSync(join(tableDir(dataDir, layer, table), versionDirName(v))).some((f) => f.endsWith(STAGED_SUFFIX)), `${label}: no staged part`);
    }
  }
  await withReader(testConfig(dataDir), silentLogger, async (s) => {
    const audit = await queryRows<{ listener_id: string }>(s.conn, 'select listener_id from ops.erasures');
    assert.ok(audit.length >= 1 && audit.every((r) => r.listener_id === GONE), `${label}: audit row written`);
    const [kept] = await queryRows<{ plays: number; events: number; keys: string }>(s.conn, `select (select count(*) from bronze.listening_history)::integer as plays, (select count(*) from silver.events)::integer as events,
      (select string_agg(feature_key, ',' order by feature_key) from bronze.track_features_synthetic) as keys`);
    assert.deepEqual(kept, { plays: 2, events: 60, keys: 't1,t2' }, `${label}: the other listener's rows are all there`);
  });
}

/** Until the interrupted erasure is completed, nothing is imported for the listener and nobody else is erased. */
async function assertImportsWait(config: Config): Promise<void> {
  await withWriter(config, silentLogger, 'test', async (s) => {
    const tx = s.begin();
    await assert.rejects(ensureListeners(s.context(tx), [{ id: GONE }]), new RegExp(`listener ${GONE}: their erasure started at .* was interrupted; nothing is imported`));
    await ensureListeners(s.context(tx), [{ id: KEPT }]);
    tx.abort();
  });
  await assert.rejects(eraseListener(config, silentLogger, KEPT), new RegExp(`the erasure of ${GONE} started at .* was interrupted; complete it first`));
}

function copyLake(from: string, to: string): void {
  execFileSync('cp', ['-a', from, to]); // -a keeps the hard links between versions
}

test('an erasure crashed at every rename point converges on a re-run: counts equal the files, the listener is gone', async (t) => {
  const { dir: root, cleanup } = tempDir();
  t.after(cleanup);
  const pristine = join(root, 'pristine');
  mkdirSync(pristine);
  await buildLake(pristine);

  const points: string[] = [];
  const probe = join(root, 'probe');
  copyLake(pristine, probe);
  await eraseListener(testConfig(probe), silentLogger, GONE, { crashPoint: (where) => void points.push(where) });
  assert.ok(points.length >= 10 && points.some((p) => p.endsWith('_catalog.json')) && points.includes('files removed'), points.join('\n'));
  t.diagnostic(`${points.length} crash points: ${points.filter((p) => p.endsWith('.parquet')).length} parts, ${points.filter((p) => p.endsWith('_meta.json')).length} _meta.json, ${points.filter((p) => p.endsWith('_catalog.json')).length} catalog, 1 file removal`);

  await withDuckDB({}, async (conn) => {
    await assertConverged(conn, probe, 'uninterrupted');
    let staleSeen = 0;
    for (let k = 1; k <= points.length; k++) {
      const lake = join(root, `crash-${k}`);
      copyLake(pristine, lake);
      const config = testConfig(lake);
      let seen = 0;
      await assert.rejects(eraseListener(config, silentLogger, GONE, { crashPoint: () => { if (++seen === k) throw new Error(`crash after ${points[k - 1]}`); } }), /crash after/);
      if ((await staleCounts(conn, lake)).length > 0) staleSeen++;
      if (k === Math.ceil(points.length / 2)) await assertImportsWait(config);
      await eraseListener(config, silentLogger, GONE);
      await assertConverged(conn, lake, `crash at point ${k} (${points[k - 1]})`);
    }
    assert.ok(staleSeen > 0, 'some crash points leave stale counts that only the re-run repairs');
  });
});

function runChild(dataDir: string, killAt: number): Promise<{ signal: NodeJS.Signals | null; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'test', 'erase-kill-child.ts'), dataDir, GONE, String(killAt)], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.on('error', reject);
    child.on('close', (_code, signal) => resolve({ signal, stdout }));
  });
}

test('SIGKILL between a table\'s renames and its catalog update: the next erasure takes over the lock and repairs the count', async (t) => {
  const { dir: root, cleanup } = tempDir();
  t.after(cleanup);
  const pristine = join(root, 'pristine');
  mkdirSync(pristine);
  await buildLake(pristine);
  const points: string[] = [];
  const probe = join(root, 'probe');
  copyLake(pristine, probe);
  await eraseListener(testConfig(probe), silentLogger, GONE, { crashPoint: (where) => void points.push(where) });
  // The last rename before the first catalog update, and the moment the files are gone but no audit row exists.
  const beforeCatalog = points.findIndex((p) => p.endsWith('_catalog.json'));
  await withDuckDB({}, async (conn) => {
    for (const killAt of [beforeCatalog, points.indexOf('files removed') + 1]) {
      const lake = join(root, `kill-${killAt}`);
      copyLake(pristine, lake);
      const killed = await runChild(lake, killAt);
      assert.equal(killed.signal, 'SIGKILL', killed.stdout);
      if (killAt === beforeCatalog) assert.ok((await staleCounts(conn, lake)).length > 0, 'the kill left a stale count');
      await eraseListener(testConfig(lake), silentLogger, GONE);
      await assertConverged(conn, lake, `SIGKILL at point ${killAt}`);
    }
  });
});
