// The cluster job's choice depends on the plays, never on the listener's pseudonym: renaming a
// listener (which changes every event id, a hash of the listener id, and so the order of plays that
// share a played_at) gives the same k, scores and clusters.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { tempDir, testConfig } from '../../test/helpers.ts';
import { silentLogger } from '../../lib/logger.ts';
import { withWriter } from '../../lib/session.ts';
import { queryRows } from '../../lib/duckdb.ts';
import { buildGold } from '../build.ts';
import { writeSilverEvents, type Row } from '../shared/fixture-runner.ts';
import { sampleEvents } from '../shared/sample-events.ts';

/** 150 plays with minute-precision-like ties: every five consecutive plays share one played_at. */
function plays(listener: string): Row[] {
  return sampleEvents('x', 150, 7).map((e, i, all) => ({
    ...e, listener_id: listener, session_id: `${listener}-${String(e.session_id)}`,
    event_id: createHash('md5').update(`${listener}|${i}`).digest('hex').slice(0, 20),
    played_at: all[i - (i % 5)].played_at,
  }));
}

async function clusters(listener: string): Promise<{ selection: Row[]; clusters: Row[] }> {
  const { dir, cleanup } = tempDir();
  try {
    return await withWriter(testConfig(dir), silentLogger, 'test', async (s) => {
      await writeSilverEvents(s, plays(listener));
      await buildGold(s, { table: 'mood_state_clusters' });
      const strip = (rows: Row[]) => rows.map(({ listener_id: _l, ...r }) => r);
      return {
        selection: strip(await queryRows<Row>(s.conn, 'select * from gold.cluster_model_selection order by k')),
        clusters: strip(await queryRows<Row>(s.conn, 'select * from gold.mood_state_clusters order by cluster_id')),
      };
    });
  } finally {
    cleanup();
  }
}

test('renaming a listener gives the same k, scores, null reference and clusters', async () => {
  const a = await clusters('listener-a');
  const b = await clusters('pseudonym-9f2c');
  assert.ok(a.selection.length > 0 && a.clusters.length > 1);
  assert.deepEqual(b.selection, a.selection);
  assert.deepEqual(b.clusters, a.clusters);
});
