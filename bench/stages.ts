// One pass of the pipeline over a fresh lake, stage by stage, through the CLI. A stage the CLI does
// not have yet is recorded as skipped with a note; a failing stage is recorded and the pass goes on.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { BenchData } from './data.ts';
import { failureNote, isMissingVerb, listTables, rowsWritten, runCli, tableTimes, type CliResult, type TableRow } from './cli.ts';
import { runEngineFloor } from './engine-floor.ts';

export const GOLD_CATEGORIES = ['descriptive', 'diagnostic', 'behaviour', 'predictive', 'prescriptive', 'cognitive'] as const;
/** The first predictive build of a benchmark, training the catalog models from nothing. */
export const COLD_STAGE = 'build gold predictive (cold: trains models)';

export interface StageMeasure {
  stage: string;
  status: 'ok' | 'skipped' | 'failed';
  note?: string;
  /** Wall time as the bench saw it (includes Node start-up), ms. */
  wall_ms: number | null;
  /** Wall time the CLI reported for itself, ms. */
  cli_wall_ms: number | null;
  max_rss_kb: number | null;
  cpu_ms: number | null;
  rows: number | null;
  tables?: string[];
  /** Gold stages: build ms per table, from the CLI's "built" log lines (one job may write several tables). */
  table_ms?: Record<string, number>;
  /** The engine floor only: time of the statement alone, without process start-up. */
  sql_ms?: number;
  /** Child processes the stage took (one per listener for history ingestion). */
  processes: number;
}

type Invocation = readonly string[];

function sum(results: CliResult[], pick: (r: CliResult) => number | undefined): number | null {
  const xs = results.map(pick);
  return xs.some((x) => x === undefined) ? null : xs.reduce<number>((s, x) => s + (x ?? 0), 0);
}

/** `tables --json`, or null when the CLI cannot list them (the stage is then reported without rows). */
async function tablesOrNull(dataDir: string, log: (m: string) => void): Promise<Map<string, TableRow> | null> {
  try {
    return await listTables(dataDir);
  } catch (err) {
    log(`  (${err instanceof Error ? err.message.split('\n')[0] : String(err)})`);
    return null;
  }
}

/** The lake a pass works on, with the table listing seen after the last stage (reused as the next "before"). */
interface Lake { dataDir: string; tables: Map<string, TableRow> | null }

async function cliStage(stage: string, lake: Lake, invocations: Invocation[], log: (m: string) => void): Promise<StageMeasure> {
  const dataDir = lake.dataDir;
  const before = lake.tables ?? (await tablesOrNull(dataDir, log));
  lake.tables = before;
  const results: CliResult[] = [];
  for (const args of invocations) {
    const r = await runCli(dataDir, args);
    results.push(r);
    if (r.status !== 0) break;
    if (results.length % 100 === 0) log(`  ${stage}: ${results.length} of ${invocations.length} calls, ${Math.round(results.reduce((t, x) => t + x.wallMs, 0) / 1000)} s`);
  }
  const last = results[results.length - 1];
  const base = { stage, processes: results.length };
  if (isMissingVerb(last)) return { ...base, status: 'skipped', note: `not in the CLI yet (${invocations[0].join(' ')})`, wall_ms: null, cli_wall_ms: null, max_rss_kb: null, cpu_ms: null, rows: null };
  const after = await tablesOrNull(dataDir, log);
  lake.tables = after;
  const { rows, tables } = before && after ? rowsWritten(before, after) : { rows: null, tables: undefined };
  const m: StageMeasure = {
    ...base, status: last.status === 0 ? 'ok' : 'failed', wall_ms: Math.round(sum(results, (r) => r.wallMs) ?? 0),
    cli_wall_ms: sum(results, (r) => r.rusage?.wall_ms), max_rss_kb: Math.max(...results.map((r) => r.rusage?.max_rss_kb ?? 0)) || null,
    cpu_ms: sum(results, (r) => (r.rusage ? r.rusage.user_ms + r.rusage.sys_ms : undefined)), rows, tables,
  };
  const perTable = Object.assign({}, ...results.map((r) => tableTimes(r.stderr))) as Record<string, number>;
  if (Object.keys(perTable).length > 0) m.table_ms = perTable;
  if (m.status === 'failed') m.note = `${invocations.length > 1 ? `call ${results.length} of ${invocations.length}: ` : ''}${failureNote(last)}`;
  else if (tables?.length === 0) Object.assign(m, { status: 'skipped', note: 'the CLI built no table for this stage' });
  log(`  ${stage}: ${m.status}${m.note ? ` (${m.note})` : ''} ${m.wall_ms} ms, ${rows} rows`);
  return m;
}

