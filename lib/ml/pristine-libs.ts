// The UNPATCHED ml-cart and ml-random-forest, for equivalence tests: a copy of node_modules' patched
// packages with patches/*.patch reverse-applied, cached under node_modules/.cache (keyed by the
// patch contents), so it needs no network and nothing unpatched is vendored in the repository.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const PACKAGES = [['ml-cart', 'ml-cart+2.1.1.patch'], ['ml-random-forest', 'ml-random-forest+2.1.0.patch']] as const;

function buildPristine(target: string): void {
  const staging = `${target}.tmp-${process.pid}-${Date.now()}`;
  for (const [pkg, patchFile] of PACKAGES) {
    const dir = path.join(staging, 'node_modules', pkg);
    mkdirSync(path.dirname(dir), { recursive: true });
    cpSync(path.join(repoRoot, 'node_modules', pkg), dir, { recursive: true });
    // paths in the patch are a/node_modules/<pkg>/<file>: strip three components
    execFileSync('patch', ['-R', '-p3', '-s', '-d', dir, '-i', path.join(repoRoot, 'patches', patchFile)], { stdio: ['ignore', 'ignore', 'pipe'] });
  }
  try {
    renameSync(staging, target);
  } catch (err) {
    rmSync(staging, { recursive: true, force: true });
    if (!existsSync(target)) throw err; // another test process won the race otherwise
  }
}

/** Directory whose node_modules holds the unpatched packages (built on first use). */
export function pristineDir(): string {
  const hash = createHash('sha256');
  for (const [, patchFile] of PACKAGES) hash.update(readFileSync(path.join(repoRoot, 'patches', patchFile)));
  const target = path.join(repoRoot, 'node_modules', '.cache', 'lakehouse-ml-pristine', hash.digest('hex').slice(0, 16));
  if (!existsSync(target)) buildPristine(target);
  return target;
}

/** require() of an unpatched package ('ml-cart' or 'ml-random-forest'). */
export function requirePristine(pkg: 'ml-cart' | 'ml-random-forest'): unknown {
  const require = createRequire(path.join(pristineDir(), 'node_modules', 'index.js'));
  return require(pkg);
}
