// The independent floor on a hand-made bronze: the same play from a poorer source within 5 s is
// dropped (and only then), podcasts are left out, local time follows the Amsterdam DST change, a gap
// over 30 minutes starts a session, and ties in played_at are ordered by file and row.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import { floorSql } from './engine-floor-sql.ts';

test('the independent floor drops the poorer duplicate within 5 s, localises and splits sessions', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'floor-'));
  const inst = await DuckDBInstance.create(':memory:');
  const c = await inst.connect();
  try {
    await c.run("set TimeZone = 'UTC'");
    const p = (n: string) => join(dir, `${n}.parquet`);
    await c.run(`copy (select 'l1' as listener_id, 'Europe/Amsterdam' as timezone) to '${p('listeners')}'`);
    await c.run(`copy (
      select 'l1' as listener_id, source, played_at::timestamp as played_at, started_at::timestamp as started_at, content_type,
        track_key, 1000::bigint as ms_played, source_file, source_row::bigint as source_row
      from (values
        ('export_extended', '2025-03-30 00:30:00', '2025-03-30 00:27:00', 'track', 'A', 'b.json', 1),
        ('spotify_api',     '2025-03-30 00:30:03', '2025-03-30 00:27:03', 'track', 'A', 'api', 1),
        ('spotify_api',     '2025-03-30 00:30:20', '2025-03-30 00:27:20', 'track', 'B', 'api', 2),
        ('export_extended', '2025-03-30 01:10:00', '2025-03-30 01:06:00', 'track', 'C', 'b.json', 3),
        ('export_extended', '2025-03-30 01:10:00', '2025-03-30 01:06:00', 'track', 'D', 'a.json', 9),
        ('export_extended', '2025-03-30 01:20:00', '2025-03-30 01:15:00', 'episode', 'ep', 'b.json', 4)
      ) t(source, played_at, started_at, content_type, track_key, source_file, source_row)) to '${p('history')}'`);
    await c.run(floorSql({ history: [p('history')], listeners: [p('listeners')] }, p('out')));
    const rows = (await c.runAndReadAll(`select track_key, source, strftime(played_at_local, '%H:%M:%S'), hour_of_day, play_seq, session_no::bigint
      from read_parquet('${p('out')}') order by play_seq`)).getRows();
    assert.deepEqual(rows, [
      ['A', 'export_extended', '01:30:00', 1n, 1n, 1n],
      ['B', 'spotify_api', '01:30:20', 1n, 2n, 1n],
      ['D', 'export_extended', '03:10:00', 3n, 3n, 2n],
      ['C', 'export_extended', '03:10:00', 3n, 4n, 2n],
    ], 'the API copy of A (3 s later) is dropped, B (20 s later) is not; CET before 02:00, CEST after; a.json before b.json at the same time');
  } finally {
    c.closeSync();
    inst.closeSync();
    rmSync(dir, { recursive: true, force: true });
  }
});
