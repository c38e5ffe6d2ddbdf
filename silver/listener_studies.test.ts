// silver.listener_studies: built from the registry in the silver stage, exactly two columns, old
// registries (no study_id column) read as 'default', and erasing a listener removes their row.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { historyDir, tempDir, testConfig } from '../test/helpers.ts';
import { silentLogger } from '../lib/logger.ts';
import { withReader, withWriter, type LakeSession } from '../lib/session.ts';
import { queryRows } from '../lib/duckdb.ts';
import { readCatalog } from '../lib/lake.ts';
import { ingestExportStage, silverStage } from '../pipeline/stages.ts';
import { addListener, updateListener } from '../participants/registry.ts';
import { eraseListener } from '../participants/erase.ts';
import { exportListener } from '../participants/export.ts';
import { readFileSync } from 'node:fs';
import { readListeners, registryHasStudyColumn } from '../bronze/listener-registry.ts';
import listeners from '../bronze/listeners.ts';

const smallExport = join(historyDir, 'Efrrowini__spotify-music-analysis', 'Streaming_History_Audio_2022.json');

async function inTx(s: LakeSession, fn: (ctx: ReturnType<LakeSession['context']>) => Promise<unknown>): Promise<void> {
  const tx = s.begin();
  try {
    await fn(s.context(tx));
    await tx.commit();
  } catch (err) {
    await tx.abort();
    throw err;
  }
}

const studies = (s: { conn: LakeSession['conn'] }) =>
  queryRows<{ listener_id: string; study_id: string }>(s.conn, 'select listener_id, study_id from silver.listener_studies order by listener_id');

test('silver.listener_studies holds every registered listener with their study; moving and erasing a listener follow', async (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const config = testConfig(dir);
  await withWriter(config, silentLogger, 'test', async (s) => {
    await inTx(s, (ctx) => addListener(ctx, { id: 'a1', study: 'pilot' }));
    await inTx(s, (ctx) => addListener(ctx, { id: 'a2' }));
    await inTx(s, (ctx) => addListener(ctx, { id: 'a3', study: 'main-2026' }));
    await ingestExportStage(s, [smallExport], 'a1');
    await ingestExportStage(s, [smallExport], 'a2');
    await inTx(s, (ctx) => updateListener(ctx, 'a3', { status: 'paused' }));
    await silverStage(s);
    const columns = await queryRows<{ column_name: string; column_type: string }>(s.conn, 'describe silver.listener_studies');
    assert.deepEqual(columns.map((c) => [c.column_name, c.column_type]), [['listener_id', 'VARCHAR'], ['study_id', 'VARCHAR']]);
    assert.deepEqual(await studies(s), [
      { listener_id: 'a1', study_id: 'pilot' }, { listener_id: 'a2', study_id: 'default' }, { listener_id: 'a3', study_id: 'main-2026' },
    ], 'a registered listener without plays (a3, paused) is listed too');
    assert.deepEqual(readCatalog(dir).tables['silver.listener_studies'].inputs.map((i) => i.table), ['bronze.listeners'], 'lineage');

    await inTx(s, (ctx) => updateListener(ctx, 'a2', { study: 'pilot' }));
    await silverStage(s);
    assert.deepEqual((await studies(s)).map((r) => r.study_id), ['pilot', 'pilot', 'main-2026'], 'listeners set --study reaches silver with the next build');
  });

  const out = tempDir();
  t.after(out.cleanup);
  const exported = await exportListener(config, silentLogger, 'a1', join(out.dir, 'export-a1'));
  assert.deepEqual(exported.tables.filter((x) => x.table === 'silver.listener_studies').map((x) => x.rows), [1], 'listeners export includes the study row');
  assert.match(readFileSync(join(out.dir, 'export-a1', 'bronze.listeners.csv'), 'utf8'), /study_id[\s\S]*pilot/);
  const erased = await eraseListener(config, silentLogger, 'a1');
  assert.ok(erased.tables.some((x) => x.table === 'silver.listener_studies' && x.rows_removed === 1), 'the erasure names the study row it removed');
  await withReader(config, silentLogger, async (s) => {
    assert.deepEqual((await studies(s)).map((r) => r.listener_id), ['a2', 'a3'], 'the erased listener has no row left');
  });
});

test('a registry written before studies reads as study default, and its next write adds the column', async (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const legacy = { ...listeners, columns: listeners.columns.filter((c) => c.name !== 'study_id') };
  await withWriter(testConfig(dir), silentLogger, 'test', async (s) => {
    await inTx(s, (ctx) => ctx.tx.write(legacy, {
      sql: `select * from (values ('old1', null::varchar, 'UTC', timestamp '2025-01-01 00:00:00', null::timestamp, 'active', 'given')) t(${legacy.columns.map((c) => c.name).join(', ')})`,
      orderBy: 'listener_id',
    }));
    assert.equal(await registryHasStudyColumn(s.conn), false, 'the old version has no study_id column');
    await ingestExportStage(s, [smallExport], 'old1');
    assert.equal(await registryHasStudyColumn(s.conn), false, 'importing for a known listener does not rewrite the registry');
    await silverStage(s);
    assert.deepEqual(await studies(s), [{ listener_id: 'old1', study_id: 'default' }]);
    assert.deepEqual((await readListeners(s.conn)).map((r) => [r.listener_id, r.study_id]), [['old1', 'default']]);

    await inTx(s, (ctx) => addListener(ctx, { id: 'new1', study: 'pilot' }));
    assert.equal(await registryHasStudyColumn(s.conn), true);
    assert.deepEqual(await queryRows(s.conn, 'select listener_id, study_id from bronze.listeners order by 1'),
      [{ listener_id: 'new1', study_id: 'pilot' }, { listener_id: 'old1', study_id: 'default' }]);
  });
});
