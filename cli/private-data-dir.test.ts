// The lake holds personal listening data: a data dir created by the CLI is 0700 with files 0600,
// whatever the caller's umask, and token files stay 0600.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { historyDir, runCliChild, tempDir } from '../test/helpers.ts';

function walk(dir: string): string[] {
  return [dir, ...readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : [p];
  })];
}

test('a data dir created by the CLI is 0700 with every file 0600', async (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  process.umask(0o022); // the usual default: without the CLI's own umask everything would be world-readable
  const lake = join(dir, 'new', 'lake');
  const file = join(historyDir, 'Efrrowini__spotify-music-analysis', 'Streaming_History_Audio_2022.json');
  const r = await runCliChild(['ingest', 'export', file, '--listener', 'p1', '--timezone', 'UTC', '--data-dir', lake]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(statSync(lake).mode & 0o777, 0o700);
  const entries = walk(lake);
  assert.ok(entries.some((p) => p.endsWith('.parquet')), 'the import wrote table files');
  for (const p of entries) {
    const st = statSync(p);
    assert.equal(st.mode & 0o077, 0, `${p} is accessible to others (mode ${(st.mode & 0o777).toString(8)})`);
    if (st.isFile()) assert.equal(st.mode & 0o777, 0o600, p);
  }
});
