// What the Superset stack test needs besides the API and the browser: the bundle's dashboards and
// the tables they read, which of those Trino serves, publishing the demo lake when they are missing,
// and a snapshot of Superset's objects to prove the bootstrap idempotent.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import YAML from 'yaml';
import { TrinoClient } from '../../lib/trino/client.ts';
import { supersetHome, type SupersetApi } from './api.ts';
import { ASSETS_DIR, REPO_ROOT } from '../lib/datasets.ts';

export interface BundleDashboard {
  title: string; slug: string; charts: number; tables: string[]; listenerFilter: string | null;
  /** Charts outside the listener filter's scope (their tables have no listener_id). */
  unfilteredCharts: string[];
}

function yamlFiles(dir: string): Record<string, unknown>[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true }).map(String).filter((f) => f.endsWith('.yaml'))
    .map((f) => YAML.parse(readFileSync(join(dir, f), 'utf8')) as Record<string, unknown>);
}

/** The bundle the native bootstrap imported: regenerated under SUPERSET_HOME, else superset/assets. */
export function importedBundleDir(): string {
  const build = join(supersetHome(), 'assets-build');
  return existsSync(join(build, 'metadata.yaml')) ? build : ASSETS_DIR;
}

/** The dashboards of a bundle with the layer.table of every chart's dataset. */
export function bundleDashboards(assetsDir = importedBundleDir()): BundleDashboard[] {
  const datasets = new Map(yamlFiles(join(assetsDir, 'datasets')).map((d) => [d.uuid, `${d.schema}.${d.table_name}`]));
  const charts = new Map(yamlFiles(join(assetsDir, 'charts')).map((c) => [c.uuid, datasets.get(c.dataset_uuid)]));
  return yamlFiles(join(assetsDir, 'dashboards')).map((d) => {
    const uuids = Object.values(d.position as Record<string, { type?: string; meta?: { uuid?: string } }>)
      .filter((p) => p?.type === 'CHART').map((p) => p.meta?.uuid);
    const tables = [...new Set(uuids.map((u) => charts.get(u)).filter((t): t is string => !!t))].sort();
    const filters = ((d.metadata as Record<string, unknown>)?.native_filter_configuration ?? []) as { id: string; targets: { column: { name: string } }[]; scope?: { excluded?: number[] } }[];
    const filter = filters.find((f) => f.targets?.[0]?.column?.name === 'listener_id');
    const listenerFilter = filter?.id ?? null;
    const excluded = new Set(filter?.scope?.excluded ?? []);
    const unfilteredCharts = Object.values(d.position as Record<string, { type?: string; meta?: { chartId?: number; sliceName?: string } }>)
      .filter((p) => p?.type === 'CHART' && excluded.has(p.meta?.chartId ?? -1)).map((p) => String(p.meta?.sliceName));
    return { title: String(d.dashboard_title), slug: String(d.slug), charts: uuids.length, tables, listenerFilter, unfilteredCharts };
  });
}

export interface BundleChart {
  name: string; table: string; queryContext: string;
  /** Its dataset has listener_id: analysts see it, filtered to their studies. */
  perListener: boolean;
}

/** Every chart of a bundle by name, with its dataset's layer.table and its saved query context. */
export function bundleCharts(assetsDir = importedBundleDir()): Map<string, BundleChart> {
  const docs = yamlFiles(join(assetsDir, 'datasets'));
  const datasets = new Map(docs.map((d) => [d.uuid, `${d.schema}.${d.table_name}`]));
  const perListener = new Set(docs.filter((d) => (d.columns as { column_name: string }[]).some((c) => c.column_name === 'listener_id')).map((d) => d.uuid));
  return new Map(yamlFiles(join(assetsDir, 'charts')).map((c) => [String(c.slice_name),
    { name: String(c.slice_name), table: String(datasets.get(c.dataset_uuid)), queryContext: String(c.query_context), perListener: perListener.has(c.dataset_uuid) }]));
}

/** Rows of a query through the embedded engine, as `lakehouse query --json` prints them. */
export function duckdbRows(sql: string, dataDir: string): Record<string, unknown>[] {
  const res = spawnSync(process.execPath, [join(REPO_ROOT, 'bin', 'lakehouse.js'), 'query', '--json', sql, '--data-dir', dataDir], {
    cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, LOG_LEVEL: 'warn' }, timeout: 120_000, maxBuffer: 256 * 1024 * 1024,
  });
  if (res.status !== 0) throw new Error(`lakehouse query ${sql}: exit ${res.status}\n${res.stderr.slice(-2000)}`);
  return JSON.parse(res.stdout) as Record<string, unknown>[];
}

