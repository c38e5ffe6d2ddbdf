// Trino results in the JSON contract of `lakehouse query --json` (the same as lib/json-values.ts for
// DuckDB): integers and doubles as numbers, decimals as numbers, timestamps as ISO-8601 UTC with
// milliseconds, dates as YYYY-MM-DD, rows as objects, NULL (and NaN/Infinity) as null.
// Trino's protocol sends decimals as strings, timestamps as "YYYY-MM-DD HH:MM:SS.fff[ zone]" and
// rows as arrays of field values.
import type { TrinoResult } from './client.ts';
import { parseTrinoType, type TrinoType } from './types.ts';

const TIMESTAMP = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(?:\.(\d+))?(?: (.+))?$/;

function isoTimestamp(s: string): string {
  const m = TIMESTAMP.exec(s);
  if (!m) return s;
  const [, date, time, frac = '', zone] = m;
  const local = `${date}T${time}.${frac.padEnd(3, '0').slice(0, 3)}`;
  if (zone === undefined || zone === 'UTC' || zone === 'Z' || zone === 'Etc/UTC') return `${local}Z`;
  if (/^[+-]\d{2}:\d{2}$/.test(zone)) return new Date(`${local}${zone}`).toISOString();
  return s; // a named zone other than UTC: keep Trino's text rather than guess
}

function numberOrNull(v: unknown): number | null {
  const n = typeof v === 'number' ? v : Number(v);
  return Number.isFinite(n) ? n : null;
}

export function trinoValueToJson(v: unknown, type: TrinoType): unknown {
  if (v === null || v === undefined) return null;
  switch (type.name) {
    case 'real':
    case 'double':
    case 'decimal':
      return numberOrNull(v);
    case 'timestamp':
    case 'timestamp with time zone':
      return typeof v === 'string' ? isoTimestamp(v) : v;
    case 'array':
      return Array.isArray(v) ? v.map((x) => trinoValueToJson(x, type.args[0])) : v;
    case 'map':
      return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, trinoValueToJson(x, type.args[1])]));
    case 'row':
      if (!Array.isArray(v)) return v;
      return Object.fromEntries(type.fields.map((f, i) => [f.name, trinoValueToJson(v[i], f.type)]));
    default:
      return v;
  }
}

export function trinoResultToJsonRows(result: TrinoResult): Record<string, unknown>[] {
  const types = result.columns.map((c) => parseTrinoType(c.type));
  return result.rows.map((row) => {
    const out: Record<string, unknown> = {};
    result.columns.forEach((c, i) => {
      out[c.name] = trinoValueToJson(row[i], types[i]);
    });
    return out;
  });
}
