// What a chart should show, computed without Superset or Trino: the chart's saved query context
// turned into the same aggregate over the same lake table, run through DuckDB. The stack test
// compares every number the chart-data API returns with these rows, so a chart that rounds, casts
// or aggregates differently from the data (e.g. a DECIMAL literal that keeps one decimal in Trino)
// fails with the chart, the row and the two values named.

type Json = Record<string, unknown>;
type ColumnRef = string | { label: string; sqlExpression: string };
interface MetricRef { label: string; sqlExpression: string }
export interface SavedQuery { columns: ColumnRef[]; metrics?: MetricRef[]; where: string }

const quote = (label: string) => `"${label.replace(/"/g, '""')}"`;

/** The queries of a chart's saved query context (JSON text from the chart YAML). */
export function savedQueries(queryContext: string): SavedQuery[] {
  const qc = JSON.parse(queryContext) as { queries: Json[] };
  return qc.queries.map((q) => ({
    columns: (q.columns ?? []) as ColumnRef[],
    metrics: q.metrics as MetricRef[] | undefined,
    where: String((q.extras as Json | undefined)?.where ?? ''),
  }));
}

export function columnLabel(c: ColumnRef): string {
  return typeof c === 'string' ? c : c.label;
}

/** DuckDB SQL returning every row of the query (no limit, no order: rows are matched by their dimensions). */
export function expectedSql(q: SavedQuery, table: string): string {
  const dims = q.columns.map((c) => (typeof c === 'string' ? quote(c) : `${c.sqlExpression} as ${quote(c.label)}`));
  const metrics = (q.metrics ?? []).map((m) => `${m.sqlExpression} as ${quote(m.label)}`);
  const where = q.where ? ` where ${q.where}` : '';
  const aggregate = q.metrics !== undefined;
  const groupBy = aggregate && dims.length ? ` group by ${dims.map((_, i) => i + 1).join(', ')}` : '';
  return `select ${[...dims, ...metrics].join(', ')} from ${table}${where}${groupBy}`;
}

/** A value as both sides can agree on it: numbers as numbers, dates and timestamps as epoch ms. */
function normalise(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'number' || typeof v === 'boolean') return v;
  const s = String(v);
  if (/^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?Z?$/.test(s)) {
    const iso = s.length === 10 ? `${s}T00:00:00Z` : `${s.replace(' ', 'T').replace(/Z$/, '')}Z`;
    const ms = Date.parse(iso);
    if (!Number.isNaN(ms)) return ms;
  }
  if (s !== '' && !Number.isNaN(Number(s)) && /^-?\d/.test(s)) return Number(s);
  return s;
}

function keyOf(row: Json, dims: string[]): string {
  return JSON.stringify(dims.map((d) => {
    const v = normalise(row[d]);
    return typeof v === 'number' ? Number(v.toPrecision(12)) : v;
  }));
}

function close(a: unknown, b: unknown, tolerance: number): boolean {
  const x = normalise(a);
  const y = normalise(b);
  if (typeof x === 'number' && typeof y === 'number') return Math.abs(x - y) <= tolerance * Math.max(1, Math.abs(y));
  return x === y;
}

/**
 * Differences between the chart's rows and the expected ones. Every chart row must match an expected
 * row with the same dimensions and equal metrics; when the chart was not cut by its row limit it must
 * also have every expected row. Raw (metric-less) charts match whole rows.
 */
export function compareRows(chart: Json[], expected: Json[], q: SavedQuery, rowLimit: number, tolerance = 1e-9): string[] {
  const dimLabels = q.columns.map(columnLabel);
  const metricLabels = (q.metrics ?? []).map((m) => m.label);
  const keyCols = dimLabels;
  const byKey = new Map<string, Json[]>();
  for (const r of expected) {
    const k = keyOf(r, keyCols);
    byKey.set(k, [...(byKey.get(k) ?? []), r]);
  }
  const problems: string[] = [];
  for (const r of chart) {
    const k = keyOf(r, keyCols);
    const candidates = byKey.get(k) ?? [];
    if (candidates.length === 0) {
      problems.push(`row ${k} is not in the data`);
      continue;
    }
    const cols = q.metrics === undefined ? dimLabels : metricLabels;
    const match = candidates.findIndex((e) => cols.every((c) => close(r[c], e[c], tolerance)));
    if (match < 0) {
      const e = candidates[0];
      const diff = cols.filter((c) => !close(r[c], e[c], tolerance)).map((c) => `${c}: chart ${JSON.stringify(r[c])} vs data ${JSON.stringify(e[c])}`);
      problems.push(`row ${k}: ${diff.join('; ')}`);
      continue;
    }
    candidates.splice(match, 1);
  }
  if (chart.length < rowLimit && chart.length !== expected.length) {
    problems.push(`${chart.length} rows in the chart, ${expected.length} in the data`);
  }
  return problems;
}
