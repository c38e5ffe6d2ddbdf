// The prediction tables written in groups of listeners hold exactly the rows of the whole statement.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tempDir, testConfig } from '../../test/helpers.ts';
import { silentLogger } from '../../lib/logger.ts';
import { withWriter } from '../../lib/session.ts';
import { queryRows } from '../../lib/duckdb.ts';
import type { BuildContext } from '../../lib/build-context.ts';
import { buildGold } from '../build.ts';
import { testCatalog, testEvents, seedLake } from './test-lake.ts';
import { eventSql } from './catalog-job.ts';
import { energyForecastSql } from './time-job.ts';
import { listenerParts, partWhere } from './listener-parts.ts';
import type { ListenerGroup } from '../../silver/listening_with_features.ts';

const catalog = testCatalog({ tracks: 300, seed: 'parts-test' });
const events = [...testEvents('a', 220, catalog, 1), ...testEvents('b', 180, catalog, 2), ...testEvents('c', 150, catalog, 3)];

test('groups of listeners: in listener order, never splitting one, and their rows together are the whole statement\'s', async () => {
  const { dir, cleanup } = tempDir();
  try {
    await withWriter({ ...testConfig(dir), trainCap: 150 }, silentLogger, 'test', async (s) => {
      await seedLake(s, catalog, events);
      await buildGold(s, { category: 'predictive' });
      // The job's temp relations (vectors, time models, baselines) are still in the session.
      const ctx = { conn: s.conn, tx: { remote: null, scope: null } } as unknown as BuildContext;
      const parts = await listenerParts(ctx, 300);
      const groups = [];
      for (const p of parts) groups.push((await queryRows<{ l: string }>(s.conn, `select distinct listener_id as l from silver.listening_with_features${partWhere(p)} order by 1`)).map((r) => r.l));
      const listeners = (await queryRows<{ l: string }>(s.conn, 'select distinct listener_id as l from silver.listening_with_features order by 1')).map((r) => r.l);
      assert.equal(groups.length, 3, 'each listener has more than half of 300 plays: one group each');
      assert.deepEqual(groups.flat(), listeners, 'every listener once, in order');
      const whole = [
        eventSql('valence as actual_valence', 'predicted_valence', undefined, 'valence_forest'),
        energyForecastSql(),
      ];
      const byPart = [
        (p: ListenerGroup) => eventSql('valence as actual_valence', 'predicted_valence', undefined, 'valence_forest', p),
        (p: ListenerGroup) => energyForecastSql(p),
      ];
      for (const [i, sql] of whole.entries()) {
        const union = parts.map((p) => `(${byPart[i](p)})`).join(' union all ');
        const [d] = await queryRows<{ a: number; b: number; n: number }>(s.conn, `select
          (select count(*) from ((${sql}) except all (${union})))::integer as a,
          (select count(*) from ((${union}) except all (${sql})))::integer as b,
          (select count(*) from (${union}))::integer as n`);
        assert.deepEqual(d, { a: 0, b: 0, n: events.length }, `statement ${i}: the groups' rows are the whole statement's`);
      }
      assert.deepEqual(await listenerParts(ctx, 10_000), [], 'everything fits: written whole');
    });
  } finally {
    cleanup();
  }
});
