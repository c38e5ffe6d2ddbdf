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
