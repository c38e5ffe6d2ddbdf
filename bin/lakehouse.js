#!/usr/bin/env node
// The `lakehouse` binary. Runs the compiled JavaScript in dist/ (scripts/build-dist.mjs, built by
// `npm ci` through the `prepare` script) when it is current, so a call does not pay about a second
// of TypeScript transpiling; otherwise (a source file changed since the build, or no build) it runs
// the TypeScript sources through tsx's loader. LAKEHOUSE_NO_DIST=1 forces the sources.
import { existsSync } from 'node:fs';

const distIsCurrent = async () =>
  !process.env.LAKEHOUSE_NO_DIST && existsSync(new URL('../dist/build-info.json', import.meta.url))
  // Lazily imported: listing ~200 files costs a few milliseconds, far less than transpiling them.
  && (await import('../scripts/build-dist.mjs')).isDistCurrent();

if (await distIsCurrent()) {
  const { run } = await import('../dist/cli/main.js');
  await run();
} else {
  const { register } = await import('tsx/esm/api');
  register();
  const { run } = await import('../cli/main.ts');
  await run();
}
