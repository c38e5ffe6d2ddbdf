// Shared test helpers: temp data dirs, a config pointing at them, paths to the real shared data.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadConfig, type Config, type ConfigOverrides } from '../lib/config.ts';

export const repoRoot = resolve(import.meta.dirname, '..');
export const sharedData = resolve(repoRoot, '..', 'shared', 'data');
export const kaggleSample = join(sharedData, 'kaggle', 'Nima-ml__spotify-song-clustering', 'dataset_sample.csv');
export const historyDir = join(sharedData, 'history');

export function tempDir(prefix = 'lakehouse-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A config for a fresh temp data dir, independent of the developer's environment. */
export function testConfig(dataDir: string, overrides: ConfigOverrides = {}, env: Record<string, string> = {}): Config {
  return loadConfig({ dataDir, ...overrides }, { LOG_LEVEL: 'silent', DUCKDB_THREADS: '2', ...env }, dataDir);
}

import { spawn } from 'node:child_process';
import { main } from '../cli/main.ts';
import { io } from '../cli/output.ts';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `lakehouse …` as a real child process. */
export function runCliChild(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [join(repoRoot, 'bin', 'lakehouse.js'), ...args], {
      cwd: repoRoot, env: { ...process.env, LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code: code ?? 1, stdout, stderr }));
  });
}

/** Runs `lakehouse …` in this process, capturing what the CLI writes to stdout and stderr. */
export async function runCli(args: string[]): Promise<CliResult> {
  const out: string[] = [];
  const err: string[] = [];
  const saved = { ...io };
  io.out = (s) => void out.push(s);
  io.err = (s) => void err.push(s);
  const previousExit = process.exitCode;
  try {
    const code = await main(['node', 'lakehouse', ...args]);
    return { code, stdout: out.join(''), stderr: err.join('') };
  } finally {
    Object.assign(io, saved);
    process.exitCode = previousExit;
  }
}
