// What a built-in dashboard is: one file per dashboard under superset/dashboards/ (like one file per
// gold table), default-exporting a DashboardSpec whose key is the file name. The generator
// (superset/generate.ts) finds them by listing the folder: adding a dashboard is adding a file.
// A chart whose table is not declared yet, or that reads a column its table does not declare, is
// left out (with a warning) until the declaration lands.
import { readdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ChartKind } from './chart-kinds.ts';

export interface ChartSpec {
  /** Stable key: the chart's uuid and file name derive from it. */
  key: string;
  title: string;
  /** layer.table, e.g. gold.temporal_trends. */
  table: string;
  description: string;
  chart: ChartKind;
  /** Grid width out of 12 (default 6). */
  width?: number;
  /** Shows only counts of plays (no feature-derived value), so it needs no synthetic share. */
  countsOnly?: boolean;
  /** A single-metric chart (heatmap) whose synthetic share is shown by this companion chart beside it. */
  syntheticShownBy?: string;
}

export interface DashboardSpec {
  /** The file name under superset/dashboards/ (without .ts); the dashboard's uuid and YAML file derive from it. */
  key: string;
  title: string;
  slug: string;
  /** Markdown shown at the top of the dashboard. */
  intro: string;
  charts: ChartSpec[];
  /**
   * Table categories (gold/<category>/, or `ops`) whose declared tables without a built-in chart get
   * a table chart of all their columns on this dashboard.
   */
  categories?: string[];
  /** Dashboards without a per-listener table (operations) have no listener filter. */
  listenerFilter?: boolean;
}

export const DASHBOARDS_DIR = resolve(fileURLToPath(new URL('../dashboards', import.meta.url)));

export class DashboardSpecError extends Error {
  override name = 'DashboardSpecError';
}

/** Every dashboard file of the folder, sorted by file name. */
export async function loadDashboards(dir = DASHBOARDS_DIR): Promise<DashboardSpec[]> {
  const files = readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts')).sort();
  const out: DashboardSpec[] = [];
  for (const file of files) {
    const dash = ((await import(pathToFileURL(join(dir, file)).href)) as { default?: DashboardSpec }).default;
    const stem = basename(file, '.ts');
    if (!dash || typeof dash !== 'object' || !Array.isArray(dash.charts)) {
      throw new DashboardSpecError(`${join(dir, file)}: no default export of a DashboardSpec (export default { key, title, slug, intro, charts })`);
    }
    if (dash.key !== stem) throw new DashboardSpecError(`${join(dir, file)}: key '${dash.key}' must be the file name '${stem}'`);
    out.push(dash);
  }
  return out;
}

/** The built-in dashboards (superset/dashboards/*.ts). */
export const DASHBOARDS: DashboardSpec[] = await loadDashboards();
