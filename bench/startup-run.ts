// `npm run bench:startup -- [--lake <data dir>] [--runs N] [--no-save]`: the CLI start-up figures of
// bench/startup.ts alone, without a pipeline run: process CPU (user + system) of `lakehouse --version`
// and of a small `query`, median of N calls (default 9). Without --lake it measures on a demo lake
// (`lakehouse run --demo`), built once into $LAKEHOUSE_CACHE_DIR/bench-lake/startup-demo and reused.
// Writes bench/results/startup-<time>.json (machine, load before and after, every call's CPU time).
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_ROOT, failureNote, runCli } from './cli.ts';
import { cacheDir } from './data.ts';
import { machineInfo } from './report.ts';
import { formatStartup, measureStartup } from './startup.ts';

const log = (m: string) => process.stderr.write(`${m}\n`);
const load = () => loadavg().map((x) => Math.round(x * 100) / 100);

async function demoLake(): Promise<string> {
  const lake = join(cacheDir(), 'bench-lake', 'startup-demo');
  if (existsSync(join(lake, '_catalog.json'))) return lake;
  log(`building a demo lake in ${lake} (once; reused by later calls)`);
  rmSync(lake, { recursive: true, force: true });
  mkdirSync(lake, { recursive: true });
  const r = await runCli(lake, ['run', '--demo']);
  if (r.status !== 0) throw new Error(`lakehouse run --demo: ${failureNote(r)}`);
  return lake;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { lake: { type: 'string' }, runs: { type: 'string', default: '9' }, 'no-save': { type: 'boolean', default: false } } });
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs must be a positive integer');
  const lake = values.lake ?? (await demoLake());
  const machine = await machineInfo();
  const startup = await measureStartup(lake, runs);
  const result = { benchmark: 'lakehouse start-up', measured_at: new Date().toISOString(), lake, machine: { ...machine, load_average_at_end: load() }, startup };
  process.stdout.write(`${formatStartup(startup)}\n(load average ${(machine.load_average_at_start as number[]).join(' ')} before, ${load().join(' ')} after, on ${String(machine.cores)} cores)\n`);
  if (values['no-save']) return;
  const file = join(REPO_ROOT, 'bench', 'results', `startup-${new Date().toISOString().replace(/[:.]/g, '').slice(0, 15)}Z.json`);
  mkdirSync(join(REPO_ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  log(`results: ${file}`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:startup: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
