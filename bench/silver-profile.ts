// Profiles the silver statement on a lake: EXPLAIN ANALYZE of silver.listening_with_features' SQL
// (as the build runs it, ordered and copied to Parquet) with DuckDB's JSON profile, summarised per
// operator (share of operator time, rows). Usage:
//   node --import tsx bench/silver-profile.ts <data-dir> [--out <profile.json>]
// DUCKDB_THREADS / DUCKDB_MEMORY_LIMIT apply as in the pipeline. Nothing is written to the lake.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDuckDB, quoteLiteral } from '../lib/duckdb.ts';
import { attachLake, relationExists } from '../lib/lake.ts';
import { silverSql } from '../silver/listening-with-features-sql.ts';
import spec from '../silver/listening_with_features.ts';

interface Node { operator_name?: string; operator_type?: string; operator_timing?: number; operator_cardinality?: number; extra_info?: Record<string, unknown>; children?: Node[] }

function walk(n: Node, depth: number, out: { depth: number; name: string; s: number; rows: number; info: string }[]): void {
  const info = n.extra_info ? Object.entries(n.extra_info).map(([k, v]) => `${k}=${String(v).replace(/\s+/g, ' ').slice(0, 90)}`).join('; ') : '';
  out.push({ depth, name: n.operator_name ?? n.operator_type ?? '?', s: n.operator_timing ?? 0, rows: n.operator_cardinality ?? 0, info });
  for (const c of n.children ?? []) walk(c, depth + 1, out);
}

async function main(): Promise<void> {
  const dataDir = process.argv[2];
  if (!dataDir) throw new Error('usage: silver-profile.ts <data-dir> [--out <profile.json>]');
  const outIdx = process.argv.indexOf('--out');
  const tmp = mkdtempSync(join(tmpdir(), 'silver-profile-'));
  const profile = outIdx > 0 ? process.argv[outIdx + 1] : join(tmp, 'profile.json');
  const threads = process.env.DUCKDB_THREADS ? Number(process.env.DUCKDB_THREADS) : undefined;
  const { instance, connection: conn } = await openDuckDB({ threads, memoryLimit: process.env.DUCKDB_MEMORY_LIMIT, tempDirectory: join(tmp, 'spill') });
  try {
    await attachLake(conn, dataDir);
    const has = (t: string) => relationExists(conn, 'bronze', t);
    const sql = silverSql({ hasApiFeatures: await has('track_features_api'), hasSynthetic: await has('track_features_synthetic'), hasKaggle: await has('kaggle_tracks'), allowSynthetic: process.env.ALLOW_SYNTHETIC !== 'false' });
    await conn.run("pragma enable_profiling = 'json'");
    await conn.run(`pragma profiling_output = ${quoteLiteral(profile)}`);
    await conn.run("pragma profiling_mode = 'detailed'");
    const t0 = performance.now();
    const u0 = process.resourceUsage();
    await conn.run(`copy (select * from (${sql}) order by ${spec.orderBy}) to ${quoteLiteral(join(tmp, 'out.parquet'))} (format parquet, compression zstd, row_group_size 122880)`);
    const u1 = process.resourceUsage();
    const wall = performance.now() - t0;
    await conn.run('pragma disable_profiling');
    const root = JSON.parse(readFileSync(profile, 'utf8')) as Node & { latency?: number; cpu_time?: number };
    const ops: { depth: number; name: string; s: number; rows: number; info: string }[] = [];
    for (const c of root.children ?? []) walk(c, 0, ops);
    const total = ops.reduce((s, o) => s + o.s, 0);
    const cpu = (u1.userCPUTime - u0.userCPUTime + u1.systemCPUTime - u0.systemCPUTime) / 1000;
    process.stdout.write(`statement: wall ${Math.round(wall)} ms, process CPU ${Math.round(cpu)} ms, operator time ${total.toFixed(1)} s (summed over threads)\n`);
    for (const o of ops) {
      if (o.s / total < 0.005 && o.rows < 100_000) continue;
      process.stdout.write(`${(100 * o.s / total).toFixed(1).padStart(5)}% ${o.s.toFixed(2).padStart(7)} s ${String(o.rows).padStart(9)} ${'  '.repeat(o.depth)}${o.name}  ${o.info.slice(0, 160)}\n`);
    }
  } finally {
    conn.closeSync();
    instance.closeSync();
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
