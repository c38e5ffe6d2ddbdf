// Charts drawn at build time: a Vega-Lite spec compiled and rendered by vega to an SVG string, with
// no browser, canvas or network. Every chart sits in a <figure> with a caption (its text
// alternative, also the SVG's accessible name) and a data table of the values drawn.
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { esc, notice } from './html.ts';
import type { Row } from './lake-data.ts';

/** Okabe & Ito's palette: distinguishable with every common colour-vision deficiency (yellow last: low contrast on white). */
export const OKABE_ITO = ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#56B4E9', '#CC79A7', '#000000', '#F0E442'];

const CONFIG = {
  font: 'sans-serif',
  background: 'white',
  range: { category: OKABE_ITO, ordinal: { scheme: 'viridis' }, heatmap: { scheme: 'viridis' }, ramp: { scheme: 'viridis' } },
  axis: { labelFontSize: 11, titleFontSize: 12, labelColor: '#1a1a1a', titleColor: '#1a1a1a', gridColor: '#e3e3e3' },
  legend: { labelFontSize: 11, titleFontSize: 12, labelLimit: 260 },
  title: { fontSize: 14 },
  view: { stroke: null },
};

/** The spec of one chart without data (the rows are added here). */
export type ChartSpec = Omit<TopLevelSpec, 'data'> & Record<string, unknown>;

/** Renders a Vega-Lite spec with inline rows to an SVG string fit for inlining in HTML. */
export async function renderSvg(spec: ChartSpec, rows: Row[], label: string): Promise<string> {
  const own = (spec.config ?? {}) as Record<string, unknown>;
  // One level deep, so a chart can change one axis setting and keep the rest of the house style.
  const config = Object.fromEntries([...new Set([...Object.keys(CONFIG), ...Object.keys(own)])].map((k) => {
    const base = (CONFIG as Record<string, unknown>)[k];
    const mine = own[k];
    return [k, base && mine && typeof base === 'object' && typeof mine === 'object' ? { ...base, ...mine } : mine ?? base];
  }));
  const full = { ...spec, data: { values: rows }, config, description: label } as unknown as TopLevelSpec;
  const view = new vega.View(vega.parse(compile(full).spec), { renderer: 'none' });
  try {
    const svg = await view.toSVG();
    // Inline SVG in HTML needs no namespace declarations (the HTML parser sets the SVG namespace);
    // dropping them keeps the file free of any URL.
    return svg
      .replace(/\s+xmlns(:xlink)?="[^"]*"/g, '')
      .replace(/^<svg /, `<svg role="img" aria-label="${esc(label)}" focusable="false" `);
  } finally {
    view.finalize();
  }
}

/** Collects the charts of one report; `ids` lists the charts drawn (one <svg> each). */
export class Charts {
  readonly ids: string[] = [];

  /**
   * A <figure data-chart=id> with the chart, its caption and (folded) data table. With no rows there
   * is no chart: a plain notice says so, and the chart is not listed.
   */
  async figure(opts: { id: string; title: string; caption: string; spec: ChartSpec; rows: Row[]; table?: string; badge?: string; empty?: string }): Promise<string> {
    if (opts.rows.length === 0) return notice(opts.empty ?? `${opts.title}: no data to draw in this lake.`);
    if (this.ids.includes(opts.id)) throw new Error(`chart id ${opts.id} used twice`);
    const svg = await renderSvg(opts.spec, opts.rows, `${opts.title}. ${opts.caption}`);
    this.ids.push(opts.id);
    return `<figure data-chart="${esc(opts.id)}" aria-labelledby="${esc(opts.id)}-cap">
${opts.badge ?? ''}
${svg}
<figcaption id="${esc(opts.id)}-cap"><strong>${esc(opts.title)}.</strong> ${esc(opts.caption)}</figcaption>
${opts.table ? `<details><summary>Data table</summary>${opts.table}</details>` : ''}
</figure>`;
  }
}

/** Month axis for `month_local`-like DATE columns (YYYY-MM-DD strings, read as UTC). */
export function monthAxis(field: string, title = 'Month (local time)'): Record<string, unknown> {
  return { field, type: 'temporal', timeUnit: 'utcyearmonth', title, axis: { format: '%b %Y', labelAngle: -40 } };
}

/** Month as a band (bars, heatmap cells): one slot per month present in the data. */
export function monthBand(field: string, title = 'Month (local time)'): Record<string, unknown> {
  return { field, type: 'ordinal', timeUnit: 'utcyearmonth', title, axis: { format: '%b %Y', labelAngle: -40 } };
}

/** The line mark of a month series: a month without a row is a gap in the line, never bridged. */
export const MONTH_LINE = { type: 'line', point: true, invalid: 'break-paths-show-domains' } as const;

/**
 * For line charts only (data tables keep the table's rows): adds an empty row for every month
 * missing between a series' first and last month, so the line breaks there instead of drawing a
 * straight line across months without data.
 */
export function withMonthGaps(rows: Row[], series: string | null, field = 'month_local'): Row[] {
  const groups = new Map<unknown, Set<string>>();
  for (const r of rows) {
    const k = series ? r[series] : null;
    if (!groups.has(k)) groups.set(k, new Set());
    groups.get(k)!.add(String(r[field]).slice(0, 7));
  }
  const gaps: Row[] = [];
  for (const [k, months] of groups) {
    const sorted = [...months].sort();
    let [y, m] = sorted[0].split('-').map(Number);
    const last = sorted[sorted.length - 1];
    for (let ym = sorted[0]; ym < last; ) {
      if (!months.has(ym)) gaps.push({ ...(series ? { [series]: k } : {}), [field]: `${ym}-01` });
      m += 1;
      if (m > 12) { m = 1; y += 1; }
      ym = `${y}-${String(m).padStart(2, '0')}`;
    }
  }
  return [...rows, ...gaps];
}
