// Superset chart params (form data) and saved query contexts for the few chart kinds the built-in
// dashboards use. The params are what Explore saves (the browser builds its queries from them); the
// query context is what GET /api/v1/chart/<id>/data/ runs. Both carry the same columns and metrics.

/** A SQL metric: an aggregate expression over the dataset's columns, with its label. */
export interface Metric { label: string; sql: string }

/** A dimension: a column name, or a labelled SQL expression (e.g. to order categories). */
export type Dim = string | { label: string; sql: string };

export type ChartKind =
  | { kind: 'line' | 'bar'; x: Dim; temporal?: boolean; metrics: Metric[]; groupby?: string[]; stack?: boolean; where?: string;
      /** Order the x categories by the first metric, largest first (so the leading one always has its label), with slanted labels. */
      byValue?: boolean }
  | { kind: 'mixed'; x: Dim; metrics: Metric[]; groupby?: string[]; metricsB: Metric[]; where?: string }
  | { kind: 'table'; groupby: string[]; metrics: Metric[]; sortBy?: Metric; rowLimit?: number; where?: string }
  | { kind: 'raw'; columns: string[]; orderBy: [string, boolean][]; where?: string; rowLimit?: number }
  | { kind: 'pie'; groupby: string[]; metric: Metric; where?: string }
  | { kind: 'big_number'; metric: Metric; subheader?: string; format?: string; where?: string }
  | { kind: 'heatmap'; x: Dim; y: Dim; metric: Metric; where?: string;
      /** A diverging colour scale centred on the middle of these bounds (e.g. correlations: [-1, 1]); default sequential. */
      diverging?: [number, number] };

type Json = Record<string, unknown>;

export function adhocMetric(m: Metric): Json {
  return {
    expressionType: 'SQL',
    sqlExpression: m.sql,
    label: m.label,
    hasCustomLabel: true,
    optionName: `metric_${m.label.toLowerCase().replace(/[^a-z0-9]+/g, '_')}`,
  };
}

function dimParam(d: Dim): unknown {
  return typeof d === 'string' ? d : { label: d.label, sqlExpression: d.sql, expressionType: 'SQL' };
}

function dimName(d: Dim): string {
  return typeof d === 'string' ? d : d.label;
}

function filters(where: string | undefined): Json[] {
  return where ? [{ clause: 'WHERE', expressionType: 'SQL', sqlExpression: where, subject: null, operator: null, comparator: null }] : [];
}

// Shares are 0-1: three decimals, trailing zeros trimmed, instead of full double precision.
const SHARE_FORMAT = { d3NumberFormat: '.3~f', d3SmallNumberFormat: '.3~f' };
/** Columns of raw tables shown with three decimals: shares, metric values and their intervals. */
const THREE_DECIMALS = /(share|_value|_ci_low|_ci_high|^cv_mean|^cv_std)$/;

const VIZ: Record<ChartKind['kind'], string> = {
  line: 'echarts_timeseries_line',
  bar: 'echarts_timeseries_bar',
  mixed: 'mixed_timeseries',
  table: 'table',
  raw: 'table',
  pie: 'pie',
  big_number: 'big_number_total',
  heatmap: 'heatmap_v2',
};

export function vizType(kind: ChartKind): string {
  return VIZ[kind.kind];
}

const AXIS_COMMON = {
  x_axis_sort_asc: true,
  x_axis_sort_series: 'name',
  x_axis_sort_series_ascending: true,
  x_axis_time_format: 'smart_date',
  x_axis_title_margin: 15,
  y_axis_title_margin: 15,
  y_axis_title_position: 'Left',
  y_axis_format: 'SMART_NUMBER',
  y_axis_bounds: [null, null],
  truncateXAxis: true,
  rich_tooltip: true,
  tooltipTimeFormat: 'smart_date',
  show_legend: true,
  legendType: 'scroll',
  legendOrientation: 'top',
  color_scheme: 'supersetColors',
  annotation_layers: [],
  row_limit: 10000,
  order_desc: true,
};

function axisParams(k: Extract<ChartKind, { x: Dim }>, temporal: boolean): Json {
  const x = dimName(k.x);
  return {
    ...AXIS_COMMON,
    x_axis: dimParam(k.x),
    x_axis_sort: temporal ? undefined : x,
    time_grain_sqla: temporal ? 'P1D' : null,
    adhoc_filters: [
      ...(temporal && typeof k.x === 'string'
        ? [{ clause: 'WHERE', comparator: 'No filter', expressionType: 'SIMPLE', operator: 'TEMPORAL_RANGE', subject: k.x }]
        : []),
      ...filters(k.where),
    ],
  };
}

