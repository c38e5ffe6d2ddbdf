// Renders the Superset export bundle (superset/assets/) from the table declarations (datasets) and
// the dashboard files under superset/dashboards/ (built-in charts and dashboards); superset/generate.ts
// writes or checks it. A declared table that no built-in chart covers yet (not in a dashboard file, or
// a column renamed) gets a table chart of all its columns on the dashboard that lists its category, so
// every table has a chart. Charts an analyst added in the UI and exported (scripts/superset-export.sh)
// are kept: their files are never touched, and a built-in dashboard keeps them at its end.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';
import type { TableSpec } from '../../lib/table-spec.ts';
import type { ChartKind } from './chart-kinds.ts';
import { DASHBOARDS, type ChartSpec, type DashboardSpec } from './dashboard-spec.ts';
import { chartConfig, chartUuid, dashboardConfig } from './dashboard-yaml.ts';
import { datasetUuid, renderDatasets, toYaml } from './datasets.ts';
import { columnsIn } from './metrics.ts';

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
function planCharts(dashboards: DashboardSpec[], specs: TableSpec[], byName: Map<string, TableSpec>, skipped: string[], fallbacks: string[]): Map<string, ChartSpec[]> {
  const plan = new Map<string, ChartSpec[]>();
  const covered = new Set<string>();
  const byCategory = new Map(dashboards.flatMap((d) => (d.categories ?? []).map((c) => [c, d.key] as const)));
  for (const dash of dashboards) {
    plan.set(dash.key, dash.charts.filter((c) => {
      const why = missingFor(c, byName);
      if (why) skipped.push(`${dash.title} / ${c.title}: ${why}`);
      else covered.add(c.table);
      return !why;
    }));
  }
  for (const spec of specs) {
    const dashKey = byCategory.get(spec.layer === 'ops' ? 'ops' : spec.category ?? '');
    if (covered.has(`${spec.layer}.${spec.name}`) || !dashKey) continue;
    plan.get(dashKey)!.push(fallbackChart(spec));
    fallbacks.push(`${spec.layer}.${spec.name}`);
  }
  return plan;
}

export function renderAssets(specs: TableSpec[], assetsDir: string, dashboards: DashboardSpec[] = DASHBOARDS): RenderResult {
  const byName = new Map(specs.map((s) => [`${s.layer}.${s.name}`, s]));
  const files = renderDatasets(specs);
  const skipped: string[] = [];
  const fallbacks: string[] = [];
  const plan = planCharts(dashboards, specs, byName, skipped, fallbacks);
  for (const dash of dashboards) {
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
