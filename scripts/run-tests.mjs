#!/usr/bin/env node
// Finds every *.test.ts under the project folders and runs them with node's test runner (Node 20
// has no glob support in `node --test`). `--stack` runs the *.stack.test.ts files instead (they need
// the Trino/Superset started by scripts/test-stack.sh). Other arguments filter by path substring.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const roots = ['lib', 'cli', 'ingestion', 'bronze', 'silver', 'gold', 'pipeline', 'ops', 'participants', 'scripts', 'bench', 'test', 'reports', 'superset'];
const skip = new Set(['node_modules', 'data', '.git']);
const args = process.argv.slice(2);
const stack = args.includes('--stack');
const filters = args.filter((a) => !a.startsWith('--'));
const passthrough = args.filter((a) => a.startsWith('--') && a !== '--stack');

function walk(dir, out) {
  let entries;
  try { entries = readdirSync(dir); } catch { return out; }
  for (const name of entries) {
    if (skip.has(name)) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (stack ? name.endsWith('.stack.test.ts') : name.endsWith('.test.ts') && !name.endsWith('.stack.test.ts')) out.push(p);
  }
  return out;
}

/**
 * The tests read the real data next to the repository (test/helpers.ts: sharedData); a clone without
 * it gets one message saying what is missing and where, instead of a wall of ENOENT failures.
 */
const SHARED_DATA_PARTS = ['kaggle/Nima-ml__spotify-song-clustering/dataset_sample.csv', 'history', 'spotify-api'];

function missingSharedData(repo = root) {
  const dir = resolve(repo, '..', 'shared', 'data');
  return { dir, missing: SHARED_DATA_PARTS.filter((p) => !existsSync(join(dir, p))) };
}

const shared = missingSharedData();
if (shared.missing.length > 0 && !process.env.LAKEHOUSE_SKIP_DATA_CHECK) {
  console.error(`npm test: the real test data is missing.
  Tests expect it in ${shared.dir}
  (that is ../shared/data next to this checkout, ${root.replace(/\/$/, '')}); missing there:
${shared.missing.map((p) => `    ${join(shared.dir, p)}`).join('\n')}
  Put the shared data set there (a folder or a symlink: ln -s /path/to/shared-data ${shared.dir});
  it is never copied into the repository. LAKEHOUSE_SKIP_DATA_CHECK=1 runs the tests anyway.`);
  process.exit(1);
}

const files = roots.flatMap((r) => walk(join(root, r), []))
  .map((f) => relative(root, f))
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort();
if (files.length === 0) {
  console.error(stack ? 'no stack test files found' : 'no test files matched');
  process.exit(stack ? 0 : 1);
}
const res = spawnSync(process.execPath, ['--import', 'tsx', '--test', stack ? '--test-concurrency=1' : '--test-concurrency=2', ...passthrough, ...files], {
  cwd: root, stdio: 'inherit', env: { ...process.env, TZ: 'UTC' },
});
process.exit(res.status ?? 1);