/** Categories largest first: by the metric, or with series (groupby) by their sum across series; slanted labels. */
function byValueParams(k: Extract<ChartKind, { kind: 'line' | 'bar' }>): Json {
  const order = k.groupby?.length
    ? { x_axis_sort_series: 'sum', x_axis_sort_series_ascending: false }
    : { x_axis_sort: k.metrics[0].label, x_axis_sort_asc: false };
  return { ...order, xAxisLabelRotation: 45 };
}

/** Chart params (form data) without the datasource, which the import fills in. */
export function chartParams(k: ChartKind): Json {
  const viz_type = vizType(k);
  switch (k.kind) {
    case 'line':
    case 'bar':
      return {
        viz_type, ...axisParams(k, !!k.temporal), metrics: k.metrics.map(adhocMetric), groupby: k.groupby ?? [],
        ...(k.byValue ? byValueParams(k) : {}),
        stack: k.stack ? 'Stack' : null, orientation: 'vertical', only_total: true, markerEnabled: k.kind === 'line',
        markerSize: 6, seriesType: 'line', sort_series_type: 'sum', extra_form_data: {}, dashboards: [],
      };
    case 'mixed':
      return {
        viz_type, ...axisParams(k, false), metrics: k.metrics.map(adhocMetric), groupby: k.groupby ?? [],
        metrics_b: k.metricsB.map(adhocMetric), groupby_b: [], adhoc_filters_b: filters(k.where),
        seriesType: 'bar', seriesTypeB: 'line', stack: true, stackB: false, yAxisIndex: 0, yAxisIndexB: 1,
        y_axis_format_secondary: 'SMART_NUMBER', y_axis_bounds_secondary: [null, null], markerEnabledB: true,
        markerSizeB: 6, opacity: 0.2, opacityB: 0.2, order_desc_b: true, row_limit_b: 10000,
        truncate_metric: true, truncate_metric_b: true, extra_form_data: {}, dashboards: [],
      };
    case 'table':
      return {
        viz_type, query_mode: 'aggregate', groupby: k.groupby, metrics: k.metrics.map(adhocMetric), all_columns: [],
        percent_metrics: [], order_by_cols: [], timeseries_limit_metric: adhocMetric(k.sortBy ?? k.metrics[0]),
        order_desc: true, row_limit: k.rowLimit ?? 100, server_page_length: 10, adhoc_filters: filters(k.where),
        table_timestamp_format: 'smart_date', show_cell_bars: true, color_pn: true, allow_rearrange_columns: false,
        conditional_formatting: [], extra_form_data: {}, dashboards: [],
      };
    case 'raw':
      return {
        viz_type, query_mode: 'raw', groupby: [], metrics: [], all_columns: k.columns, percent_metrics: [],
        order_by_cols: k.orderBy.map(([c, asc]) => JSON.stringify([c, asc])), row_limit: k.rowLimit ?? 1000,
        column_config: Object.fromEntries(k.columns.filter((c) => THREE_DECIMALS.test(c)).map((c) => [c, SHARE_FORMAT])),
        server_page_length: 10, adhoc_filters: filters(k.where),
        table_timestamp_format: 'smart_date', show_cell_bars: true, color_pn: true, allow_rearrange_columns: false,
        conditional_formatting: [], extra_form_data: {}, dashboards: [],
      };
    case 'pie':
      return {
        viz_type, groupby: k.groupby, metric: adhocMetric(k.metric), adhoc_filters: filters(k.where), row_limit: 100,
        sort_by_metric: true, color_scheme: 'supersetColors', show_labels_threshold: 5, show_legend: true,
        legendType: 'scroll', legendOrientation: 'top', label_type: 'key_percent', number_format: 'SMART_NUMBER',
        date_format: 'smart_date', show_labels: true, labels_outside: true, outerRadius: 70, donut: true,
        innerRadius: 30, extra_form_data: {}, dashboards: [],
      };
    case 'big_number':
      return {
        viz_type, metric: adhocMetric(k.metric), adhoc_filters: filters(k.where), subheader: k.subheader ?? '',
        header_font_size: 0.4, subheader_font_size: 0.15, y_axis_format: k.format ?? 'SMART_NUMBER',
        time_format: 'smart_date', extra_form_data: {}, dashboards: [],
      };
    case 'heatmap':
      return {
        viz_type, x_axis: dimParam(k.x), groupby: dimParam(k.y), metric: adhocMetric(k.metric), adhoc_filters: filters(k.where), row_limit: 10000,
        sort_x_axis: 'alpha_asc', sort_y_axis: 'alpha_desc', normalize_across: 'heatmap', legend_type: 'continuous',
        linear_color_scheme: k.diverging ? 'schemeRdBu' : 'superset_seq_1', xscale_interval: 1, yscale_interval: 1, left_margin: 'auto',
        bottom_margin: 'auto', value_bounds: k.diverging ?? [null, null], y_axis_format: 'SMART_NUMBER', x_axis_time_format: 'smart_date',
        show_legend: true, show_percentage: false, show_values: true, extra_form_data: {}, dashboards: [],
      };
  }
}
