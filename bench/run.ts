// `npm run bench -- --scale <small|medium|large> [--runs N]`: generates (or reuses) the inputs, runs
// every pipeline stage through the CLI on a fresh lake per run, and reports medians, rows per second,
// peak memory and the silver/engine-floor ratio (JSON under bench/results/, a table on stdout).
// `--compare spark` runs the PySpark reference after each run's stages (bench/spark-compare.ts).
import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { BenchUsageError, parseBenchArgs } from './args.ts';
import { REPO_ROOT } from './cli.ts';
import { cacheDir, ensureBenchData, type BenchData } from './data.ts';
import { aggregate, formatTable, goldShare, machineInfo, ratios } from './report.ts';
import { SCALES } from './scales.ts';
import { runSparkCompare, sparkPython, type SparkRun } from './spark-compare.ts';
import { formatSpark, summariseSpark } from './spark-report.ts';
import { COLD_STAGE, exportsRoot, runPass, type StageMeasure } from './stages.ts';
import { formatStartup, measureStartup, type StartupFigure } from './startup.ts';

const log = (m: string) => process.stderr.write(`${m}\n`);

type Args = ReturnType<typeof parseBenchArgs>;

/** What a run measures beside the stages: CLI start-up (first run) and, with --compare spark, the PySpark reference. */
interface Extras { startup: StartupFigure[]; spark: SparkRun[] | null }

function buildResult(args: Args, machine: Record<string, unknown>, data: BenchData, passes: StageMeasure[][], complete: boolean, { startup, spark }: Extras) {
  const scale = SCALES[args.scale];
  const stages = aggregate(passes);
  const pipeline = stages.filter((s) => s.status === 'ok' && s.stage !== 'engine floor' && s.stage !== COLD_STAGE).reduce((t, s) => t + (s.wall_ms_median ?? 0), 0);
  return {
    benchmark: 'lakehouse', complete, measured_at: new Date().toISOString(),
    machine: { ...machine, load_average_at_end: loadavg().map((x) => Math.round(x * 100) / 100) },
    scale: { ...scale, seed: args.seed, runs: args.runs, total_events: data.totalEvents, bad_catalog_rows: data.badCatalogRows },
    data: { dir: data.dir, reused: data.reused, generated_ms: data.generatedMs },
    pipeline_wall_ms: Math.round(pipeline), ratios: ratios(stages), behaviour_share: goldShare(stages, 'behaviour'), startup,
    ...(spark ? { spark_compare: { ...summariseSpark(spark), per_run: spark } } : {}), stages, passes,
  };
}

