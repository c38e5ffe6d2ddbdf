// The saved query context of a chart: what GET /api/v1/chart/<id>/data/ runs. The browser builds
// its own queries from the params; this one asks for the same columns and metrics, without the
// chart-specific post-processing, so the API returns the chart's rows as a table.
import { adhocMetric, chartParams, type ChartKind, type Dim, type Metric } from './chart-kinds.ts';

type Json = Record<string, unknown>;

function column(d: Dim, axis = false): unknown {
  if (typeof d === 'string' && !axis) return d;
  const [label, sql] = typeof d === 'string' ? [d, d] : [d.label, d.sql];
  return axis
    ? { columnType: 'BASE_AXIS', label, sqlExpression: sql, expressionType: 'SQL' }
    : { label, sqlExpression: sql, expressionType: 'SQL' };
}

function query(columns: unknown[], metrics: Metric[] | undefined, extra: Json = {}): Json {
  const adhoc = metrics?.map(adhocMetric);
  return {
    filters: [],
    extras: { having: '', where: '' },
    applied_time_extras: {},
    columns,
    ...(adhoc ? { metrics: adhoc, orderby: adhoc.length ? [[adhoc[0], false]] : [] } : {}),
    annotation_layers: [],
    row_limit: 10000,
    series_limit: 0,
    order_desc: true,
    url_params: {},
    custom_params: {},
    custom_form_data: {},
    ...extra,
  };
}

function queries(k: ChartKind): Json[] {
  const where = k.where ? `(${k.where})` : '';
  return baseQueries(k).map((q) => ({ ...q, extras: { having: '', where } }));
}

function baseQueries(k: ChartKind): Json[] {
  switch (k.kind) {
    case 'line':
    case 'bar':
      return [query([column(k.x, true), ...(k.groupby ?? [])], k.metrics, { series_columns: k.groupby ?? [] })];
    case 'mixed':
      return [
        query([column(k.x, true), ...(k.groupby ?? [])], k.metrics, { series_columns: k.groupby ?? [] }),
        query([column(k.x, true)], k.metricsB),
      ];
    case 'table': {
      const base = query(k.groupby, k.metrics, { row_limit: k.rowLimit ?? 100 });
      return [{ ...base, orderby: [[adhocMetric(k.sortBy ?? k.metrics[0]), false]] }];
    }
    case 'raw':
      return [query(k.columns, undefined, {
        orderby: k.orderBy,
        row_limit: k.rowLimit ?? 1000,
      })];
    case 'pie':
      return [query(k.groupby, [k.metric], { row_limit: 100 })];
    case 'big_number':
      return [query([], [k.metric])];
    case 'heatmap':
      return [query([column(k.x), column(k.y)], [k.metric])];
  }
}

/** JSON text of the query context; the datasource id is a placeholder the import replaces. */
export function queryContext(k: ChartKind): string {
  return JSON.stringify({
    datasource: { id: 0, type: 'table' },
    force: false,
    queries: queries(k),
    form_data: { ...chartParams(k), datasource: '0__table' },
    result_format: 'json',
    result_type: 'full',
  });
}
