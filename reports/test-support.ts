// Test helpers for the reports: a demo lake with every gold table built once per test file, a lake of
// the real exports (bounded: descriptive and behaviour gold only), and the checks every rendered
// report must pass (charts present, no broken values, every sampled number equal to its table).
import { join } from 'node:path';
import { readdirSync } from 'node:fs';
import type { DuckDBConnection } from '../lib/duckdb.ts';
import { quoteIdent } from '../lib/duckdb.ts';
import { readerToJsonRows } from '../lib/json-values.ts';
import { silentLogger } from '../lib/logger.ts';
import { withWriter } from '../lib/session.ts';
import { historyDir, kaggleSample, tempDir, testConfig } from '../test/helpers.ts';
import { executeRun } from '../pipeline/run.ts';
import { buildGold } from '../gold/build.ts';

let demo: Promise<string> | null = null;
let real: Promise<string> | null = null;

/** A demo lake with every gold table (the ML tables included), built once per test file. */
export function fullDemoLake(): Promise<string> {
  demo ??= (async () => {
    const t = tempDir('lakehouse-report-demo-');
    process.once('exit', () => t.cleanup());
    const s = await executeRun(testConfig(t.dir, {}, { DUCKDB_THREADS: '1' }), silentLogger, { demo: true, publish: null, trigger: 'cli', inbox: false, spotify: false });
    if (s.status !== 'succeeded') throw new Error(`demo run ${s.status}: ${s.error}`);
    return t.dir;
  })();
  return demo;
}

/** The real listeners of ../shared/data/history, each with its own time zone. */
export const REAL_LISTENERS = ['real-berlin', 'real-newyork', 'real-kolkata', 'real-sydney'];
const REAL_ZONES = ['Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Australia/Sydney'];

