// Generates the Superset export bundle under superset/assets/ from the table declarations (datasets)
// and scripts/superset-charts*.ts (built-in charts and dashboards):
//   npx tsx scripts/superset-assets.ts          write the YAML files
//   npx tsx scripts/superset-assets.ts --check  exit 1 when a file is out of date
//   npx tsx scripts/superset-assets.ts --out D  write into D instead (the native bootstrap does this)
// A declared table that no built-in chart covers yet (not in the charts spec, or a column renamed)
// gets a table chart of all its columns on its category's dashboard, so every table has a chart.
// Charts an analyst added in the UI and exported (scripts/superset-export.sh) are kept: their files
// are never touched, and a built-in dashboard keeps them at its end.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import type { TableSpec } from '../lib/table-spec.ts';
import type { ChartKind } from './superset-chart-kinds.ts';
import { DASHBOARDS, type ChartSpec, type DashboardSpec } from './superset-charts.ts';
import { chartConfig, chartUuid, dashboardConfig } from './superset-dashboard-yaml.ts';
import { ASSETS_DIR, datasetUuid, loadDatasetSpecs, renderDatasets, toYaml } from './superset-datasets.ts';
import { columnsIn } from './superset-metrics.ts';

const COLUMN_KEYS = ['x', 'y', 'groupby', 'columns', 'orderBy', 'where', 'metric', 'metrics', 'metricsB', 'sortBy'];

/** Columns a chart reads (plain names and the identifiers in its SQL). */
export function chartColumns(kind: ChartKind): string[] {
  const sqls: string[] = [];
  const add = (x: unknown) => {
    if (typeof x === 'string') sqls.push(x);
    else if (Array.isArray(x)) add(x[0]);
    else if (x && typeof x === 'object' && 'sql' in x) sqls.push(String((x as { sql: string }).sql));
  };
  for (const key of COLUMN_KEYS) {
    const value = (kind as Record<string, unknown>)[key];
    if (Array.isArray(value)) value.forEach(add);
    else add(value);
  }
  return [...new Set(sqls.flatMap(columnsIn))];
}

/** Why a chart cannot be built on the declared tables, or null when it can. */
export function missingFor(chart: ChartSpec, specs: Map<string, TableSpec>): string | null {
  const spec = specs.get(chart.table);
  if (!spec) return `${chart.table} is not declared`;
  const have = new Set(spec.columns.map((c) => c.name));
  const missing = chartColumns(chart.chart).filter((c) => !have.has(c));
  return missing.length ? `${chart.table} has no column ${missing.join(', ')}` : null;
}

export function chartFile(chart: ChartSpec): string {
  return `charts/${chart.key}.yaml`;
}

export function dashboardFile(dash: DashboardSpec): string {
  return `dashboards/${dash.key}.yaml`;
}

/** Chart uuids in an existing dashboard file that no built-in chart owns (added in the UI). */
function foreignCharts(assetsDir: string, dash: DashboardSpec, generated: ChartSpec[]): string[] {
  const path = join(assetsDir, dashboardFile(dash));
  if (!existsSync(path)) return [];
  const owned = new Set([...dash.charts, ...generated].map(chartUuid));
  const position = (YAML.parse(readFileSync(path, 'utf8'))?.position ?? {}) as Record<string, { type?: string; meta?: { uuid?: string } }>;
  return Object.values(position)
    .filter((c) => c?.type === 'CHART' && c.meta?.uuid && !owned.has(c.meta.uuid))
    .map((c) => c.meta!.uuid!);
}

export interface RenderResult { files: Map<string, string>; skipped: string[]; fallbacks: string[] }

const CATEGORY_DASHBOARD: Record<string, string> = {
  descriptive: 'descriptive', diagnostic: 'diagnostic', predictive: 'predictive',
  prescriptive: 'prescriptive', cognitive: 'cognitive', ops: 'operations',
};