/** Rows of many queries through one read-only embedded lake (as `lakehouse query --json` prints them, minus local offsets). */
export async function lakeRows(sqls: string[], dataDir: string): Promise<Record<string, unknown>[][]> {
  const { withReadOnlyLake } = await import('../../lib/read-only.ts');
  const { loadConfig } = await import('../../lib/config.ts');
  const { readerToJsonRows } = await import('../../lib/json-values.ts');
  return withReadOnlyLake(loadConfig({ dataDir }), async (lake) => {
    const out: Record<string, unknown>[][] = [];
    for (const sql of sqls) out.push(readerToJsonRows(await lake.conn.runAndReadAll(sql)));
    return out;
  });
}

export function trinoUrl(): string {
  return process.env.TRINO_URL ?? `http://127.0.0.1:${process.env.TRINO_PORT ?? '8080'}`;
}

export async function trinoUp(url = trinoUrl()): Promise<boolean> {
  try {
    return (await fetch(`${url}/v1/info`, { signal: AbortSignal.timeout(5000) })).ok;
  } catch {
    return false;
  }
}

/** Trino as Superset's connection sees it: the read-only user superset (scripts/test-stack.sh sets its password and the CA). */
function supersetTrino(url: string): TrinoClient {
  return new TrinoClient(url, 'superset', { password: process.env.TRINO_SUPERSET_PASSWORD, caFile: process.env.TRINO_CA_FILE });
}

/** gold.* and ops.* tables (and views) Trino serves in the lakehouse catalog. */
export async function publishedTables(url = trinoUrl()): Promise<Set<string>> {
  const trino = supersetTrino(url);
  const res = await trino.query("select table_schema || '.' || table_name from lakehouse.information_schema.tables where table_schema in ('gold', 'ops')");
  return new Set(res.rows.map((r) => String(r[0])));
}

/** One listener that has rows in the table, to apply a dashboard's listener filter with. */
export async function someListener(table: string, url = trinoUrl()): Promise<string | null> {
  const trino = supersetTrino(url);
  const res = await trino.query(`select min(listener_id) from lakehouse.${table}`);
  return (res.rows[0]?.[0] as string | null) ?? null;
}

/** The dashboard URL with its native listener filter set to one listener (rison, as Superset writes it). */
export function filteredUrl(base: string, filterId: string, listener: string): string {
  const value = `'${listener.replace(/'/g, "!'")}'`;
  const state = `(${filterId}:(extraFormData:(filters:!((col:listener_id,op:IN,val:!(${value})))),filterState:(value:!(${value})),id:${filterId},ownState:()))`;
  return `${base}?native_filters=${encodeURIComponent(state)}`;
}

/** Runs a `lakehouse` verb on the data dir Trino serves; throws with its stderr when it fails. */
export function lakehouse(args: string[], dataDir: string): void {
  const res = spawnSync(process.execPath, [join(REPO_ROOT, 'bin', 'lakehouse.js'), ...args, '--data-dir', dataDir], {
    cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, TRINO_URL: trinoUrl(), LOG_LEVEL: 'warn' }, timeout: 600_000,
  });
  if (res.status !== 0) throw new Error(`lakehouse ${args.join(' ')}: exit ${res.status}\n${res.stderr.slice(-2000)}`);
}

/** Builds the demo lake in the data dir Trino serves and publishes it (only when `publish` exists). */
export function publishDemo(dataDir: string): boolean {
  if (!existsSync(join(REPO_ROOT, 'cli', 'commands', 'publish.ts'))) return false;
  lakehouse(['run', '--demo'], dataDir);
  lakehouse(['publish'], dataDir);
  return true;
}

export function runScript(script: string, args: string[] = [], env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const res = spawnSync('bash', [join(REPO_ROOT, 'scripts', script), ...args], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 600_000, env: { ...process.env, ...env } });
  return { status: res.status, stdout: res.stdout ?? '', stderr: `${res.stderr ?? ''}${res.error ? String(res.error) : ''}` };
}

/** Superset's objects (ids and names) and its full export (scripts/superset-export.sh), minus the timestamp. */
export async function snapshot(api: SupersetApi): Promise<Record<string, unknown>> {
  const out = mkdtempSync(join(tmpdir(), 'superset-export-'));
  try {
    const res = runScript('superset-export.sh', ['--out', out], { SUPERSET_EXPORT_RAW: '1' });
    if (res.status !== 0) throw new Error(`superset-export.sh failed:\n${res.stderr.slice(-2000)}`);
    const files = readdirSync(out, { recursive: true }).map(String).filter((f) => f.endsWith('.yaml') && f !== 'metadata.yaml').sort();
    return {
      databases: await api.list('database', ['database_name']),
      datasets: await api.list('dataset', ['table_name', 'schema']),
      charts: await api.list('chart', ['slice_name']),
      dashboards: await api.list('dashboard', ['dashboard_title']),
      export: Object.fromEntries(files.map((f) => [relative(out, join(out, f)), readFileSync(join(out, f), 'utf8')])),
    };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
