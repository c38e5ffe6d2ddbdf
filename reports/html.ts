// The HTML of a report: escaping, numbers that carry the table cell they came from (data-src,
// data-col, data-key, data-raw, so a test or a reader can trace every figure to its gold row), data
// tables, notices, and the page shell with screen and A4 print styles. No external resource of any kind.
import type { Row, TableResult } from './lake-data.ts';

export function esc(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** How a number is shown: int (grouped), dec (as stored), pct (a 0-1 share as a percentage), pct100 (already 0-100). */
export type Format = 'int' | 'dec' | 'pct' | 'pct100' | 'text' | 'date';

export function formatValue(value: unknown, fmt: Format): string {
  if (value === null || value === undefined) return '–';
  if (typeof value === 'number') {
    switch (fmt) {
      case 'int': return value.toLocaleString('en-US', { maximumFractionDigits: 0 });
      case 'pct': return `${(value * 100).toFixed(1)} %`;
      case 'pct100': return `${value.toFixed(1)} %`;
      case 'dec': return value.toLocaleString('en-US', { maximumFractionDigits: 3 });
      default: return String(value);
    }
  }
  if (fmt === 'date' && typeof value === 'string') return value.slice(0, 10);
  return String(value);
}

/** Where a shown value comes from: a table, a column, the key of its row (or, with agg, the rows it sums). */
export interface Source {
  table: string;
  col: string;
  key: Record<string, unknown>;
  agg?: 'sum' | 'min' | 'max' | 'count';
}

/** A value with its provenance in data- attributes; the text is what a reader sees. */
export function val(value: unknown, fmt: Format, src?: Source, tag = 'span'): string {
  const text = esc(formatValue(value, fmt));
  if (!src) return `<${tag}>${text}</${tag}>`;
  const attrs = [
    `data-src="${esc(src.table)}"`, `data-col="${esc(src.col)}"`, `data-key="${esc(JSON.stringify(src.key))}"`,
    `data-raw="${esc(JSON.stringify(value ?? null))}"`, `data-fmt="${fmt}"`, src.agg ? `data-agg="${src.agg}"` : '',
  ].filter(Boolean).join(' ');
  return `<${tag} ${attrs}>${text}</${tag}>`;
}

export interface Column {
  col: string;
  label: string;
  fmt: Format;
  /** Table the column comes from (default: the table's source). */
  table?: string;
}

/** A data table whose every cell names its gold row (the key columns of the row). */
export function dataTable(opts: { caption: string; table: string; key: string[]; columns: Column[]; rows: Row[]; className?: string }): string {
  const head = opts.columns.map((c) => `<th scope="col">${esc(c.label)}</th>`).join('');
  const body = opts.rows.map((r) => {
    const key = Object.fromEntries(opts.key.map((k) => [k, r[k] ?? null]));
    const cells = opts.columns.map((c) => {
      const isKeyText = c.fmt === 'text' || c.fmt === 'date';
      return isKeyText && opts.key.includes(c.col)
        ? `<td>${esc(formatValue(r[c.col], c.fmt))}</td>`
        : val(r[c.col], c.fmt, { table: c.table ?? opts.table, col: c.col, key }, 'td');
    }).join('');
    return `<tr>${cells}</tr>`;
  }).join('\n');
  return `<table class="${opts.className ?? 'data'}"><caption>${esc(opts.caption)}</caption><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

/** A plain statement of why a section has nothing to show. */
export function notice(text: string): string {
  return `<p class="notice" role="note">${esc(text)}</p>`;
}

export function missing(result: TableResult): string {
  return result.status === 'ok' ? '' : notice(result.status === 'missing' ? `Not built in this lake: ${result.reason}.` : `Nothing to show: ${result.reason}.`);
}

export function section(id: string, title: string, body: string): string {
  return `<section id="${esc(id)}" aria-labelledby="${esc(id)}-h"><h2 id="${esc(id)}-h">${esc(title)}</h2>\n${body}\n</section>`;
}

/** A highlighted figure (big number with a label). */
export function stat(label: string, valueHtml: string): string {
  return `<div class="stat"><div class="stat-value">${valueHtml}</div><div class="stat-label">${esc(label)}</div></div>`;
}

const CSS = `
:root { --ink: #1a1a1a; --muted: #555; --line: #d0d0d0; --accent: #0072B2; --warn: #D55E00; --bg-note: #f4f4f4; }
* { box-sizing: border-box; }
body { margin: 0; font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", Arial, sans-serif; color: var(--ink); background: #fff; line-height: 1.45; }
main { max-width: 980px; margin: 0 auto; padding: 24px 28px 48px; }
h1 { font-size: 1.9rem; margin: 0 0 4px; }
h2 { font-size: 1.35rem; margin: 32px 0 8px; padding-bottom: 4px; border-bottom: 2px solid var(--accent); }
h3 { font-size: 1.05rem; margin: 20px 0 6px; }
p.lead { color: var(--muted); margin-top: 0; }
.notice { background: var(--bg-note); border-left: 4px solid var(--muted); padding: 8px 12px; }
.synthetic { background: #fff4e5; border-left: 6px solid var(--warn); padding: 8px 12px; font-weight: 600; }
.stats { display: flex; flex-wrap: wrap; gap: 12px; margin: 12px 0; }
.stat { border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px; min-width: 150px; }
.stat-value { font-size: 1.5rem; font-weight: 700; color: var(--accent); }
.stat-label { color: var(--muted); font-size: 0.9rem; }
figure { margin: 16px 0; padding: 8px; border: 1px solid var(--line); border-radius: 8px; break-inside: avoid; page-break-inside: avoid; }
figure svg { display: block; max-width: 100%; height: auto; }
figcaption { font-size: 0.92rem; color: var(--ink); margin-top: 6px; }
details { margin-top: 6px; }
summary { cursor: pointer; color: var(--accent); }
table { border-collapse: collapse; font-size: 0.85rem; margin: 8px 0; }
caption { text-align: left; font-weight: 600; padding: 4px 0; }
th, td { border-bottom: 1px solid var(--line); padding: 3px 8px; text-align: left; vertical-align: top; }
td[data-fmt="int"], td[data-fmt="dec"], td[data-fmt="pct"], td[data-fmt="pct100"] { text-align: right; font-variant-numeric: tabular-nums; }
.verdict-better { color: #009E73; font-weight: 600; } .verdict-worse { color: var(--warn); font-weight: 600; }
footer { margin-top: 40px; font-size: 0.85rem; color: var(--muted); border-top: 1px solid var(--line); padding-top: 8px; }
@media print {
  @page { size: A4; margin: 14mm 12mm; }
  main { max-width: none; padding: 0; }
  body { font-size: 10.5pt; }
  h2 { break-after: avoid; page-break-after: avoid; }
  figure { border: none; padding: 0; }
  details > summary { display: none; }
  details:not([open]) > table { display: none; }
  a { color: inherit; text-decoration: none; }
}`;

/** A whole, self-contained page. `charts` lists the ids of the charts drawn, for tests and tools. */
export function page(opts: { title: string; lang?: string; charts: string[]; body: string; kind: string }): string {
  return `<!DOCTYPE html>
<html lang="${opts.lang ?? 'en'}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="lakehouse report ${esc(opts.kind)}">
<meta name="lakehouse-charts" content="${esc(opts.charts.join(' '))}">
<title>${esc(opts.title)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
${opts.body}
</main>
</body>
</html>
`;
}
