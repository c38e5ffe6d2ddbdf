// Runs the pipeline CLI as a child process and collects what it reports about itself: exit code,
// wall time, and the resource-usage line the CLI appends to $LAKEHOUSE_RUSAGE_FILE at exit.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const REPO_ROOT = new URL('..', import.meta.url).pathname;
const BIN = join(REPO_ROOT, 'bin', 'lakehouse.js');

export interface Rusage { wall_ms: number; max_rss_kb: number; user_ms: number; sys_ms: number; compiled?: boolean }

export interface CliResult {
  status: number;
  /** Signal that ended the process, if one did. */
  signal: string | null;
  stdout: string;
  stderr: string;
  /** Wall time seen by the bench (process start to exit). */
  wallMs: number;
  /** What the CLI reported about itself; null when it wrote no line. */
  rusage: Rusage | null;
}

let counter = 0;

/** Runs `node bin/lakehouse.js <args> --data-dir <dataDir>` (no --data-dir when it is ''); never throws for a non-zero exit. */
export function runCli(dataDir: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  const rusageFile = join(tmpdir(), `lakehouse-bench-rusage-${process.pid}-${counter++}.jsonl`);
  rmSync(rusageFile, { force: true });
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args, ...(dataDir ? ['--data-dir', dataDir] : [])], {
      cwd: REPO_ROOT, env: { ...process.env, ...env, LAKEHOUSE_RUSAGE_FILE: rusageFile, LAKEHOUSE_DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const wallMs = performance.now() - t0;
      let rusage: Rusage | null = null;
      if (existsSync(rusageFile)) {
        const lines = readFileSync(rusageFile, 'utf8').trim().split('\n').filter(Boolean);
        if (lines.length > 0) rusage = JSON.parse(lines[lines.length - 1]) as Rusage;
        rmSync(rusageFile, { force: true });
      }
      resolve({ status: code ?? 128, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), wallMs, rusage });
    });
  });
}

/** True when the CLI refused the verb because it does not exist (yet): a usage error naming it. */
export function isMissingVerb(r: CliResult): boolean {
  return r.status === 2 && /unknown command|unknown option|unknown (gold )?category|too many arguments|not (yet )?implemented/i.test(r.stderr);
}

/**
 * Build time per table from the gold build's JSON log lines on stderr (`{"table":…,"ms":…,"msg":"built"}`;
 * stderr is a pipe here, so the CLI logs JSON). Empty when the CLI logged none.
 */
export function tableTimes(stderr: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of stderr.split('\n')) {
    if (!line.startsWith('{') || !line.includes('"built"')) continue;
    try {
      const o = JSON.parse(line) as { msg?: unknown; table?: unknown; ms?: unknown };
      if (o.msg === 'built' && typeof o.table === 'string' && typeof o.ms === 'number') out[o.table] = (out[o.table] ?? 0) + o.ms;
    } catch { /* not a log line */ }
  }
  return out;
}

/** The first error line of a failed run, for the report. */
export function failureNote(r: CliResult): string {
  if (r.signal) return `killed by ${r.signal}`;
  const lines = r.stderr.split('\n').map((l) => l.trim());
  const line = lines.find((l) => /^(\w*error|fatal)\b:?/i.test(l)) ?? lines.filter(Boolean).pop() ?? '';
  return `exit ${r.status}: ${line.trim().slice(0, 200)}`;
}

export interface TableRow { layer: string; table: string; rows: number; version: number; built_at: string }

/** `lakehouse tables --json`, keyed by layer.table. */
export async function listTables(dataDir: string): Promise<Map<string, TableRow>> {
  const r = await runCli(dataDir, ['tables', '--json']);
  if (r.status !== 0) throw new Error(`lakehouse tables failed: ${failureNote(r)}`);
  const rows = JSON.parse(r.stdout) as TableRow[];
  return new Map(rows.map((t) => [`${t.layer}.${t.table}`, t]));
}

/**
 * Rows written by a stage, over the tables whose version changed: bronze tables are appended to, so
 * their growth counts; silver, gold and ops tables are rebuilt whole, so all their rows count.
 */
export function rowsWritten(before: Map<string, TableRow>, after: Map<string, TableRow>): { rows: number; tables: string[] } {
  let rows = 0;
  const tables: string[] = [];
  for (const [name, t] of after) {
    const prev = before.get(name);
    if (prev && prev.version === t.version && prev.built_at === t.built_at) continue;
    rows += t.layer === 'bronze' ? Math.max(0, Number(t.rows) - Number(prev?.rows ?? 0)) : Number(t.rows);
    tables.push(name);
  }
  return { rows, tables: tables.sort() };
}