/** A plain table of every column, for a declared table no built-in chart covers yet. */
export function fallbackChart(spec: TableSpec): ChartSpec {
  return {
    key: `table-${spec.layer}-${spec.name}`,
    title: `${spec.name} (all columns)`,
    table: `${spec.layer}.${spec.name}`,
    description: spec.description,
    width: 12,
    chart: { kind: 'raw', columns: spec.columns.map((c) => c.name), orderBy: spec.grain.map((g) => [g, true] as [string, boolean]) },
  };
}

/** The charts each dashboard gets: its spec's buildable charts, plus fallbacks for uncovered tables. */
function planCharts(specs: TableSpec[], byName: Map<string, TableSpec>, skipped: string[], fallbacks: string[]): Map<string, ChartSpec[]> {
  const plan = new Map<string, ChartSpec[]>();
  const covered = new Set<string>();
  for (const dash of DASHBOARDS) {
    plan.set(dash.key, dash.charts.filter((c) => {
      const why = missingFor(c, byName);
      if (why) skipped.push(`${dash.title} / ${c.title}: ${why}`);
      else covered.add(c.table);
      return !why;
    }));
  }
  for (const spec of specs) {
    const dashKey = CATEGORY_DASHBOARD[spec.layer === 'ops' ? 'ops' : spec.category ?? ''];
    if (covered.has(`${spec.layer}.${spec.name}`) || !dashKey) continue;
    plan.get(dashKey)!.push(fallbackChart(spec));
    fallbacks.push(`${spec.layer}.${spec.name}`);
  }
  return plan;
}

export function renderAssets(specs: TableSpec[], assetsDir: string): RenderResult {
  const byName = new Map(specs.map((s) => [`${s.layer}.${s.name}`, s]));
  const files = renderDatasets(specs);
  const skipped: string[] = [];
  const fallbacks: string[] = [];
  const plan = planCharts(specs, byName, skipped, fallbacks);
  for (const dash of DASHBOARDS) {
    const charts = plan.get(dash.key)!;
    if (charts.length === 0) continue;
    for (const c of charts) files.set(chartFile(c), toYaml(chartConfig(c, datasetUuid(byName.get(c.table)!))));
    const withListener = charts.find((c) => byName.get(c.table)!.columns.some((col) => col.name === 'listener_id'));
    const filterDataset = withListener ? datasetUuid(byName.get(withListener.table)!) : null;
    // Charts on tables without listener_id (cohort-level results) stay outside the listener filter's scope.
    const unfiltered = new Set(charts.filter((c) => !byName.get(c.table)!.columns.some((col) => col.name === 'listener_id')).map((c) => c.key));
    files.set(dashboardFile(dash), toYaml(dashboardConfig(dash, charts, filterDataset, foreignCharts(assetsDir, dash, charts), unfiltered)));
  }
  return { files, skipped, fallbacks };
}

async function main(): Promise<void> {
  const check = process.argv.includes('--check');
  const outIndex = process.argv.indexOf('--out');
  const out = outIndex > 0 ? resolve(process.argv[outIndex + 1]) : ASSETS_DIR;
  const { files, skipped, fallbacks } = renderAssets(await loadDatasetSpecs(), out);
  for (const s of skipped) process.stderr.write(`superset assets: skipped ${s}\n`);
  for (const t of fallbacks) process.stderr.write(`superset assets: ${t} has no built-in chart yet; added a table of all its columns\n`);
  let outdated = 0;
  for (const [rel, text] of files) {
    const path = join(out, rel);
    if (existsSync(path) && readFileSync(path, 'utf8') === text) continue;
    outdated++;
    if (check) { process.stderr.write(`superset assets: out of date ${rel}\n`); continue; }
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
    process.stderr.write(`superset assets: wrote ${rel}\n`);
  }
  if (check && outdated > 0) {
    process.stderr.write('superset assets: run `npx tsx scripts/superset-assets.ts` and commit the result\n');
    process.exitCode = 1;
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
