// Test helpers for runs: a demo lake built once per test file and copied for every test, so each
// test gets its own data dir without paying for the demo build again.
import { cpSync, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../lib/config.ts';
import { silentLogger } from '../lib/logger.ts';
import { readCatalog } from '../lib/lake.ts';
import { LOCK_FILE } from '../lib/lock.ts';
import { tempDir, testConfig } from '../test/helpers.ts';
import { executeRun } from './run.ts';

let template: Promise<string> | null = null;

/** Runs in tests build one gold category only: the ML tables take long and are tested elsewhere. */
export const FAST_GOLD = { gold: { category: 'descriptive' } } as const;

function buildTemplate(): Promise<string> {
  const t = tempDir('lakehouse-demo-template-');
  process.once('exit', () => t.cleanup());
  return executeRun(testConfig(t.dir), silentLogger, { demo: true, publish: null, trigger: 'cli', ...FAST_GOLD }).then((s) => {
    if (s.status !== 'succeeded') throw new Error(`demo template run ${s.status}: ${s.error}`);
    return t.dir;
  });
}

/** A fresh copy of a demo lake (bronze, silver, gold and one recorded run). */
export async function demoLake(env: Record<string, string> = {}): Promise<{ dir: string; config: Config; cleanup: () => void }> {
  template ??= buildTemplate();
  const source = await template;
  const t = tempDir();
  cpSync(source, t.dir, { recursive: true });
  rmSync(join(t.dir, '_demo_input'), { recursive: true, force: true });
  return { dir: t.dir, config: testConfig(t.dir, {}, env), cleanup: t.cleanup };
}

export function versionOf(dataDir: string, table: string): number | undefined {
  return readCatalog(dataDir).tables[table]?.version;
}

export function lockExists(dataDir: string): boolean {
  return existsSync(join(dataDir, LOCK_FILE));
}

/** A publisher that records what it was asked to publish instead of talking to Trino. */
export function recordingPublisher(): { calls: { gold: number | undefined; runs: number | undefined }[]; publish: (config: Config) => Promise<void> } {
  const calls: { gold: number | undefined; runs: number | undefined }[] = [];
  return {
    calls,
    publish: async (config) => void calls.push({ gold: versionOf(config.dataDir, 'gold.temporal_trends'), runs: versionOf(config.dataDir, 'ops.pipeline_runs') }),
  };
}
