// Turns the passes into figures: medians per stage, rows per second, peak memory, the silver/floor
// ratio; plus the machine they were measured on. Written as JSON and printed as a table.
import { readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from './cli.ts';
import type { StageMeasure } from './stages.ts';

export interface StageFigure {
  stage: string;
  status: 'ok' | 'skipped' | 'failed';
  note?: string;
  runs: number;
  wall_ms_median: number | null;
  wall_ms_all: number[];
  cli_wall_ms_median: number | null;
  rows: number | null;
  rows_per_s: number | null;
  peak_rss_mb: number | null;
  cpu_ms_median: number | null;
  sql_ms_median?: number | null;
  /** Gold stages: median build ms per table over the ok passes. */
  table_ms_median?: Record<string, number>;
  processes: number;
}

export function median(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

const nums = (xs: (number | null | undefined)[]) => xs.filter((x): x is number => typeof x === 'number');

/** Combines the same stage over several passes; a stage is ok only if it was ok in every pass. */
export function aggregate(passes: readonly StageMeasure[][]): StageFigure[] {
  const names = [...new Set(passes.flat().map((m) => m.stage))];
  return names.map((stage) => {
    const ms = passes.map((p) => p.find((m) => m.stage === stage)).filter((m): m is StageMeasure => m !== undefined);
    const bad = ms.find((m) => m.status !== 'ok');
    const ok = ms.filter((m) => m.status === 'ok');
    const wall = median(nums(ok.map((m) => m.wall_ms)));
    const rows = median(nums(ok.map((m) => m.rows)));
    const rss = nums(ok.map((m) => m.max_rss_kb));
    const fig: StageFigure = {
      stage, status: bad ? bad.status : 'ok', runs: ok.length, wall_ms_median: wall, wall_ms_all: nums(ok.map((m) => m.wall_ms)),
      cli_wall_ms_median: median(nums(ok.map((m) => m.cli_wall_ms))), rows,
      rows_per_s: wall && rows !== null ? Math.round(rows / (wall / 1000)) : null,
      peak_rss_mb: rss.length ? Math.round(Math.max(...rss) / 1024) : null, cpu_ms_median: median(nums(ok.map((m) => m.cpu_ms))),
      processes: ms[0]?.processes ?? 0,
    };
    const note = bad?.note ?? ms.find((m) => m.note)?.note;
    if (note) fig.note = note;
    if (ok.some((m) => m.sql_ms !== undefined)) fig.sql_ms_median = median(nums(ok.map((m) => m.sql_ms)));
    const tables = [...new Set(ok.flatMap((m) => Object.keys(m.table_ms ?? {})))].sort();
    if (tables.length > 0) fig.table_ms_median = Object.fromEntries(tables.map((t) => [t, median(nums(ok.map((m) => m.table_ms?.[t])))!]));
    return fig;
  });
}

export interface Ratios { silver_over_floor: number | null; silver_cli_over_floor_statement: number | null }

export function ratios(figs: readonly StageFigure[]): Ratios {
  const silver = figs.find((f) => f.stage === 'build silver' && f.status === 'ok');
  const floor = figs.find((f) => f.stage === 'engine floor' && f.status === 'ok');
  const r = (a: number | null | undefined, b: number | null | undefined) => (a && b ? Math.round((a / b) * 100) / 100 : null);
  return {
    silver_over_floor: r(silver?.wall_ms_median, floor?.wall_ms_median),
    silver_cli_over_floor_statement: r(silver?.cli_wall_ms_median, floor?.sql_ms_median),
  };
}

export interface GoldShare { category: string; wall_ms: number; cpu_ms: number; other_gold_wall_ms: number; other_gold_cpu_ms: number; wall_ratio: number; cpu_ratio: number }

/**
 * What one gold category costs against the other gold stages together (medians; the cold predictive
 * training excluded): issue 19's "adds no more than 20 % to the gold stage time". Null unless every
 * gold stage is ok with wall and CPU figures.
 */
export function goldShare(figs: readonly StageFigure[], category: string): GoldShare | null {
  const gold = figs.filter((f) => f.stage.startsWith('build gold ') && !f.stage.includes('(cold'));
  const own = gold.find((f) => f.stage === `build gold ${category}`);
  const others = gold.filter((f) => f !== own);
  if (!own || others.length === 0 || gold.some((f) => f.status !== 'ok' || f.wall_ms_median === null || f.cpu_ms_median === null)) return null;
  const wall = others.reduce((t, f) => t + f.wall_ms_median!, 0);
  const cpu = others.reduce((t, f) => t + f.cpu_ms_median!, 0);
  const r = (a: number, b: number) => Math.round((a / b) * 1000) / 1000;
  return { category, wall_ms: own.wall_ms_median!, cpu_ms: own.cpu_ms_median!, other_gold_wall_ms: wall, other_gold_cpu_ms: cpu, wall_ratio: r(own.wall_ms_median!, wall), cpu_ratio: r(own.cpu_ms_median!, cpu) };
}

function pkgVersion(name: string): string | null {
  try {
    return (JSON.parse(readFileSync(join(REPO_ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return null;
  }
}

export async function machineInfo(): Promise<Record<string, unknown>> {
  let duckdb: string | null = null;
  try {
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const inst = await DuckDBInstance.create(':memory:');
    const conn = await inst.connect();
    duckdb = String((await conn.runAndReadAll('select version()')).getRows()[0][0]);
    conn.closeSync();
    inst.closeSync();
  } catch { /* reported as null */ }
  return {
    cpu_model: cpus()[0]?.model ?? 'unknown', cores: cpus().length, memory_gb: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    load_average_at_start: loadavg().map((x) => Math.round(x * 100) / 100), node: process.version, duckdb,
    duckdb_node_api: pkgVersion('@duckdb/node-api'), duckdb_memory_limit: process.env.DUCKDB_MEMORY_LIMIT ?? null,
    duckdb_threads: process.env.DUCKDB_THREADS ?? null, platform: `${process.platform}-${process.arch}`,
  };
}

const fmt = (x: number | null | undefined) => (x === null || x === undefined ? '-' : Math.round(x).toLocaleString('en-US'));

export function formatTable(figs: readonly StageFigure[]): string {
  const head = ['stage', 'status', 'wall ms (median)', 'rows', 'rows/s', 'peak RSS MB', 'cpu ms', 'note'];
  const rows = figs.map((f) => [f.stage, f.status, fmt(f.wall_ms_median), fmt(f.rows), fmt(f.rows_per_s), fmt(f.peak_rss_mb), fmt(f.cpu_ms_median), f.note ?? (f.sql_ms_median ? `statement ${fmt(f.sql_ms_median)} ms` : '')]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (i >= 2 && i <= 6 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
