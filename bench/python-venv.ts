// The cached Python environments of the reference tools the benchmarks compare against
// (scikit-learn, PySpark): scripts/python-venv.sh creates one once and prints its python.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from './cli.ts';

/** Runs scripts/<script> (python-venv.sh or a wrapper holding its pins) and returns the venv's python. */
export function referencePython(script: string, args: readonly string[] = []): string {
  const res = spawnSync('bash', [join(REPO_ROOT, 'scripts', script), ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (res.status !== 0) throw new Error(`scripts/${script} failed with exit code ${res.status}`);
  return res.stdout.trim().split('\n').pop()!;
}
