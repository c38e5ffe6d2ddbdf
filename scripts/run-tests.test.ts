import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, tempDir } from '../test/helpers.ts';

test('npm test in a clone without ../shared/data names what is missing and where the tests expect it', () => {
  const { dir, cleanup } = tempDir();
  try {
    const clone = join(dir, 'clone');
    mkdirSync(join(clone, 'scripts'), { recursive: true });
    copyFileSync(join(repoRoot, 'scripts', 'run-tests.mjs'), join(clone, 'scripts', 'run-tests.mjs'));
    const r = spawnSync(process.execPath, [join(clone, 'scripts', 'run-tests.mjs')], { encoding: 'utf8', env: { ...process.env, LAKEHOUSE_SKIP_DATA_CHECK: '' } });
    assert.equal(r.status, 1);
    assert.match(r.stderr, new RegExp(`Tests expect it in ${join(dir, 'shared', 'data').replace(/[/.-]/g, '\\$&')}`));
    assert.match(r.stderr, /shared\/data\/kaggle\/Nima-ml__spotify-song-clustering\/dataset_sample\.csv/);
    assert.match(r.stderr, /shared\/data\/history/);
    assert.doesNotMatch(r.stderr, /ENOENT/);
  } finally {
    cleanup();
  }
});
