// A hard abort must stop publication even when it lands between two queries (interrupting none):
// the stage's transaction refuses to commit, and nothing of it reaches the catalog.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tempDir, testConfig } from '../test/helpers.ts';
import { silentLogger } from '../lib/logger.ts';
import { withWriter } from '../lib/session.ts';
import { readCatalog } from '../lib/lake.ts';
import { RunControl, RunInterruptedError } from './run-control.ts';
import { stage, type RunState } from './run-stages.ts';
import { inTransaction } from './stages.ts';

const spec = {
  layer: 'bronze' as const,
  name: 't',
  description: 'test table',
  grain: ['id'],
  columns: [{ name: 'id', type: 'INTEGER', description: 'key' }],
};

test('a stage aborted between its queries publishes nothing; the session commits again afterwards', async () => {
  const { dir, cleanup } = tempDir();
  try {
    await withWriter(testConfig(dir), silentLogger, 'test', async (session) => {
      const control = new RunControl();
      const state: RunState = {
        session, log: silentLogger, control, trigger: 'cli', started: new Date(), stages: [], durations: {}, checks: [],
        status: 'succeeded', failedStage: null, error: null, publishStatus: 'skipped', notes: {},
      };
      const attempt = stage(state, 'write t', () => inTransaction(session, 'write t', async (ctx) => {
        await ctx.tx.write(spec, { sql: 'select range::integer as id from range(3)' });
        control.abort('timeout', 'the time limit passed'); // no query is running now: nothing to interrupt
      }));
      await assert.rejects(attempt, (err: unknown) => err instanceof RunInterruptedError && /interrupted before publishing \(the time limit passed\)/.test(err.message));
      assert.equal(readCatalog(dir).tables['bronze.t'], undefined, 'the aborted stage published nothing');
      // Outside the pipeline's stages the session's transactions commit as before.
      await inTransaction(session, 'later', (ctx) => ctx.tx.write(spec, { sql: 'select range::integer as id from range(3)' }));
      assert.equal(readCatalog(dir).tables['bronze.t']?.rows, 3);
    });
  } finally {
    cleanup();
  }
});
