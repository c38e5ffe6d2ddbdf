// The folder tree is the architecture (STYLE.md): imports point inward, CLI -> layers -> lib. Checked
// on the files themselves: every relative import (static, dynamic, `export … from`) of a runtime
// module is resolved and its folder compared. Tests are left out: they may wire layers together.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { repoRoot } from './helpers.ts';

const LAYERS = ['ingestion', 'bronze', 'silver', 'gold', 'pipeline', 'ops', 'participants', 'reports'];

function runtimeFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(repoRoot, dir))) {
    const rel = join(dir, name);
    if (statSync(join(repoRoot, rel)).isDirectory()) out.push(...runtimeFiles(rel));
    else if (/\.(ts|mjs)$/.test(name) && !/\.test\.ts$|\.d\.ts$/.test(name)) out.push(rel);
  }
  return out;
}

/** The repo-relative paths a file imports relatively (packages and node: builtins are not ours). */
export function relativeImports(file: string, source: string): string[] {
  const specs = [
    ...source.matchAll(/^\s*(?:import|export)\b[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]/gm),
    ...source.matchAll(/^\s*import\s*['"]([^'"]+)['"]/gm),
    ...source.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g),
  ].map((m) => m[1]!);
  return specs.filter((s) => s.startsWith('.')).map((s) => relative(repoRoot, resolve(repoRoot, dirname(file), s)));
}

const topFolder = (path: string) => path.split(/[\\/]/)[0]!;

function violations(folders: string[], allowed: (target: string) => boolean): string[] {
  const found: string[] = [];
  for (const file of folders.flatMap(runtimeFiles)) {
    for (const target of relativeImports(file, readFileSync(join(repoRoot, file), 'utf8'))) {
      if (!allowed(topFolder(target))) found.push(`${file} imports ${target}`);
    }
  }
  return found;
}

test('the import scanner sees static, type-only, re-exported and dynamic imports', () => {
  const src = [
    "import { a } from '../ingestion/x.ts';",
    "import type { B } from \"../../gold/y.ts\";",
    "export { c } from './z.ts';",
    "import './side-effect.ts';",
    "const m = await import('../pipeline/w.ts');",
    "import { pino } from 'pino';",
  ].join('\n');
  assert.deepEqual(relativeImports('lib/sub/file.ts', src), ['lib/ingestion/x.ts', 'gold/y.ts', 'lib/sub/z.ts', 'lib/sub/side-effect.ts', 'lib/pipeline/w.ts']);
  assert.deepEqual(relativeImports('lib/file.ts', "import { a } from '../ingestion/x.ts';"), ['ingestion/x.ts']);
});

test('lib/ imports nothing outside lib/ (no layer, no CLI): shared code stays source-neutral', () => {
  assert.deepEqual(violations(['lib'], (top) => top === 'lib'), []);
});

test('no layer imports the CLI', () => {
  assert.deepEqual(violations(LAYERS, (top) => top !== 'cli'), []);
});
