// Start-up stays cheap because the verb files load their heavy modules only when their action runs
// (cli/README.md "Start-up"): `--version`, `--help`, a verb's help, a usage error and `tables` load no
// database, no Trino or Spotify client, no charting and no terminal spinner; a call naming a verb loads
// only that verb's files (cli/main.ts verbFiles). Checked on real child processes of bin/lakehouse.js,
// with test/module-log.mjs listing every module they load.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Command } from 'commander';
import { repoRoot, tempDir } from '../test/helpers.ts';
import { buildProgram } from './main.ts';
// @ts-expect-error: a plain ES module without type declarations
import { VENDORED } from '../scripts/build-dist.mjs';

/** dist/vendor/<file> is the bundle of a package (scripts/build-dist.mjs): counted as that package. */
const vendorFiles = new Map(Object.entries(VENDORED as Record<string, { file: string }>).map(([name, v]) => [v.file, name]));

function packageOf(url: string): string | undefined {
  const pkg = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1];
  if (pkg) return pkg;
  const vendored = /\/dist\/vendor\/([^/]+)$/.exec(url)?.[1];
  return vendored === undefined ? undefined : vendorFiles.get(vendored);
}

/** Packages that cost start-up time and that only some verbs need. */
const HEAVY = [
  '@duckdb/node-api', '@duckdb/node-bindings', 'trino-client', '@spotify/web-api-ts-sdk', 'vega', 'vega-lite', 'ora',
  'yaml', 'node-schedule', 'ml-random-forest', 'ml-kmeans', 'ml-regression', 'ml-cart', 'yauzl', 'csv-parse', 'seedrandom', 'cli-progress',
];

function loadedPackages(args: string[], dataDir: string, log: string): { status: number | null; stderr: string; packages: Set<string>; verbFiles: Set<string> } {
  const r = spawnSync(process.execPath, ['--import', join(repoRoot, 'test', 'module-log.mjs'), join(repoRoot, 'bin', 'lakehouse.js'), ...args], {
    cwd: repoRoot, encoding: 'utf8',
    env: { ...process.env, MODULE_LOG: log, LAKEHOUSE_DATA_DIR: dataDir, DUCKDB_THREADS: '1', LOG_LEVEL: 'warn' },
  });
  const urls = readFileSync(log, 'utf8').split('\n').filter(Boolean);
  const packages = new Set(urls.map(packageOf).filter((p): p is string => !!p));
  const verbFiles = new Set(urls.map((u) => /\/cli\/commands\/([^/]+)\.[jt]s$/.exec(u)?.[1]).filter((f): f is string => !!f));
  return { status: r.status, stderr: r.stderr, packages, verbFiles };
}

test('--version, --help, a verb\'s help, usage errors and `tables` load none of the heavy packages', () => {
  const { dir, cleanup } = tempDir();
  try {
    const calls: { args: string[]; status: number }[] = [
      { args: ['--version'], status: 0 },
      { args: ['--help'], status: 0 },
      { args: ['query', '--help'], status: 0 },
      { args: ['ingest', 'export', '--help'], status: 0 },
      { args: ['query'], status: 2 },
      { args: ['no-such-verb'], status: 2 },
      // The catalog is JSON: listing tables needs no database.
      { args: ['tables', '--json'], status: 0 },
    ];
    for (const [i, c] of calls.entries()) {
      const r = loadedPackages(c.args, dir, join(dir, `modules-${i}.log`));
      assert.equal(r.status, c.status, `lakehouse ${c.args.join(' ')}: ${r.stderr}`);
      assert.ok(r.packages.has('commander'), `lakehouse ${c.args.join(' ')}: the module log sees packages`);
      assert.deepEqual(HEAVY.filter((p) => r.packages.has(p)), [], `lakehouse ${c.args.join(' ')} loaded heavy packages`);
    }
  } finally {
    cleanup();
  }
});

test('a small query loads DuckDB (also through require) and nothing another verb needs', () => {
  const { dir, cleanup } = tempDir();
  try {
    const r = loadedPackages(['query', '--json', 'select 42 as n'], dir, join(dir, 'modules.log'));
    assert.equal(r.status, 0, r.stderr);
    assert.ok(r.packages.has('@duckdb/node-api'), 'the module log sees the DuckDB binding');
    assert.deepEqual(HEAVY.filter((p) => r.packages.has(p) && !p.startsWith('@duckdb/')), []);
    // The query logs nothing, so its logger is never created (cli/app.ts), and no other verb is loaded.
    assert.ok(!r.packages.has('pino'), 'a query loads no logger');
    assert.deepEqual([...r.verbFiles], ['query']);
  } finally {
    cleanup();
  }
});

test('every verb file registers only the verb it is named after, so a call loads just that verb\'s files', async () => {
  const dir = join(repoRoot, 'cli', 'commands');
  const files = readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
  for (const f of files) {
    const program = new Command('lakehouse');
    const mod = (await import(pathToFileURL(join(dir, f)).href)) as { register?: (p: Command) => void };
    mod.register?.(program);
    const stem = f.replace(/\.ts$/, '');
    for (const c of program.commands) assert.ok(stem === c.name() || stem.startsWith(`${c.name()}-`), `${f} registers the verb ${c.name()}`);
  }
  // And the verb as built alone is the verb as built with all the others: same subcommands and options.
  const shape = (c: Command): unknown => ({ name: c.name(), options: c.options.map((o) => o.flags), args: c.registeredArguments.map((a) => a.name()), sub: c.commands.map(shape) });
  const all = await buildProgram();
  assert.ok(all.commands.length >= 15, `found only ${all.commands.length} verbs`);
  for (const verb of all.commands) {
    const alone = await buildProgram(['node', 'lakehouse', verb.name()]);
    assert.deepEqual(alone.commands.map((c) => c.name()), [verb.name()], `lakehouse ${verb.name()} loads only its own files`);
    assert.deepEqual(shape(alone.commands[0]), shape(verb), verb.name());
  }
});