async function runAll(args: Args, data: BenchData, save: (passes: StageMeasure[][]) => void, { startup, spark }: Extras, python: string | null): Promise<StageMeasure[][]> {
  const scale = SCALES[args.scale];
  const passes: StageMeasure[][] = [];
  const models = join(cacheDir(), 'bench-lake', `${scale.name}-${args.seed}-models`);
  rmSync(models, { recursive: true, force: true });
  for (let run = 1; run <= args.runs; run++) {
    const lake = join(cacheDir(), 'bench-lake', `${scale.name}-${args.seed}-run${run}`);
    rmSync(lake, { recursive: true, force: true });
    mkdirSync(lake, { recursive: true });
    // Later runs start with the models the first one trained: "a full run with models already trained".
    if (run > 1 && existsSync(models)) cpSync(models, join(lake, 'models'), { recursive: true });
    log(`run ${run}/${args.runs} on ${lake}${run === 1 ? ' (cold: no trained models)' : ''}`);
    passes.push(await runPass(data, lake, log, run === 1, (sofar) => save([...passes, sofar])));
    if (run === 1 && existsSync(join(lake, 'models'))) cpSync(join(lake, 'models'), models, { recursive: true });
    if (run === 1) {
      // CLI start-up on the built lake: process CPU of `--version` and of a small query.
      try {
        startup.push(...(await measureStartup(lake)));
        log(formatStartup(startup));
      } catch (err) {
        log(`start-up not measured: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    if (spark && python) {
      // After our stages, on the lake they built (Spark's silver reads its bronze, compare its silver).
      const work = `${lake}-spark`;
      rmSync(work, { recursive: true, force: true });
      log(`run ${run}: PySpark reference (silver, compare, export ingest) into ${work}`);
      spark.push(await runSparkCompare(python, run, lake, exportsRoot(data), work, passes[passes.length - 1], log));
      save(passes);
      if (!args.keep) rmSync(work, { recursive: true, force: true });
    }
    if (!args.keep) rmSync(lake, { recursive: true, force: true });
  }
  rmSync(models, { recursive: true, force: true });
  return passes;
}

async function main(): Promise<void> {
  const args = parseBenchArgs(process.argv.slice(2));
  const scale = SCALES[args.scale];
  // Set before machineInfo(), which records the DuckDB settings; every stage's child process inherits it.
  if (scale.duckdbMemoryLimit && !process.env.DUCKDB_MEMORY_LIMIT) {
    process.env.DUCKDB_MEMORY_LIMIT = scale.duckdbMemoryLimit;
    log(`DUCKDB_MEMORY_LIMIT=${scale.duckdbMemoryLimit} (the ${scale.name} scale's default: 4 GB process budget; set the variable to override)`);
  }
  // The venv first: a missing JDK or PyPI failure should stop the bench before it spends the stages' time.
  const python = args.compare === 'spark' ? sparkPython() : null;
  const machine = await machineInfo();
  const data = await ensureBenchData(scale, args.seed, log);
  const file = join(REPO_ROOT, 'bench', 'results', `${scale.name}-${new Date().toISOString().replace(/[:.]/g, '').slice(0, 15)}Z.json`);
  const extras: Extras = { startup: [], spark: python ? [] : null };
  const save = (passes: StageMeasure[][], complete = false) => {
    if (args.noSave) return;
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${JSON.stringify(buildResult(args, machine, data, passes, complete, extras), null, 2)}\n`);
  };
  const passes = await runAll(args, data, save, extras, python);
  save(passes, true);
  if (!args.noSave) log(`results: ${file}`);
  const result = buildResult(args, machine, data, passes, true, extras);
  const startup = extras.startup;
  const r = result.ratios;
  process.stdout.write(`\nbenchmark ${scale.name}: ${scale.listeners} listener(s) x ${scale.eventsPerListener} events + ${scale.catalogRows} catalog rows, `
    + `median of ${args.runs} run(s) on ${String(machine.cpu_model)} (${String(machine.cores)} cores, load ${(machine.load_average_at_start as number[]).join(' ')})\n\n`
    + `${formatTable(result.stages)}\n\npipeline with trained models (sum of stage medians, floor and cold training excluded): ${result.pipeline_wall_ms.toLocaleString('en-US')} ms; `
    + `silver / engine floor: ${r.silver_over_floor ?? '-'} (process walls), ${r.silver_cli_over_floor_statement ?? '-'} (silver CLI / floor statement)\n`
    + `${shareLine(result.behaviour_share)}\n${tableLines(result.stages)}${formatStartup(startup)}\n`
    + (extras.spark ? `\n${formatSpark(summariseSpark(extras.spark), scale.name === 'small')}\n` : ''));
}

function shareLine(s: ReturnType<typeof goldShare>): string {
  if (!s) return 'gold behaviour against the other gold stages: - (a gold stage is missing or failed)';
  const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
  return `gold behaviour against the other gold stages (medians): CPU ${s.cpu_ms.toLocaleString('en-US')} / ${s.other_gold_cpu_ms.toLocaleString('en-US')} ms = ${pct(s.cpu_ratio)}, `
    + `wall ${s.wall_ms.toLocaleString('en-US')} / ${s.other_gold_wall_ms.toLocaleString('en-US')} ms = ${pct(s.wall_ratio)}`;
}

function tableLines(stages: ReturnType<typeof aggregate>): string {
  return stages.filter((s) => s.table_ms_median && s.stage.startsWith('build gold ')).map((s) =>
    `  ${s.stage}, ms per table (median): ${Object.entries(s.table_ms_median!).map(([t, ms]) => `${t.replace(/^gold\./, '')} ${Math.round(ms).toLocaleString('en-US')}`).join(', ')}\n`).join('');
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(err instanceof BenchUsageError ? 2 : 1);
});
