// `npm run bench:engines -- --scale medium [--runs N] [--workers 1,2] [--port P]`: the same silver and
// gold builds computed by DuckDB and by Trino clusters of 1 and 2 workers, on one lake ingested once
// (ingestion is Node's whatever the engine). For each engine: per stage, the median wall time and the
// CPU time of the CLI process and of the Trino JVMs (coordinator and workers, from /proc), so that
// work moved into Trino is not hidden. Trino is started natively for each worker count by
// scripts/trino-start.sh --workers N, serving the bench lake, and stopped afterwards. On demand, not
// in CI (a medium run takes tens of minutes on 2 cores). Results: bench/results/engines-<scale>-<time>.json.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, runCli, type CliResult } from './cli.ts';
import { cacheDir, ensureBenchData } from './data.ts';
import { machineInfo, median } from './report.ts';
import { SCALES, isScaleName, type ScaleName } from './scales.ts';
import { GOLD_CATEGORIES } from './stages.ts';

const log = (m: string) => process.stderr.write(`${m}\n`);
const USAGE = 'usage: npm run bench:engines -- --scale <small|medium|large> [--runs N] [--workers 1,2] [--port P] [--seed S] [--stages silver,<gold category>,…]';
const STAGES = ['silver', ...GOLD_CATEGORIES];

interface Args { scale: ScaleName; runs: number; workers: number[]; port: number; seed: string; stages: string[] }

function parseArgs(argv: string[]): Args {
  const out: Partial<Args> = { runs: 3, workers: [1, 2], port: 18800, seed: 'bench', stages: STAGES };
  for (let i = 0; i < argv.length; i++) {
    const v = () => argv[++i] ?? (() => { throw new Error(USAGE); })();
    const a = argv[i];
    if (a === '--scale') { const s = v(); if (!isScaleName(s)) throw new Error(`unknown scale ${s}\n${USAGE}`); out.scale = s; }
    else if (a === '--runs') out.runs = Number(v());
    else if (a === '--workers') out.workers = v().split(',').map(Number);
    else if (a === '--port') out.port = Number(v());
    else if (a === '--seed') out.seed = v();
    else if (a === '--stages') out.stages = v().split(',');
    else throw new Error(`unknown argument ${a}\n${USAGE}`);
  }
  if (!out.scale) throw new Error(USAGE);
  const unknown = out.stages!.filter((x) => !STAGES.includes(x));
  if (unknown.length > 0) throw new Error(`unknown stage ${unknown.join(', ')} (stages: ${STAGES.join(', ')})\n${USAGE}`);
  if (!Number.isInteger(out.runs) || out.runs! < 1 || out.workers!.some((w) => !Number.isInteger(w) || w < 0)) throw new Error(USAGE);
  return out as Args;
}

/** CPU ms (user + system) of every Trino JVM serving dataDir, from /proc (clock ticks of 10 ms). */
function trinoCpuMs(dataDir: string): number {
  let total = 0;
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!cmd.includes('trino')) continue;
      const env = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
      if (!env.includes(`LAKEHOUSE_DATA_DIR=${dataDir}`)) continue;
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      total += (Number(fields[11]) + Number(fields[12])) * 10; // utime, stime (fields 14, 15 of stat)
    } catch {
      // the process ended while being read
    }
  }
  return total;
}

interface StageRun { stage: string; wall_ms: number; cli_cpu_ms: number | null; trino_cpu_ms: number; max_rss_kb: number | null }

async function stage(lake: string, name: string, args: string[], env: NodeJS.ProcessEnv): Promise<StageRun> {
  const cpu0 = trinoCpuMs(lake);
  const r: CliResult = await runCli(lake, args, env);
  if (r.status !== 0) throw new Error(`${name}: exit ${r.status}\n${r.stderr.slice(-3000)}`);
  const run = {
    stage: name, wall_ms: Math.round(r.wallMs), cli_cpu_ms: r.rusage ? r.rusage.user_ms + r.rusage.sys_ms : null,
    trino_cpu_ms: trinoCpuMs(lake) - cpu0, max_rss_kb: r.rusage?.max_rss_kb ?? null,
  };
  log(`  ${name}: ${(run.wall_ms / 1000).toFixed(1)} s wall, CLI ${((run.cli_cpu_ms ?? 0) / 1000).toFixed(1)} s CPU, Trino ${(run.trino_cpu_ms / 1000).toFixed(1)} s CPU`);
  return run;
}

/** The chosen stages in pipeline order (a gold category alone reads the silver built before it). */
async function builds(lake: string, engine: string, env: NodeJS.ProcessEnv, stages: string[]): Promise<StageRun[]> {
  const out: StageRun[] = [];
  if (stages.includes('silver')) out.push(await stage(lake, 'build silver', ['build', 'silver', '--engine', engine], env));
  for (const c of GOLD_CATEGORIES.filter((x) => stages.includes(x))) out.push(await stage(lake, `build gold ${c}`, ['build', 'gold', '--category', c, '--engine', engine], env));
  return out;
}

