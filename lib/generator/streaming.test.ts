// Generation streams to disk: a child process with a 20 MB old-space heap writes far more than that.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { tempDir } from './test-helpers.ts';

const dir = tempDir('gen-stream');
after(() => rmSync(dir, { recursive: true, force: true }));

function totalBytes(d: string): number {
  return readdirSync(d, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile()).reduce((s, e) => s + statSync(join(e.parentPath, e.name)).size, 0);
}

test('a full-size catalog and many listeners fit in a 20 MB heap', () => {
  const here = new URL('.', import.meta.url).pathname;
  const script = `
    import { generateCatalog } from '${join(here, 'catalog.ts')}';
    import { generateHistories } from '${join(here, 'histories.ts')}';
    await generateCatalog({ file: '${join(dir, 'full.csv')}', rows: 114000, seed: 's' });
    await generateCatalog({ file: '${join(dir, 'small.csv')}', rows: 1500, seed: 's' });
    await generateHistories({ dir: '${join(dir, 'h')}', listeners: 8, eventsPerListener: 2500, seed: 's',
      catalog: '${join(dir, 'small.csv')}', formats: ['extended'] });`;
  const res = spawnSync(process.execPath, ['--max-old-space-size=20', '--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(res.status, 0, res.stderr);
  assert.ok(statSync(join(dir, 'full.csv')).size > 18_000_000);
  assert.ok(totalBytes(join(dir, 'h')) > 15_000_000, 'histories larger than the heap');
});
