// optimal_listening_times reads the predictive tables. Building it (or its category) on a lake where
// they were never built is refused by the runner before any SQL runs, naming the table and the
// missing input, and publishes nothing of that run; `lakehouse run` builds the predictive tables first.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tempDir, testConfig } from '../../test/helpers.ts';
import { silentLogger } from '../../lib/logger.ts';
import { withWriter } from '../../lib/session.ts';
import { readCatalog } from '../../lib/lake.ts';
import { StageError } from '../../lib/errors.ts';
import { buildGold, loadGoldTables, selectGoldTables } from '../build.ts';
import { writeSilverEvents } from '../shared/fixture-runner.ts';
import { sampleEvents } from '../shared/sample-events.ts';

test('the predictive tables are built before optimal_listening_times in a full gold run', async () => {
  const order = selectGoldTables(await loadGoldTables(), {}).map((t) => t.name);
  for (const input of ['mood_predictions', 'energy_forecasts']) {
    assert.ok(order.indexOf(input) >= 0 && order.indexOf(input) < order.indexOf('optimal_listening_times'), `${input} first`);
  }
});

test('without the predictive tables, building the prescriptive category fails naming the missing input and publishes nothing', async () => {
  const { dir, cleanup } = tempDir();
  try {
    await withWriter(testConfig(dir), silentLogger, 'test', async (s) => {
      await writeSilverEvents(s, sampleEvents('a', 20, 1));
      await assert.rejects(buildGold(s, { category: 'prescriptive' }), (err: Error) =>
        err instanceof StageError && /gold\.optimal_listening_times/.test(err.message) && /gold\.mood_predictions has not been built/.test(err.message));
    });
    assert.deepEqual(Object.keys(readCatalog(dir).tables).filter((t) => t.startsWith('gold.')), []);
  } finally {
    cleanup();
  }
});
