// The Spark/ours silver check on hand-made Parquet: equal rows over the shared columns (silver's extra
// columns named, not compared), one changed value found by column, a duplicated row counted.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import { compareSparkSilver } from './spark-equal.ts';

const OURS = `select * from (values ('l1', 'e1', 7, 1::bigint), ('l1', 'e2', 8, 2::bigint), ('l2', 'e3', 23, 1::bigint))
  t(listener_id, event_id, hour_of_day, play_seq)`;

async function fixture(sparkSelect: string, ours = OURS): Promise<{ lake: string; sparkOut: string; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'spark-equal-'));
  const lake = join(dir, 'lake');
  const sparkOut = join(dir, 'spark');
  const version = 'silver/listening_with_features/v000001';
  mkdirSync(join(lake, version), { recursive: true });
  mkdirSync(join(sparkOut, 'listening_with_features'), { recursive: true });
  writeFileSync(join(lake, '_catalog.json'), JSON.stringify({ tables: { 'silver.listening_with_features': { path: version, files: ['part-0.parquet'] } } }));
  const inst = await DuckDBInstance.create(':memory:');
  const c = await inst.connect();
  try {
    await c.run(`copy (${ours}) to '${join(lake, version, 'part-0.parquet')}'`);
    await c.run(`copy (${sparkSelect}) to '${join(sparkOut, 'listening_with_features', 'part-00000.parquet')}'`);
  } finally {
    c.closeSync();
    inst.closeSync();
  }
  return { lake, sparkOut, dir };
}

async function check(sparkSelect: string, ours = OURS) {
  const f = await fixture(sparkSelect, ours);
  try {
    return await compareSparkSilver(f.lake, f.sparkOut);
  } finally {
    rmSync(f.dir, { recursive: true, force: true });
  }
}

test('equal over the shared columns; the columns Spark does not compute are named', async () => {
  const r = await check(`select listener_id, event_id, hour_of_day from (${OURS}) order by event_id desc`);
  assert.equal(r.matched, true);
  assert.deepEqual([r.rows_ours, r.rows_spark, r.rows_only_in_ours, r.rows_only_in_spark], [3, 3, 0, 0]);
  assert.equal(r.columns_compared, 3);
  assert.deepEqual(r.columns_only_in_ours, ['play_seq']);
  assert.equal(r.columns_differing_by_event, undefined);
});

test('a changed value is a row on each side, found by its column', async () => {
  const r = await check(`select listener_id, event_id, case when event_id = 'e2' then 9 else hour_of_day end as hour_of_day from (${OURS})`);
  assert.equal(r.matched, false);
  assert.deepEqual([r.rows_only_in_ours, r.rows_only_in_spark], [1, 1]);
  assert.deepEqual(r.columns_differing_by_event, { hour_of_day: 1 });
});

test('a duplicated row counts (EXCEPT ALL), and a differing type is reported', async () => {
  const r = await check(`select listener_id, event_id, hour_of_day::bigint as hour_of_day from (${OURS}) union all select 'l1', 'e1', 7`);
  assert.equal(r.matched, false);
  assert.deepEqual([r.rows_ours, r.rows_spark, r.rows_only_in_ours, r.rows_only_in_spark], [3, 4, 0, 1]);
  assert.equal(r.schema_equal, false);
});

test('session_position differences inside same-instant ties are counted apart', async () => {
  // e1 and e2 end at the same instant (a tie the two systems order differently); e4 differs outside a tie
  const ours = `select * from (values ('l1', 'e1', 's1', timestamp '2024-01-01 10:00:00', 1), ('l1', 'e2', 's1', timestamp '2024-01-01 10:00:00', 2),
    ('l1', 'e3', 's1', timestamp '2024-01-01 10:03:00', 3), ('l1', 'e4', 's1', timestamp '2024-01-01 10:06:00', 4)) t(listener_id, event_id, session_id, played_at, session_position)`;
  const spark = `select listener_id, event_id, session_id, played_at, case event_id when 'e1' then 2 when 'e2' then 1 when 'e4' then 5 else session_position end as session_position from (${ours})`;
  const r = await check(spark, ours);
  assert.deepEqual(r.columns_differing_by_event, { session_position: 3 });
  assert.equal(r.session_position_in_ties, 2);
});
