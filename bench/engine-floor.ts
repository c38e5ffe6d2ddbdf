// Times the independent engine floor (engine-floor-sql.ts) in a child process of its own, with the
// same DuckDB memory limit and threads as the pipeline, so "silver / floor" compares like with like.
// Run directly (`node --import tsx bench/engine-floor.ts <data-dir>`), it executes the statement and
// prints {rows, sessions, silver_rows, silver_sessions, sql_ms, wall_ms, verify_ms, max_rss_kb, cpu_ms} as
// JSON (wall and CPU up to the end of the statement; the counts read after it are timed as verify_ms).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { floorSql, type FloorInputs } from './engine-floor-sql.ts';
import { quoteList, quoteLiteral } from './sql-util.ts';
import type { StageMeasure } from './stages.ts';

interface CatalogEntry { path: string; files: string[]; rows: number }

/** Silver's current Parquet files, to set the floor's counts beside silver's. */
function silverFiles(dataDir: string): string[] {
  const tables = (JSON.parse(readFileSync(join(dataDir, '_catalog.json'), 'utf8')) as { tables: Record<string, CatalogEntry> }).tables;
  return tableFiles(dataDir, tables, 'silver.listening_with_features');
}
const started = performance.now();

function tableFiles(dataDir: string, tables: Record<string, CatalogEntry>, name: string): string[] {
  const t = tables[name];
  return t ? t.files.map((f) => join(dataDir, t.path, f)) : [];
}

/** The bronze inputs of the floor, or a reason why it cannot run yet. */
export function floorInputs(dataDir: string): FloorInputs | string {
  const file = join(dataDir, '_catalog.json');
  if (!existsSync(file)) return 'no lake catalog';
  const tables = (JSON.parse(readFileSync(file, 'utf8')) as { tables: Record<string, CatalogEntry> }).tables;
  if (!tables['silver.listening_with_features']) return 'silver.listening_with_features does not exist yet';
  const i: FloorInputs = { history: tableFiles(dataDir, tables, 'bronze.listening_history'), listeners: tableFiles(dataDir, tables, 'bronze.listeners') };
  if (i.history.length === 0 || i.listeners.length === 0) return 'bronze inputs missing';
  return i;
}

async function measure(dataDir: string): Promise<void> {
  const inputs = floorInputs(dataDir);
  if (typeof inputs === 'string') throw new Error(`engine floor: ${inputs}`);
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const options: Record<string, string> = {};
  if (process.env.DUCKDB_MEMORY_LIMIT) options.memory_limit = process.env.DUCKDB_MEMORY_LIMIT;
  if (process.env.DUCKDB_THREADS) options.threads = process.env.DUCKDB_THREADS;
  const tmp = mkdtempSync(join(tmpdir(), 'engine-floor-'));
  const instance = await DuckDBInstance.create(':memory:', { ...options, temp_directory: join(tmp, 'spill') });
  const conn = await instance.connect();
  try {
    await conn.run("set TimeZone = 'UTC'");
    const out = join(tmp, 'floor.parquet');
    const t0 = performance.now();
    await conn.run(floorSql(inputs, out));
    const sqlMs = performance.now() - t0;
    // Everything below only counts what the floor and silver hold; it is not part of the floor's cost.
    const atEnd = { wall_ms: Math.round(performance.now() - started), usage: process.resourceUsage() };
    const v0 = performance.now();
    const counts = async (from: string, session: string) =>
      (await conn.runAndReadAll(`select count(*)::bigint, count(distinct (listener_id, ${session}))::bigint from ${from}`)).getRows()[0].map(Number);
    const [rows, sessions] = await counts(`read_parquet(${quoteLiteral(out)})`, 'session_no');
    const [silverRows, silverSessions] = await counts(`read_parquet(${quoteList(silverFiles(dataDir))})`, 'session_id');
    process.stdout.write(`${JSON.stringify({ rows, sessions, silver_rows: silverRows, silver_sessions: silverSessions, sql_ms: Math.round(sqlMs), wall_ms: atEnd.wall_ms,
      verify_ms: Math.round(performance.now() - v0), max_rss_kb: atEnd.usage.maxRSS, cpu_ms: Math.round((atEnd.usage.userCPUTime + atEnd.usage.systemCPUTime) / 1000) })}\n`);
  } finally {
    conn.closeSync();
    instance.closeSync();
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Runs the floor in a child process; skipped with a note when silver does not exist yet. */
export async function runEngineFloor(dataDir: string, log: (m: string) => void): Promise<StageMeasure> {
  const base = { stage: 'engine floor', processes: 1, cli_wall_ms: null };
  const inputs = floorInputs(dataDir);
  if (typeof inputs === 'string') return { ...base, status: 'skipped', note: inputs, wall_ms: null, max_rss_kb: null, cpu_ms: null, rows: null, processes: 0 };
  const t0 = performance.now();
  const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => { out += b.toString(); });
    child.stderr.on('data', (b: Buffer) => { err += b.toString(); });
    child.on('error', reject);
    child.on('close', (c) => resolve({ code: c ?? 1, stdout: out, stderr: err }));
  });
  const wall = Math.round(performance.now() - t0);
  if (code !== 0) {
    const note = `exit ${code}: ${stderr.trim().split('\n').find((l) => /error/i.test(l))?.slice(0, 200) ?? ''}`;
    log(`  engine floor: failed (${note})`);
    return { ...base, status: 'failed', note, wall_ms: wall, max_rss_kb: null, cpu_ms: null, rows: null };
  }
  const r = JSON.parse(stdout.trim().split('\n').pop()!) as { rows: number; sessions: number; silver_rows: number; silver_sessions: number; sql_ms: number; wall_ms: number; verify_ms: number; max_rss_kb: number; cpu_ms: number };
  // The counts ran in the same process after the statement: they are not the floor's cost.
  const floorWall = Math.max(0, wall - r.verify_ms);
  log(`  engine floor: ok ${floorWall} ms (statement ${r.sql_ms} ms), ${r.rows} plays in ${r.sessions} sessions (silver: ${r.silver_rows} in ${r.silver_sessions})`);
  const m: StageMeasure = { ...base, status: 'ok', wall_ms: floorWall, cli_wall_ms: r.wall_ms, sql_ms: r.sql_ms, max_rss_kb: r.max_rss_kb, cpu_ms: r.cpu_ms, rows: r.rows };
  // The floor keeps only the Spotify dedup rule: other counts are expected where silver merges by name.
  if (r.rows !== r.silver_rows || r.sessions !== r.silver_sessions) m.note = `floor ${r.rows} plays / ${r.sessions} sessions, silver ${r.silver_rows} / ${r.silver_sessions}`;
  return m;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  measure(process.argv[2] ?? '').catch((err: unknown) => {
    process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