function trinoScript(script: string, env: NodeJS.ProcessEnv, args: string[] = []): void {
  const r = spawnSync('bash', [join(REPO_ROOT, 'scripts', script), ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) throw new Error(`scripts/${script} ${args.join(' ')} failed (exit ${r.status})`);
}

function clientEnv(port: number): NodeJS.ProcessEnv {
  const security = process.env.TRINO_SECURITY_DIR ?? join(cacheDir(), 'trino', 'security');
  return {
    TRINO_URL: `https://127.0.0.1:${port}`, TRINO_USER: 'lakehouse', TRINO_CA_FILE: join(security, 'tls', 'ca.pem'),
    NODE_EXTRA_CA_CERTS: join(security, 'tls', 'ca.pem'), TRINO_PASSWORD: readFileSync(join(security, 'lakehouse.password'), 'utf8').trim(),
  };
}

function summarise(runs: StageRun[][]) {
  const stages = runs[0].map((s) => s.stage);
  return stages.map((name) => {
    const xs = runs.map((r) => r.find((s) => s.stage === name)!);
    return {
      stage: name,
      wall_ms_median: median(xs.map((x) => x.wall_ms)),
      cli_cpu_ms_median: median(xs.map((x) => x.cli_cpu_ms ?? 0)),
      trino_cpu_ms_median: median(xs.map((x) => x.trino_cpu_ms)),
      max_rss_kb: Math.max(...xs.map((x) => x.max_rss_kb ?? 0)) || null,
    };
  });
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const scale = SCALES[args.scale];
  const data = await ensureBenchData(scale, args.seed, log);
  const lake = join(cacheDir(), 'bench-lake', `${scale.name}-${args.seed}-engines`);
  rmSync(lake, { recursive: true, force: true });
  mkdirSync(lake, { recursive: true });
  const env: NodeJS.ProcessEnv = { DUCKDB_MEMORY_LIMIT: process.env.DUCKDB_MEMORY_LIMIT ?? scale.duckdbMemoryLimit };
  log(`ingesting ${data.totalEvents} events into ${lake} (once, Node + DuckDB)`);
  const csv = ['listener_id,timezone', ...data.listeners.map((l) => `${l.id},${l.timezone}`)].join('\n');
  const root = join(data.dir, 'exports');
  writeFileSync(join(root, 'listeners.csv'), `${csv}\n`);
  await stage(lake, 'ingest kaggle', ['ingest', 'kaggle', data.catalogCsv], env);
  await stage(lake, 'ingest export', ['ingest', 'export', root, '--listener-dirs'], env);
  await stage(lake, 'build synthetic', ['build', 'synthetic'], env);
  // Trains the catalog models once, so that every timed predictive build reuses them (as a scheduled run does).
  await stage(lake, 'build silver (warm-up)', ['build', 'silver'], env);
  await stage(lake, 'build gold (warm-up, trains models)', ['build', 'gold'], env);

  const engines: Record<string, ReturnType<typeof summarise>> = {};
  const raw: Record<string, StageRun[][]> = {};
  const duck: StageRun[][] = [];
  for (let i = 1; i <= args.runs; i++) { log(`duckdb run ${i}/${args.runs}`); duck.push(await builds(lake, 'duckdb', env, args.stages)); }
  engines.duckdb = summarise(duck);
  raw.duckdb = duck;
  for (const w of args.workers) {
    const tenv = { ...env, LAKEHOUSE_DATA_DIR: lake, TRINO_PORT: String(args.port) };
    log(`starting Trino: coordinator + ${w} worker(s) on port ${args.port}, serving ${lake}`);
    trinoScript('trino-start.sh', tenv, ['--workers', String(w)]);
    try {
      const key = `trino_${w}_worker${w === 1 ? '' : 's'}`;
      const t: StageRun[][] = [];
      for (let i = 1; i <= args.runs; i++) { log(`${key} run ${i}/${args.runs}`); t.push(await builds(lake, 'trino', { ...tenv, ...clientEnv(args.port) }, args.stages)); }
      engines[key] = summarise(t);
      raw[key] = t;
    } finally {
      trinoScript('trino-stop.sh', tenv);
    }
  }
  const result = { benchmark: 'engines', measured_at: new Date().toISOString(), machine: await machineInfo(), scale: { ...scale, runs: args.runs, total_events: data.totalEvents }, engines, runs: raw };
  const dir = join(REPO_ROOT, 'bench', 'results');
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true });
  const file = join(dir, `engines-${scale.name}-${result.measured_at.replace(/[:.]/g, '').slice(0, 15)}Z.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  const names = Object.keys(engines);
  const fmt = (ms: number | null) => (ms === null ? '-' : (ms / 1000).toFixed(1));
  console.log(`| stage | ${names.map((n) => `${n} wall s (CLI + Trino CPU s)`).join(' | ')} |`);
  console.log(`|---|${names.map(() => '---').join('|')}|`);
  for (const s of engines.duckdb) {
    console.log(`| ${s.stage} | ${names.map((n) => { const x = engines[n].find((y) => y.stage === s.stage)!; return `${fmt(x.wall_ms_median)} (${fmt(x.cli_cpu_ms_median)} + ${fmt(x.trino_cpu_ms_median)})`; }).join(' | ')} |`);
  }
  log(`results: ${file}`);
}

main().catch((err: unknown) => {
  log(err instanceof Error ? err.message : String(err));
  process.exitCode = 1;
});
