// The prescriptive and cognitive tables on the demo lake: every table has rows for every demo
// listener and keeps its invariants. The predictive tables are built first, because
// optimal_listening_times reads them. (The real exports are checked in gold/pipeline.test.ts.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '../../lib/logger.ts';
import { withWriter } from '../../lib/session.ts';
import { queryRows } from '../../lib/duckdb.ts';
import { demoLake } from '../../pipeline/test-support.ts';
import { buildGold } from '../build.ts';
import { PART3_TABLES, part3Problems, rowsPerListener } from './part3-invariants.ts';

test('on the demo every prescriptive and cognitive table has rows for every listener and keeps its invariants', async () => {
  const { config, cleanup } = await demoLake();
  try {
    await withWriter(config, silentLogger, 'test', async (s) => {
      const built: string[] = [];
      // diagnostic: one invariant compares sequential_patterns with mood_shift_patterns
      for (const category of ['diagnostic', 'predictive', 'prescriptive', 'cognitive']) built.push(...(await buildGold(s, { category })).map((m) => m.table));
      assert.deepEqual(PART3_TABLES.filter((t) => !built.includes(t)), [], 'every part-3 table built');
      assert.deepEqual(await part3Problems(s.conn), []);
      const listeners = (await queryRows<{ l: string }>(s.conn, 'select distinct listener_id as l from silver.listening_with_features order by 1')).map((r) => r.l);
      assert.ok(listeners.length >= 3);
      for (const [table, counts] of await rowsPerListener(s.conn)) {
        assert.deepEqual(listeners.filter((l) => !counts.has(l)), [], `${table}: every demo listener has rows`);
      }
    });
  } finally {
    cleanup();
  }
});
