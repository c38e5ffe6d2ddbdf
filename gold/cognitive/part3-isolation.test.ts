// The cognitive tables and the prescriptive tables built from silver are per listener: a listener's
// rows are the same with and without another listener in the lake, and the same on every build
// (the clustering is seeded).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tempDir, testConfig } from '../../test/helpers.ts';
import { silentLogger } from '../../lib/logger.ts';
import { withWriter } from '../../lib/session.ts';
import { queryRows } from '../../lib/duckdb.ts';
import { buildGold } from '../build.ts';
import { writeSilverEvents, type Row } from '../shared/fixture-runner.ts';
import { sampleEvents } from '../shared/sample-events.ts';
import { PART3_TABLES } from './part3-invariants.ts';

const tables = PART3_TABLES.filter((t) => t !== 'optimal_listening_times');

async function buildAll(events: Row[]): Promise<Map<string, Row[]>> {
  const { dir, cleanup } = tempDir();
  try {
    return await withWriter(testConfig(dir), silentLogger, 'test', async (s) => {
      await writeSilverEvents(s, events);
      await buildGold(s, { category: 'cognitive' });
      for (const table of tables.filter((t) => t.startsWith('mood_i') || t.startsWith('personalized'))) await buildGold(s, { table });
      const out = new Map<string, Row[]>();
      for (const table of tables) out.set(table, await queryRows<Row>(s.conn, `select * from gold.${table} order by all`));
      return out;
    });
  } finally {
    cleanup();
  }
}

/** Sample plays plus a planted outlier (15 alike plays, spread 0.05, and one far off after them at 03:00), so that every table has rows. */
function events(listener: string, seed: number): Row[] {
  const rows = sampleEvents(listener, 80, seed);
  const base = { ...rows[0], hour_of_day: 3, feature_source: 'kaggle', feature_match: 'track_id', session_id: `${listener}-planted` };
  const planted = Array.from({ length: 16 }, (_, i) => ({
    ...base, event_id: `${listener}-p${i}`, session_position: i + 1, valence: i === 15 ? 1 : i % 2 === 0 ? 0.45 : 0.55, energy: 0.5,
    played_at: `2023-06-${String(i + 1).padStart(2, '0')} 03:30:00`,
  }));
  return [...rows, ...planted];
}

test('prescriptive and cognitive tables are per listener and the same on every build', async () => {
  const a = events('a', 1);
  const b = events('b', 2);
  const together = await buildAll([...a, ...b]);
  const alone = await buildAll(a);
  const again = await buildAll(a);
  for (const table of tables) {
    const rows = together.get(table)!;
    assert.ok(rows.some((r) => r.listener_id === 'b'), `${table}: listener b has rows`);
    assert.deepEqual(rows.filter((r) => r.listener_id === 'a'), alone.get(table), `${table}: listener a is unaffected by b`);
    assert.deepEqual(again.get(table), alone.get(table), `${table}: same rows on a second build`);
  }
});
