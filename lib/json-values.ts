// Converting query results to the JSON contract of `lakehouse query --json`: integers as numbers
// (strings beyond 2^53), decimals and doubles as numbers, timestamps as ISO-8601 UTC, dates as
// YYYY-MM-DD, NULL as null.
import type { DuckDBResultReader } from '@duckdb/node-api';
import { DuckDBTypeId } from './duckdb.ts';

export function jsonNumber(v: bigint): number | string {
  return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(v) : v.toString();
}

/** One DuckDB JS value (from the JS converter) as its JSON-contract value. */
export function convertValue(v: unknown, isDate: boolean): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return jsonNumber(v);
  if (v instanceof Date) return isDate ? v.toISOString().slice(0, 10) : v.toISOString();
  if (Array.isArray(v)) return v.map((x) => convertValue(x, false));
  if (typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, convertValue(x, false)]));
  if (typeof v === 'number' && !Number.isFinite(v)) return null;
  return v;
}

export function readerToJsonRows(reader: DuckDBResultReader): Record<string, unknown>[] {
  const names = reader.columnNames();
  const types = reader.columnTypes();
  const jsRows = reader.getRowsJS();
  const jsonRows = reader.getRowsJson();
  return jsRows.map((row, r) => {
    const out: Record<string, unknown> = {};
    names.forEach((name, i) => {
      const id = types[i].typeId;
      if (id === DuckDBTypeId.TIME || id === DuckDBTypeId.TIME_TZ || id === DuckDBTypeId.INTERVAL) out[name] = jsonRows[r][i];
      else out[name] = convertValue(row[i], id === DuckDBTypeId.DATE);
    });
    return out;
  });
}
