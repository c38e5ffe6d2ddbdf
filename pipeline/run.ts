// `lakehouse run`: every stage that exists, in order, each one its own transaction. With --demo the
// seeded generator writes a catalog and three listeners' exports first and the real importers load
// them, so the demo exercises the same code paths as real data.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../lib/config.ts';
import type { Logger } from '../lib/logger.ts';
import { withWriter, type LakeSession } from '../lib/session.ts';
import { listTables } from '../lib/lake.ts';
import { generateDemo } from '../lib/generator/index.ts';
import { ingestExportStage, ingestKaggleStage, silverStage, summarise, type StageResult } from './stages.ts';

export interface RunOptions {
  demo?: boolean;
  /** Kaggle CSV and export folders to ingest before building (optional). */
  kaggleCsv?: string;
  exports?: { listener: string; paths: string[]; timezone?: string }[];
  trigger?: string;
}

export interface RunSummary {
  run_id: string;
  stages: StageResult[];
  tables: { layer: string; table: string; rows: number; version: number; path: string }[];
}

async function demoInputs(session: LakeSession, log: Logger): Promise<Required<Pick<RunOptions, 'kaggleCsv' | 'exports'>>> {
  const dir = join(session.config.dataDir, '_demo_input');
  const demo = await generateDemo(dir);
  log.info({ dir, catalog_rows: demo.catalogRows, listeners: demo.listeners.length }, 'demo data generated');
  return { kaggleCsv: demo.catalogCsv, exports: demo.listeners.map((l) => ({ listener: l.id, paths: l.files, timezone: l.timezone })) };
}

async function goldStage(session: LakeSession): Promise<StageResult | null> {
  if (!existsSync(join(import.meta.dirname, '..', 'gold', 'build.ts'))) return null;
  const { buildGold } = await import('../gold/build.ts');
  const started = Date.now();
  const published = await buildGold(session, {});
  return { stage: 'gold', duration_ms: Date.now() - started, tables: published.map(summarise) };
}

export async function runPipeline(config: Config, log: Logger, opts: RunOptions = {}): Promise<RunSummary> {
  return withWriter(config, log, `run${opts.demo ? ' --demo' : ''}`, async (session) => {
    const stages: StageResult[] = [];
    const step = async (r: Promise<StageResult | null>) => {
      const result = await r;
      if (result) {
        stages.push(result);
        log.info({ stage: result.stage, duration_ms: result.duration_ms, tables: result.tables }, `stage ${result.stage} done`);
      }
    };
    const inputs = opts.demo ? await demoInputs(session, log) : opts;
    if (inputs.kaggleCsv) await step(ingestKaggleStage(session, inputs.kaggleCsv));
    for (const e of inputs.exports ?? []) await step(ingestExportStage(session, e.paths, e.listener, e.timezone));
    await step(silverStage(session));
    await step(goldStage(session));
    const tables = listTables(config.dataDir).map((t) => ({ layer: t.layer, table: t.table, rows: t.rows, version: t.version, path: join(config.dataDir, t.path) }));
    return { run_id: session.runId, stages, tables };
  });
}
