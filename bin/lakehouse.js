#!/usr/bin/env node
// The `lakehouse` binary. Runs the compiled JavaScript in dist/ (scripts/build-dist.mjs, built by
// `npm ci` through the `prepare` script) when it is current, so a call does not pay about a second
// of TypeScript transpiling; otherwise (a source file changed since the build, or no build) it runs
// the TypeScript sources through tsx's loader. LAKEHOUSE_NO_DIST=1 forces the sources.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

function distIsCurrent() {
  if (process.env.LAKEHOUSE_NO_DIST) return false;
  let info;
  try {
    info = JSON.parse(readFileSync(join(root, 'dist', 'build-info.json'), 'utf8'));
  } catch {
    return false;
  }
  // Lazily imported: listing ~200 files costs a few milliseconds, far less than transpiling them.
  return import('../scripts/build-dist.mjs').then(({ sourceFiles }) => {
    const files = sourceFiles(root);
    return files.length === info.files && files.every((f) => statSync(join(root, f)).mtimeMs <= info.built_ms);
  });
}

if (await distIsCurrent()) {
  const { run } = await import('../dist/cli/main.js');
  await run();
} else {
  const { register } = await import('tsx/esm/api');
  register();
  const { run } = await import('../cli/main.ts');
  await run();
}
