// Several listeners in one lake never mix: every gold table built with listeners a and b holds, for
// a, exactly the rows it holds when a is alone in the lake.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tempDir, testConfig } from '../test/helpers.ts';
import { silentLogger } from '../lib/logger.ts';
import { withWriter } from '../lib/session.ts';
import { queryRows } from '../lib/duckdb.ts';
import { buildGold, loadGoldTables } from './build.ts';
import { writeSilverEvents, type Row } from './shared/fixture-runner.ts';
import { sampleEvents } from './shared/sample-events.ts';

const goldTables = (await loadGoldTables()).filter((t) => ['descriptive', 'diagnostic'].includes(t.spec.category!)).map((t) => t.spec);

async function buildAll(events: Row[]): Promise<Map<string, Row[]>> {
  const { dir, cleanup } = tempDir();
  try {
    return await withWriter(testConfig(dir), silentLogger, 'test', async (s) => {
      await writeSilverEvents(s, events);
      for (const category of ['descriptive', 'diagnostic']) await buildGold(s, { category });
      const out = new Map<string, Row[]>();
      for (const spec of goldTables) {
        out.set(spec.name, await queryRows<Row>(s.conn, `select * from gold.${spec.name} order by ${spec.orderBy ?? 'all'}`));
      }
      return out;
    });
  } finally {
    cleanup();
  }
}

test('every descriptive and diagnostic table is per listener, and two listeners never mix', async () => {
  const a = sampleEvents('a', 60, 1);
  const b = sampleEvents('b', 60, 2);
  const together = await buildAll([...a, ...b]);
  const alone = await buildAll(a);
  assert.equal(goldTables.length, 11);
  for (const spec of goldTables) {
    assert.equal(spec.columns[0].name, 'listener_id', `${spec.name}: listener_id is the first column`);
    assert.equal(spec.grain[0], 'listener_id', `${spec.name}: listener_id is the first grain column`);
    const rows = together.get(spec.name)!;
    assert.deepEqual([...new Set(rows.map((r) => r.listener_id))].sort(), ['a', 'b'], `${spec.name}: both listeners have rows`);
    assert.deepEqual(rows.filter((r) => r.listener_id === 'a'), alone.get(spec.name), `${spec.name}: listener a is unaffected by b`);
  }
});
