// The built-in dashboards: which charts each shows, on which gold table. scripts/superset-assets.ts
// turns this into the Superset export YAML under superset/assets/. A chart whose table is not
// declared yet, or that reads a column its table does not declare, is left out (with a warning)
// until the declaration lands.
import type { ChartKind } from './superset-chart-kinds.ts';
import { OVERVIEW, DESCRIPTIVE, DIAGNOSTIC } from './superset-charts-analytics.ts';
import { PREDICTIVE, PRESCRIPTIVE, COGNITIVE, OPERATIONS } from './superset-charts-models.ts';
import { BEHAVIOUR } from './superset-charts-behaviour.ts';

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
  key: string;
  title: string;
  slug: string;
  /** Markdown shown at the top of the dashboard. */
  intro: string;
  charts: ChartSpec[];
  /** Dashboards without a per-listener table (operations) have no listener filter. */
  listenerFilter?: boolean;
}

export const DASHBOARDS: DashboardSpec[] = [OVERVIEW, DESCRIPTIVE, DIAGNOSTIC, BEHAVIOUR, PREDICTIVE, PRESCRIPTIVE, COGNITIVE, OPERATIONS];