/** `select 1` as TRINO_USER with TRINO_PASSWORD over https (TRINO_CA_FILE), as the publish stage will connect. */
async function trinoAnswers(): Promise<boolean> {
  const url = process.env.TRINO_URL;
  if (!url) return false;
  try {
    const { TrinoClient } = await import('../lib/trino/client.ts');
    const env = process.env;
    const trino = new TrinoClient(url.replace(/\/+$/, ''), env.TRINO_USER || 'lakehouse', {
      password: env.TRINO_PASSWORD || undefined, caFile: env.TRINO_CA_FILE || undefined, retry: { attempts: 1, baseDelayMs: 0 },
    });
    await trino.query('select 1');
    return true;
  } catch {
    return false;
  }
}

/**
 * Runs every stage once on the lake in dataDir (empty, or holding only models/). With `cold`, the
 * predictive category runs twice: first training the catalog models from nothing (reported as its own
 * stage), then again reusing them, which is what every later run does.
 */
export async function runPass(data: BenchData, dataDir: string, log: (m: string) => void, cold: boolean, onStage: (sofar: StageMeasure[]) => void = () => {}): Promise<StageMeasure[]> {
  const out: StageMeasure[] = [];
  // Reported after every stage, so a long (large-scale) run leaves figures even if it is stopped.
  const add = (m: StageMeasure) => { out.push(m); onStage(out); };
  const lake: Lake = { dataDir, tables: null };
  add(await cliStage('ingest kaggle', lake, [['ingest', 'kaggle', data.catalogCsv]], log));
  add(await cliStage('ingest export', lake, [['ingest', 'export', writeListenerManifest(data), '--listener-dirs']], log));
  add(await cliStage('build synthetic', lake, [['build', 'synthetic']], log));
  add(await cliStage('build silver', lake, [['build', 'silver']], log));
  add(await runEngineFloor(dataDir, log));
  for (const c of GOLD_CATEGORIES) {
    if (c === 'predictive' && cold) add(await cliStage(COLD_STAGE, lake, [['build', 'gold', '--category', c]], log));
    add(await cliStage(`build gold ${c}`, lake, [['build', 'gold', '--category', c]], log));
  }
  if (await trinoAnswers()) add(await cliStage('publish', lake, [['publish']], log));
  else add({ stage: 'publish', status: 'skipped', note: 'TRINO_URL not set, or Trino not answering select 1 as TRINO_USER (TRINO_PASSWORD, TRINO_CA_FILE)', wall_ms: null, cli_wall_ms: null, max_rss_kb: null, cpu_ms: null, rows: null, processes: 0 });
  return out;
}

/**
 * All listeners are imported by one `ingest export --listener-dirs` call, as a study would load its
 * participants: one staging pass, one dedup against bronze, one new version. Their time zones come
 * from listeners.csv beside their folders.
 */
function writeListenerManifest(data: BenchData): string {
  const root = exportsRoot(data);
  const csv = ['listener_id,timezone', ...data.listeners.map((l) => `${l.id},${l.timezone}`)].join('\n');
  writeFileSync(join(root, 'listeners.csv'), `${csv}\n`);
  return root;
}

/** The folder holding every listener's export folder (and, once a pass ran, listeners.csv). */
export function exportsRoot(data: BenchData): string {
  const roots = [...new Set(data.listeners.map((l) => dirname(l.dir)))];
  if (roots.length !== 1) throw new Error(`bench: listeners' folders are expected under one root, got ${roots.join(', ')}`);
  return roots[0];
}
