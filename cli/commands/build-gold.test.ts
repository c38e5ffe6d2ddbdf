import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot, tempDir, testConfig } from '../../test/helpers.ts';
import { silentLogger } from '../../lib/logger.ts';
import { withWriter } from '../../lib/session.ts';
import { loadTables } from '../../lib/table-loader.ts';
import { readCatalog } from '../../lib/lake.ts';
import { typedRowsSql } from '../../gold/shared/fixture-runner.ts';
import { sampleEvents } from '../../gold/shared/sample-events.ts';
import { main } from '../main.ts';

async function seedSilver(dataDir: string): Promise<void> {
  const silver = (await loadTables(join(repoRoot, 'silver'))).find((t) => t.spec.name === 'listening_with_features')!.spec;
  await withWriter(testConfig(dataDir), silentLogger, 'seed', async (s) => {
    const tx = s.begin();
    const { sql, params } = typedRowsSql(silver, sampleEvents('a', 30, 3));
    await tx.write(silver, { sql, params });
    await tx.commit();
  });
}

async function captureStdout(fn: () => Promise<number>): Promise<{ code: number; out: string }> {
  const write = process.stdout.write.bind(process.stdout);
  let out = '';
  process.stdout.write = ((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  }) as typeof process.stdout.write;
  try {
    return { code: await fn(), out };
  } finally {
    process.stdout.write = write;
  }
}

test('build gold --table prints the published table as JSON and publishes only it', async () => {
  const { dir, cleanup } = tempDir();
  try {
    await seedSilver(dir);
    const { code, out } = await captureStdout(() => main(['node', 'lakehouse', '--data-dir', dir, '--json', '-q', 'build', 'gold', '--table', 'weekend_vs_weekday']));
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
