import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot, runCli, tempDir, testConfig } from '../../test/helpers.ts';
import { silentLogger } from '../../lib/logger.ts';
import { withWriter } from '../../lib/session.ts';
import { readCatalog } from '../../lib/lake.ts';
import { writeSilverEvents } from '../../gold/shared/fixture-runner.ts';
import { sampleEvents } from '../../gold/shared/sample-events.ts';

async function seedSilver(dataDir: string): Promise<void> {
  await withWriter(testConfig(dataDir), silentLogger, 'seed', async (s) => {
    await writeSilverEvents(s, sampleEvents('a', 30, 3));
  });
}

test('build gold --table prints the published table as JSON and publishes only it', async () => {
  const { dir, cleanup } = tempDir();
  try {
    await seedSilver(dir);
    // runCli swaps the CLI's output sinks; patching process.stdout would corrupt node:test's own reporting.
    const { code, stdout: out } = await runCli(['--data-dir', dir, '--json', '-q', 'build', 'gold', '--table', 'weekend_vs_weekday']);
    assert.equal(code, 0);
    const rows = JSON.parse(out) as { table: string; rows: number; version: number }[];
    assert.deepEqual(rows.map((r) => [r.table, r.version]), [['gold.weekend_vs_weekday', 1]]);
    assert.ok(rows[0].rows > 0);
    assert.deepEqual(Object.keys(readCatalog(dir).tables).filter((t) => t.startsWith('gold.')), ['gold.weekend_vs_weekday']);
  } finally {
    cleanup();
  }
});

test('build gold with an unknown category exits 2 and lists the valid ones (child process)', () => {
  const { dir, cleanup } = tempDir();
  try {
    const res = spawnSync(process.execPath, [join(repoRoot, 'bin', 'lakehouse.js'), '--data-dir', dir, 'build', 'gold', '--category', 'nope'], { encoding: 'utf8' });
    assert.equal(res.status, 2);
    assert.match(res.stderr, /--category nope: unknown gold category; valid: .*descriptive, diagnostic/);
    assert.equal(res.stdout, '');
  } finally {
    cleanup();
  }
});
