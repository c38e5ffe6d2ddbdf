import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../test/helpers.ts';
import type { TableVersionMeta } from '../lake.ts';
import { PublishError, createPhysicalSql, createViewSql, physicalFromViewSql, planTable } from './publish-plan.ts';

function meta(overrides: Partial<TableVersionMeta> = {}): TableVersionMeta {
  return {
    layer: 'bronze', table: 'listeners', version: 7, path: join('bronze', 'listeners', 'v000007'), run_id: 'run-1', rows: 2,
    built_at: '2026-01-01T00:00:00.000Z', duration_ms: 1, description: "Listeners' time zones",
    columns: [
      { name: 'listener_id', type: 'VARCHAR', description: 'Who' },
      { name: 'display_label', type: 'VARCHAR', description: 'Personal label' },
      { name: 'created_at', type: 'TIMESTAMP', description: '' },
      { name: 'at_time', type: 'TIME', description: 'not publishable' },
    ],
    inputs: [], files: ['part-00000-run-1.parquet'], ...overrides,
  };
}

const cleanups: (() => void)[] = [];
after(() => cleanups.forEach((c) => c()));

function lake(): string {
  const { dir, cleanup } = tempDir();
  cleanups.push(cleanup);
  return dir;
}

function lakeWith(m: TableVersionMeta, files = m.files): string {
  const dir = lake();
  mkdirSync(join(dir, m.path), { recursive: true });
  for (const f of files) writeFileSync(join(dir, m.path, f), 'PAR1');
  return dir;
}

test('a plan leaves out unpublished and unreadable columns and names the version table after the version', () => {
  const m = meta();
  const plan = planTable(lakeWith(m), m);
  assert.deepEqual(plan.columns.map((c) => [c.name, c.trinoType]), [['listener_id', 'varchar'], ['created_at', 'timestamp(6)']]);
  assert.deepEqual(plan.skipped.map((s) => s.name), ['display_label', 'at_time']);
  assert.match(plan.physical, /^bronze__listeners__v000007_[0-9a-f]{8}$/);
  const ddl = createPhysicalSql(plan);
  assert.match(ddl, /external_location = 'local:\/\/\/bronze\/listeners\/v000007'/);
  assert.match(ddl, /comment 'Listeners'' time zones'/);
  assert.doesNotMatch(ddl, /display_label/);
  assert.equal(physicalFromViewSql(createViewSql(plan)), plan.physical);
  // Same version, different run (a rebuilt lake): a different version table.
  assert.notEqual(planTable(lakeWith(m), { ...m, run_id: 'run-2' }).physical, plan.physical);
});

test('a missing folder, a missing part or no columns fails the plan naming the table', () => {
  const m = meta();
  assert.throws(() => planTable(lake(), m), (e: unknown) => e instanceof PublishError && /bronze\.listeners: version folder .* is missing/.test(e.message));
  assert.throws(() => planTable(lakeWith(m, []), m), /bronze\.listeners: .* lacks Parquet part/);
  assert.throws(() => planTable(lakeWith(m), { ...m, columns: [] }), /bronze\.listeners: the catalog lists no columns/);
  assert.throws(() => planTable(lakeWith(m), { ...m, path: 'bronze/listeners/v000006' }), /not the folder of version 7/);
});
