// Chart and dashboard configs in Superset's export format (the same keys its export writes).
import { chartParams, vizType } from './chart-kinds.ts';
import type { ChartSpec, DashboardSpec } from './dashboard-spec.ts';
import { queryContext } from './query-context.ts';
import { assetUuid } from './uuid.ts';
import { SERIES_COLOURS } from './colours.ts';

type Json = Record<string, unknown>;

export function chartUuid(chart: Pick<ChartSpec, 'key'>): string {
  return assetUuid('chart', chart.key);
}

export function dashboardUuid(dash: Pick<DashboardSpec, 'key'>): string {
  return assetUuid('dashboard', dash.key);
}

export function chartConfig(chart: ChartSpec, datasetUuid: string): Json {
  return {
    slice_name: chart.title,
    description: chart.description,
    certified_by: null,
    certification_details: null,
    viz_type: vizType(chart.chart),
    params: chartParams(chart.chart),
    query_context: queryContext(chart.chart),
    cache_timeout: null,
    uuid: chartUuid(chart),
    version: '1.0.0',
    dataset_uuid: datasetUuid,
  };
}

const CHART_HEIGHT = 50;

/** Rows of charts, filled left to right up to 12 columns; position keys follow Superset's v2 layout. */
function layout(dash: DashboardSpec, charts: ChartSpec[], extraChartUuids: string[]): Json {
  const position: Json = {
    DASHBOARD_VERSION_KEY: 'v2',
    ROOT_ID: { type: 'ROOT', id: 'ROOT_ID', children: ['GRID_ID'] },
    HEADER_ID: { id: 'HEADER_ID', type: 'HEADER', meta: { text: dash.title } },
    GRID_ID: { type: 'GRID', id: 'GRID_ID', children: [] as string[], parents: ['ROOT_ID'] },
  };
  const grid = (position.GRID_ID as { children: string[] }).children;
  const newRow = () => {
    const id = `ROW-${dash.key}-${grid.length + 1}`;
    grid.push(id);
    position[id] = { type: 'ROW', id, children: [] as string[], parents: ['ROOT_ID', 'GRID_ID'], meta: { background: 'BACKGROUND_TRANSPARENT' } };
    return { id, children: (position[id] as { children: string[] }).children, used: 0 };
  };
  let row = newRow();
  const introId = `MARKDOWN-${dash.key}-intro`;
  position[introId] = { type: 'MARKDOWN', id: introId, children: [], parents: ['ROOT_ID', 'GRID_ID', row.id], meta: { width: 12, height: 20, code: dash.intro } };
  row.children.push(introId);
  row.used = 12;
  const items = [...charts.map((c) => ({ uuid: chartUuid(c), name: c.title, width: c.width ?? 6 })),
    ...extraChartUuids.map((uuid) => ({ uuid, name: undefined, width: 6 }))];
  items.forEach((item, i) => {
    if (row.used + item.width > 12) row = newRow();
    const id = `CHART-${item.uuid.slice(0, 8)}`;
    position[id] = {
      type: 'CHART', id, children: [], parents: ['ROOT_ID', 'GRID_ID', row.id],
      meta: { width: item.width, height: CHART_HEIGHT, chartId: i + 1, uuid: item.uuid, ...(item.name ? { sliceName: item.name } : {}) },
    };
    row.children.push(id);
    row.used += item.width;
  });
  return position;
}

function listenerFilter(dash: DashboardSpec, datasetUuid: string, excluded: number[]): Json {
  return {
    id: `NATIVE_FILTER-${dash.key}-listener`,
    name: 'Listener',
    filterType: 'filter_select',
    type: 'NATIVE_FILTER',
    description: 'Show one or more listeners; empty shows all.',
    targets: [{ column: { name: 'listener_id' }, datasetUuid }],
    controlValues: { enableEmptyFilter: false, defaultToFirstItem: false, multiSelect: true, searchAllOptions: false, inverseSelection: false },
    defaultDataMask: { extraFormData: {}, filterState: {}, ownState: {} },
    cascadeParentIds: [],
    scope: { rootPath: ['ROOT_ID'], excluded },
  };
}

/**
 * The dashboard config. `filterDatasetUuid` is the dataset the listener filter reads its values
 * from (null: no listener column on this dashboard); `extraChartUuids` are charts an analyst added
 * in the UI, kept at the end.
 */
export function dashboardConfig(dash: DashboardSpec, charts: ChartSpec[], filterDatasetUuid: string | null, extraChartUuids: string[] = [], unfilteredKeys: ReadonlySet<string> = new Set()): Json {
  // Position chart ids are 1-based indexes of the charts (layout()); the import maps them to real ids.
  const excluded = charts.flatMap((c, i) => (unfilteredKeys.has(c.key) ? [i + 1] : []));
  return {
    dashboard_title: dash.title,
    description: null,
    css: '',
    slug: dash.slug,
    certified_by: null,
    certification_details: null,
    published: true,
    uuid: dashboardUuid(dash),
    position: layout(dash, charts, extraChartUuids),
    metadata: {
      color_scheme: 'supersetColors',
      refresh_frequency: 0,
      expanded_slices: {},
      label_colors: SERIES_COLOURS,
      timed_refresh_immune_slices: [],
      cross_filters_enabled: true,
      default_filters: '{}',
      shared_label_colors: [],
      color_scheme_domain: [],
      native_filter_configuration: filterDatasetUuid ? [listenerFilter(dash, filterDatasetUuid, excluded)] : [],
    },
    version: '1.0.0',
  };
}
