// Ctrl-C (SIGINT) during a writing verb other than `run`: the open writer is interrupted, nothing is
// published, staging and the lock are gone, exit code 130. (run's own path, recorded as aborted, is
// tested in a real terminal in tty.test.ts.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../test/helpers.ts';
import { demoLake, versionOf } from '../pipeline/test-support.ts';
import { LOCK_FILE } from '../lib/lock.ts';

test('SIGINT during build gold: exit 130, nothing published, no staging left, lock released', { timeout: 180_000 }, async () => {
  const { dir, cleanup } = await demoLake();
  try {
    const before = versionOf(dir, 'gold.mood_predictions');
    const child = spawn(process.execPath, [join(repoRoot, 'bin', 'lakehouse.js'), 'build', 'gold', '--category', 'predictive', '--data-dir', dir], {
      cwd: repoRoot, env: { ...process.env, LOG_LEVEL: 'info', DUCKDB_THREADS: '1' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    // Interrupt once the build is under way (it holds the lock and has started its first table).
    const until = Date.now() + 120_000;
    while (!(existsSync(join(dir, LOCK_FILE)) && /"table"|CV fold|catalog/.test(stderr))) {
      assert.ok(Date.now() < until, `the build did not start: ${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill('SIGINT');
    const code = await exited;
    assert.equal(code, 130, stderr.slice(-2000));
    assert.match(stderr, /interrupted by Ctrl-C \(SIGINT\)/);
    assert.equal(versionOf(dir, 'gold.mood_predictions'), before, 'nothing of the interrupted build was published');
    assert.equal(existsSync(join(dir, LOCK_FILE)), false, 'the lock is released');
    const staging = readdirSync(join(dir, 'gold')).flatMap((t) => readdirSync(join(dir, 'gold', t)).filter((e) => e.startsWith('.tmp-')));
    assert.deepEqual(staging, [], 'no staging folder is left');
  } finally {
    cleanup();
  }
});
