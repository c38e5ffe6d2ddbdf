// The compiled CLI (scripts/build-dist.mjs) must behave like the sources: find its verbs and the
// table declarations by listing its own folders, run a build end to end, and be used by
// bin/lakehouse.js only while no source changed since it was built.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { historyDir, kaggleSample, repoRoot, tempDir } from '../test/helpers.ts';
// @ts-expect-error: a plain ES module without type declarations
import { buildDist, isDistCurrent } from './build-dist.mjs';

test('the compiled dist/ finds its verbs and the gold declarations, builds silver and gold, and is stale once a source changes', { timeout: 300_000 }, async () => {
  // Inside the repository, so that its imports of packages resolve to node_modules like dist/'s.
  const out = join(repoRoot, `.dist-test-${process.pid}`);
  const { dir, cleanup } = tempDir();
  try {
    const built = await buildDist(repoRoot, out) as { files: number };
    assert.ok(built.files > 100);
    const rusage = join(dir, 'rusage.jsonl');
    const cli = (...args: string[]) => spawnSync(process.execPath, ['--input-type=module', '-e', `const { run } = await import(${JSON.stringify(join(out, 'cli', 'main.js'))}); await run();`, 'lakehouse', ...args],
      { encoding: 'utf8', env: { ...process.env, LOG_LEVEL: 'warn', DUCKDB_THREADS: '1', LAKEHOUSE_RUSAGE_FILE: rusage } });

    const help = cli('--help');
    assert.equal(help.status, 0, help.stderr);
    for (const verb of ['auth', 'build', 'ingest', 'listeners', 'publish', 'query', 'run', 'runs', 'schedule', 'status', 'tables']) assert.match(help.stdout, new RegExp(`\\n  ${verb}\\b`), verb);
    const lake = join(dir, 'lake');
    for (const args of [
      ['ingest', 'kaggle', kaggleSample],
      ['ingest', 'export', join(historyDir, 'Khushi-203006__Spotify_Data_Analysis_Project', 'Streaming_History_Audio_2023.json'), '--listener', 'p1'],
      ['build', 'silver'],
      ['build', 'gold', '--category', 'descriptive'],
    ]) {
      const r = cli(...args, '--data-dir', lake);
      assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
    }
    const tables = cli('tables', '--json', '--layer', 'gold', '--data-dir', lake);
    const gold = (JSON.parse(tables.stdout) as { table: string; rows: number }[]).map((t) => t.table).sort();
    assert.ok(gold.includes('temporal_trends') && gold.length >= 5, gold.join(', '));
    const lines = readFileSync(rusage, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { compiled: boolean });
    assert.ok(lines.every((l) => l.compiled === true), 'every call ran the compiled modules');

    assert.equal(isDistCurrent(repoRoot, out), true);
    const source = join(repoRoot, 'cli', 'output.ts');
    const { atime, mtime } = statSync(source);
    try {
      utimesSync(source, atime, new Date(Date.now() + 60_000));
      assert.equal(isDistCurrent(repoRoot, out), false, 'a source saved after the build makes it stale');
    } finally {
      utimesSync(source, atime, mtime);
    }
    assert.equal(isDistCurrent(repoRoot, out), true);
    // dist/vendor/ copies packages: a changed package-lock.json makes it stale as well.
    const lock = join(repoRoot, 'package-lock.json');
    const lockTimes = statSync(lock);
    try {
      utimesSync(lock, lockTimes.atime, new Date(Date.now() + 60_000));
      assert.equal(isDistCurrent(repoRoot, out), false, 'a package-lock.json changed after the build makes it stale');
    } finally {
      utimesSync(lock, lockTimes.atime, lockTimes.mtime);
    }
    assert.equal(isDistCurrent(repoRoot, out), true);
  } finally {
    rmSync(out, { recursive: true, force: true });
    cleanup();
  }
});
