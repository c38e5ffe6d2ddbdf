import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatStartup, measureStartup } from './startup.ts';
import { tempDir } from '../test/helpers.ts';

test('start-up figures: process CPU of --version and of a small query, from the CLI child processes', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const figs = await measureStartup(dir, 1, 'select 42 as n');
    assert.deepEqual(figs.map((f) => f.command), ['lakehouse --version', 'lakehouse query "select 42 as n"']);
    for (const f of figs) {
      assert.ok(f.cpu_ms_median !== null && f.cpu_ms_median > 0, JSON.stringify(f));
      assert.deepEqual(f.cpu_ms, [f.cpu_ms_median]);
      assert.ok(f.wall_ms_median !== null && f.wall_ms_median > 0);
      assert.equal(typeof f.compiled, 'boolean');
    }
    assert.match(formatStartup(figs), /start-up: lakehouse --version: \d+ ms CPU/);
  } finally {
    cleanup();
  }
});