/** The Kaggle sample and the four real exports, run with descriptive gold, then the behaviour tables. */
export function realLake(): Promise<string> {
  real ??= (async () => {
    const t = tempDir('lakehouse-report-real-');
    process.once('exit', () => t.cleanup());
    const config = testConfig(t.dir, {}, { DUCKDB_THREADS: '1' });
    const exports = readdirSync(historyDir).sort().map((folder, i) => ({ listener: REAL_LISTENERS[i], paths: [join(historyDir, folder)], timezone: REAL_ZONES[i] }));
    // The run may end 'failed' on a quality gate (e.g. freshness of old exports); the tables are written all the same.
    await executeRun(config, silentLogger, { kaggleCsv: kaggleSample, exports, publish: null, trigger: 'cli', inbox: false, spotify: false, gold: { category: 'descriptive' } });
    await withWriter(config, silentLogger, 'test', (s) => buildGold(s, { category: 'behaviour' }));
    return t.dir;
  })();
  return real;
}

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };
export const unescape = (s: string) => s.replace(/&(amp|lt|gt|quot|#39);/g, (m) => ENTITIES[m]);

export interface Traced { table: string; col: string; key: Record<string, unknown>; raw: unknown; fmt: string; agg?: string; text: string }

/** Every value of the HTML that names its source row (data-src …). */
export function tracedValues(html: string): Traced[] {
  const re = /<(span|td) data-src="([^"]*)" data-col="([^"]*)" data-key="([^"]*)" data-raw="([^"]*)" data-fmt="([^"]*)"(?: data-agg="([^"]*)")?>([^<]*)<\/\1>/g;
  return [...html.matchAll(re)].map((m) => ({
    table: unescape(m[2]), col: unescape(m[3]), key: JSON.parse(unescape(m[4])) as Record<string, unknown>,
    raw: JSON.parse(unescape(m[5])), fmt: m[6], agg: m[7], text: unescape(m[8]),
  }));
}

/** The text a reader sees, with the verbatim text values of tables (data-fmt="text") and the SVGs left out. */
export function visibleText(html: string): string {
  return html.replace(/<style>[\s\S]*?<\/style>/g, ' ').replace(/<svg[\s\S]*?<\/svg>/g, ' ')
    .replace(/<(span|td)[^>]*data-fmt="text"[^>]*>[^<]*<\/\1>/g, ' ').replace(/<[^>]+>/g, ' ');
}

/** Whether the shown text is the raw value in its format (to the precision shown). */
function shownMatches(t: Traced): boolean {
  if (t.raw === null) return t.text === '–';
  if (t.fmt === 'text') return t.text === String(t.raw);
  if (t.fmt === 'date') return t.text === String(t.raw).slice(0, 10);
  const n = Number(t.text.replace(/[, %]/g, ''));
  const raw = Number(t.raw);
  const [expected, tol] = ({ int: [raw, 0.5], dec: [raw, 0.0005 + 1e-9], pct: [raw * 100, 0.05 + 1e-9], pct100: [raw, 0.05 + 1e-9] } as Record<string, [number, number]>)[t.fmt];
  return Number.isFinite(n) && Math.abs(n - expected) <= tol;
}

function equalValues(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a === b || Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Checks sampled traced values against the lake: a plain value must be the column of exactly one row
 * (its key), an aggregate the sum/min/max/count over the rows matching its key. Returns the problems.
 */
export async function checkTraced(conn: DuckDBConnection, values: Traced[], max = 300): Promise<string[]> {
  const step = Math.max(1, Math.ceil(values.filter((v) => !v.agg).length / max));
  const sample = values.filter((v, i) => v.agg || i % step === 0);
  const problems: string[] = [];
  for (const v of sample) {
    const [layer, table] = v.table.split('.');
    const lit = (x: unknown) => (typeof x === 'number' ? String(x) : `'${String(x).replace(/'/g, "''")}'`);
    // A list in a key (the participants of a study) selects the rows whose value is in it.
    const where = Object.entries(v.key).map(([k, x]) => (x === null ? `${quoteIdent(k)} is null` : Array.isArray(x) ? `${quoteIdent(k)} in (${x.length ? x.map(lit).join(', ') : 'null'})` : `${quoteIdent(k)} = ${lit(x)}`));
    const from = `from ${quoteIdent(layer)}.${quoteIdent(table)}${where.length ? ` where ${where.join(' and ')}` : ''}`;
    const col = quoteIdent(v.col);
    const sql = v.agg ? `select ${v.agg}(${col}) as v, 1 as n ${from}` : `select ${col} as v, count(*) over () as n ${from}`;
    const rows = readerToJsonRows(await conn.runAndReadAll(sql));
    const what = `${v.table}.${v.col} ${JSON.stringify(v.key)}${v.agg ? ` (${v.agg})` : ''}`;
    if (rows.length !== 1 || Number(rows[0].n) !== 1) problems.push(`${what}: key matches ${rows.length} rows`);
    else if (!equalValues(rows[0].v, v.raw)) problems.push(`${what}: HTML has ${JSON.stringify(v.raw)}, table has ${JSON.stringify(rows[0].v)}`);
    if (!shownMatches(v)) problems.push(`${what}: shown as "${v.text}" for ${JSON.stringify(v.raw)} (${v.fmt})`);
  }
  return problems;
}

/** Structure every report keeps, whatever the data: returns the problems found. */
export function structureProblems(html: string): string[] {
  const problems: string[] = [];
  const declared = (/<meta name="lakehouse-charts" content="([^"]*)">/.exec(html)?.[1] ?? '').split(' ').filter(Boolean);
  const figures = [...html.matchAll(/<figure data-chart="([^"]+)"[\s\S]*?<\/figure>/g)];
  if (declared.join(' ') !== figures.map((f) => f[1]).join(' ')) problems.push(`declared charts ${declared.join(',')} ≠ figures ${figures.map((f) => f[1]).join(',')}`);
  for (const f of figures) {
    const svgs = f[0].match(/<svg[\s\S]*?<\/svg>/g) ?? [];
    if (svgs.length !== 1) { problems.push(`${f[1]}: ${svgs.length} svg elements`); continue; }
    const marks = (svgs[0].match(/<path[^>]* d="M[^"]+"|<rect [^>]*width="[1-9]|<line /g) ?? []).length;
    if (marks < 3) problems.push(`${f[1]}: the svg has ${marks} marks (an empty chart)`);
    if (!/<figcaption[^>]*>[\s\S]+?<\/figcaption>/.test(f[0])) problems.push(`${f[1]}: no caption`);
    if (!/<svg role="img" aria-label="[^"]{20,}"/.test(svgs[0])) problems.push(`${f[1]}: no accessible name on the svg`);
  }
  if (/https?:\/\//i.test(html)) problems.push(`a URL in the file: ${/https?:\/\/[^"' <]*/i.exec(html)![0]}`);
  if (/<(script|link|img|iframe)\b/i.test(html)) problems.push('an external-resource element (script, link, img, iframe)');
  const text = visibleText(html);
  for (const bad of ['NaN', 'undefined', 'null', 'Infinity', '[object']) if (new RegExp(`\\b${bad.replace('[', '\\[')}`).test(text)) problems.push(`"${bad}" in the visible text`);
  // Geometry with a broken number (names such as the track "Infinity" are fine: only geometry is checked).
  const geometry = /\s(d|x|y|x1|x2|y1|y2|width|height|transform|cx|cy|r|viewBox)="[^"]*(NaN|undefined|Infinity|null)[^"]*"/.exec((html.match(/<svg[\s\S]*?<\/svg>/g) ?? []).join(''));
  if (geometry) problems.push(`a broken number inside a chart: ${geometry[0].slice(0, 120)}`);
  return problems;
}
