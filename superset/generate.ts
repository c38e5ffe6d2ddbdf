// Writes the Superset export bundle under superset/assets/ from the table declarations (datasets)
// and the dashboard files in superset/dashboards/ (one file per dashboard):
//   npx tsx superset/generate.ts          write the YAML files that changed
//   npx tsx superset/generate.ts --check  exit 1 when a committed file is out of date
//   npx tsx superset/generate.ts --out D  write into D instead (the native bootstrap does this)
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderAssets } from './lib/assets.ts';
import { ASSETS_DIR, loadDatasetSpecs } from './lib/datasets.ts';

/** Files under `out` whose text differs from the rendered bundle (written unless `check`). */
export async function generate(out: string, check: boolean): Promise<string[]> {
  const { files, skipped, fallbacks } = renderAssets(await loadDatasetSpecs(), out);
  for (const s of skipped) process.stderr.write(`superset assets: skipped ${s}\n`);
  for (const t of fallbacks) process.stderr.write(`superset assets: ${t} has no built-in chart yet; added a table of all its columns\n`);
  const outdated: string[] = [];
  for (const [rel, text] of files) {
    const path = join(out, rel);
    if (existsSync(path) && readFileSync(path, 'utf8') === text) continue;
    outdated.push(rel);
    if (check) { process.stderr.write(`superset assets: out of date ${rel}\n`); continue; }
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
    process.stderr.write(`superset assets: wrote ${rel}\n`);
  }
  return outdated;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const check = args.includes('--check');
  const outIndex = args.indexOf('--out');
  if (outIndex >= 0 && !args[outIndex + 1]) {
    process.stderr.write('usage: npx tsx superset/generate.ts [--check] [--out DIR]\n');
    process.exitCode = 2;
    return;
  }
  const out = outIndex >= 0 ? resolve(args[outIndex + 1]) : ASSETS_DIR;
  const outdated = await generate(out, check);
  if (check && outdated.length > 0) {
    process.stderr.write('superset assets: run `npx tsx superset/generate.ts` and commit the result\n');
    process.exitCode = 1;
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
