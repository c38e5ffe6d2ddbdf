#!/usr/bin/env node
// Compiles the TypeScript the `lakehouse` binary runs into dist/ (one .js file per .ts file, same
// folder tree, relative `.ts` imports rewritten to `.js`), so a CLI call does not pay tsx's
// transpiling at start-up. Run by `npm ci`/`npm install` (the `prepare` script) and `npm run build`.
// The code finds verbs and table declarations by listing its own folders, which works in dist/ too
// because the tree is kept. bin/lakehouse.js uses dist/ only while it is current (see isDistCurrent)
// and falls back to the TypeScript sources through tsx otherwise.
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync, copyFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
/** The folders the CLI loads at run time (tests, bench and operator scripts run through tsx). */
export const SOURCE_ROOTS = ['lib', 'cli', 'ingestion', 'bronze', 'silver', 'gold', 'pipeline', 'ops', 'participants'];
const SKIP_DIRS = new Set(['node_modules', 'data', '.git', 'dist']);
const isTestOnly = (name) => name.endsWith('.test.ts') || name === 'test-support.ts' || name === 'test-lake.ts';

/** Every runtime source file (.ts to compile, .mjs to copy) under the source roots, relative to the repo. */
export function sourceFiles(repo = root) {
  const out = [];
  const walk = (dir) => {
    let entries;
    // Entry types from the listing itself: a stat per entry doubled the cost of isDistCurrent, which
    // every CLI call runs (a symbolic link, which a listing does not resolve, is still stat-ed).
    try { entries = readdirSync(join(repo, dir), { withFileTypes: true }); } catch { return; }
    for (const entry of entries) {
      const name = entry.name;
      if (SKIP_DIRS.has(name) || name.startsWith('.')) continue;
      const rel = join(dir, name);
      const isDir = entry.isSymbolicLink() ? statSync(join(repo, rel)).isDirectory() : entry.isDirectory();
      if (isDir) walk(rel);
      else if ((name.endsWith('.ts') && !name.endsWith('.d.ts') && !isTestOnly(name)) || name.endsWith('.mjs')) out.push(rel);
    }
  };
  SOURCE_ROOTS.forEach(walk);
  return out.sort();
}

/**
 * Packages whose JavaScript dist/ carries bundled into one file each, under dist/vendor/: Node loads
 * a package of many small modules file by file (zod: about 110 ES modules, 70 ms of CPU per CLI call;
 * the DuckDB binding's JavaScript: about 180 CommonJS files, 75 ms; commander: 9 files, 15 ms), and
 * one file of the same code costs about half. Only pure JavaScript that every call of a common verb loads is worth it; the
 * DuckDB binding's native part (@duckdb/node-bindings) stays a package. `format` follows how the code
 * loads the package: an ES import (rewritten below to the bundle's path) or require (lib/duckdb.ts).
 */
export const VENDORED = {
  zod: { file: 'zod.mjs', format: 'esm' },
  // CommonJS with an ES entry (esm.mjs); its require of Node's own modules needs a require in scope.
  commander: { file: 'commander.mjs', format: 'esm', needsRequire: true },
  '@duckdb/node-api': { file: 'duckdb-node-api.cjs', format: 'cjs', external: ['@duckdb/node-bindings'] },
};

/**
 * Relative imports of our own .ts files stay separate modules, renamed to .js; imports of a vendored
 * package point at its bundle, relative to the importing file's place in dist/.
 */
const rewriteImports = (repo) => ({
  name: 'rewrite-imports',
  setup(build) {
    build.onResolve({ filter: /^\.\.?\// }, (args) => {
      if (args.kind === 'entry-point') return undefined;
      return { path: args.path.replace(/\.ts$/, '.js'), external: true };
    });
    const names = Object.keys(VENDORED).map((n) => n.replace(/[/.@-]/g, '\\$&'));
    build.onResolve({ filter: new RegExp(`^(${names.join('|')})$`) }, (args) => {
      const fromDir = dirname(relative(repo, args.importer));
      const target = relative(fromDir, join('vendor', VENDORED[args.path].file)).split(sep).join('/');
      return { path: target.startsWith('.') ? target : `./${target}`, external: true };
    });
  },
});

/** One bundle per vendored package: its whole public API, for import (esm) or require (cjs). */
async function buildVendored(build, repo, outDir) {
  for (const [name, v] of Object.entries(VENDORED)) {
    await build({
      stdin: { contents: v.format === 'esm' ? `export * from '${name}';` : `module.exports = require('${name}');`, resolveDir: repo, loader: 'js' },
      outfile: join(outDir, 'vendor', v.file),
      bundle: true,
      platform: 'node',
      format: v.format,
      target: 'node20',
      external: v.external ?? [],
      banner: v.needsRequire ? { js: "import { createRequire as __createRequire } from 'node:module';\nconst require = __createRequire(import.meta.url);" } : undefined,
      logLevel: 'warning',
    });
  }
}

/**
 * True when `dist` was built from the sources as they are now (same files, none modified since) and
 * from the packages as they are now: dist/vendor/ holds copies of some, so a package-lock.json changed
 * since the build makes dist stale too (`npm ci`/`npm install` rebuild it through `prepare`).
 */
export function isDistCurrent(repo = root, dist = join(repo, 'dist')) {
  let info;
  try {
    info = JSON.parse(readFileSync(join(dist, 'build-info.json'), 'utf8'));
  } catch {
    return false;
  }
  const lock = statSync(join(repo, 'package-lock.json'), { throwIfNoEntry: false });
  if (lock && lock.mtimeMs > info.built_ms) return false;
  const files = sourceFiles(repo);
  return files.length === info.files && files.every((f) => statSync(join(repo, f)).mtimeMs <= info.built_ms);
}

export async function buildDist(repo = root, dist = join(repo, 'dist')) {
  if (!existsSync(join(repo, 'cli', 'main.ts'))) {
    // npm ci in a Docker dependency layer runs before the sources are copied in: nothing to build yet.
    console.error('build-dist: no sources (cli/main.ts missing), skipped');
    return null;
  }
  const { build } = await import('esbuild');
  const started = Date.now();
  const files = sourceFiles(repo);
  const staging = join(dirname(dist), `.dist-tmp-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  await build({
    absWorkingDir: repo,
    entryPoints: files.filter((f) => f.endsWith('.ts')),
    outdir: staging,
    outbase: '.',
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: 'linked',
    logLevel: 'warning',
    plugins: [rewriteImports(repo)],
  });
  await buildVendored(build, repo, staging);
  for (const f of files.filter((x) => x.endsWith('.mjs'))) {
    mkdirSync(dirname(join(staging, f)), { recursive: true });
    copyFileSync(join(repo, f), join(staging, f));
  }
  writeFileSync(join(staging, 'package.json'), '{ "type": "module" }\n');
  // The build time is taken before compiling: a source saved during the build makes dist stale.
  writeFileSync(join(staging, 'build-info.json'), `${JSON.stringify({ built_at: new Date(started).toISOString(), built_ms: started, files: files.length }, null, 2)}\n`);
  rmSync(dist, { recursive: true, force: true });
  renameSync(staging, dist);
  return { files: files.length, ms: Date.now() - started, dir: relative(process.cwd(), dist) || '.' };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const r = await buildDist();
  if (r) console.error(`build-dist: ${r.files} files compiled into ${r.dir} in ${r.ms} ms`);
}
