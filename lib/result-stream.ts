// Streams a query result chunk by chunk (about 2,048 rows at a time) in one of the output formats of
// `lakehouse query` and `lakehouse export`, so a result of any size runs in bounded memory. Values
// follow the JSON contract of lib/json-values.ts; local wall-clock columns (*_local) are written
// with the listener's UTC offset (lib/local-time.ts), never with Z.
import type { DuckDBDataChunk, DuckDBPreparedStatement } from '@duckdb/node-api';
import { DuckDBTypeId, JSDuckDBValueConverter, JsonDuckDBValueConverter, type DuckDBConnection } from './duckdb.ts';
import { convertValue } from './json-values.ts';
import { localTimeSql } from './local-time.ts';
import type { GuardedStatement } from './read-only.ts';
import { UsageError } from './errors.ts';

export const OUTPUT_FORMATS = ['table', 'json', 'ndjson', 'csv'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export function parseOutputFormat(value: string, allowed: readonly string[] = OUTPUT_FORMATS): OutputFormat {
  if (!allowed.includes(value)) throw new UsageError(`--format: expected one of ${allowed.join(', ')}, got "${value}"`);
  return value as OutputFormat;
}

/** Where formatted text goes; write may return a promise to apply backpressure. */
export interface TextSink {
  write(text: string | Uint8Array): void | Promise<void>;
  /** Set when the reader went away (e.g. `| head` closed the pipe): stop producing. */
  closed?: boolean;
}

type Row = unknown[];

function cellText(v: unknown): string {
  return v === null || v === undefined ? 'NULL' : typeof v === 'object' ? JSON.stringify(v) : String(v);
}

function csvField(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'object' ? JSON.stringify(v) : String(v);
  return s === '' || /[",\r\n]/.test(s) || s !== s.trim() ? `"${s.replaceAll('"', '""')}"` : s;
}

function rowObject(names: string[], row: Row): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (let i = 0; i < names.length; i++) o[names[i]] = row[i];
  return o;
}

interface Formatter {
  /** Text for a batch of rows (called once per chunk). */
  rows(rows: Row[]): string;
  end(rowCount: number): string;
}

/** The aligned text table: column widths come from the first rows (up to 1,000) so memory stays bounded. */
function tableFormatter(names: string[]): Formatter {
  const WIDTH_SAMPLE = 1000;
  let pending: Row[] | null = [];
  let widths: number[] = [];
  const line = (vals: string[]) => vals.map((v, i) => v.padEnd(widths[i])).join('  ').trimEnd();
  const flush = (): string => {
    const sample = pending ?? [];
    widths = names.map((n, i) => sample.reduce((w, r) => Math.max(w, cellText(r[i]).length), n.length));
    pending = null;
    return [line(names), line(widths.map((w) => '-'.repeat(w))), ...sample.map((r) => line(r.map(cellText)))].join('\n') + '\n';
  };
  return {
    rows(rows) {
      if (pending) {
        pending.push(...rows);
        return pending.length >= WIDTH_SAMPLE ? flush() : '';
      }
      return rows.map((r) => line(r.map(cellText))).join('\n') + '\n';
    },
    end(n) {
      return `${pending ? flush() : ''}(${n} row${n === 1 ? '' : 's'})\n`;
    },
  };
}

function formatterFor(format: OutputFormat, names: string[]): { head: string; body: Formatter } {
  switch (format) {
    case 'table':
      return { head: '', body: tableFormatter(names) };
    case 'csv':
      return { head: `${names.map(csvField).join(',')}\n`, body: { rows: (rows) => rows.map((r) => `${r.map(csvField).join(',')}\n`).join(''), end: () => '' } };
    case 'ndjson':
      return { head: '', body: { rows: (rows) => rows.map((r) => `${JSON.stringify(rowObject(names, r))}\n`).join(''), end: () => '' } };
    case 'json': {
      let first = true;
      return {
        head: '[',
        body: {
          rows: (rows) => rows.map((r) => {
            const text = `${first ? '\n' : ',\n'}  ${JSON.stringify(rowObject(names, r))}`;
            first = false;
            return text;
          }).join(''),
          end: () => (first ? ']\n' : '\n]\n'),
        },
      };
    }
  }
}

/** JSON-contract values of one chunk, row by row. */
export function chunkRows(chunk: DuckDBDataChunk, typeIds: DuckDBTypeId[]): Row[] {
  const columns = typeIds.map((id, i) => {
    if (id === DuckDBTypeId.TIME || id === DuckDBTypeId.TIME_TZ || id === DuckDBTypeId.INTERVAL) return chunk.convertColumnValues(i, JsonDuckDBValueConverter);
    const isDate = id === DuckDBTypeId.DATE;
    return chunk.convertColumnValues(i, JSDuckDBValueConverter).map((v) => convertValue(v, isDate));
  });
  const rows: Row[] = new Array(chunk.rowCount);
  for (let r = 0; r < chunk.rowCount; r++) rows[r] = columns.map((c) => c[r]);
  return rows;
}

/** Column names and type ids of a prepared statement's result. */
export function resultColumns(prepared: DuckDBPreparedStatement): { names: string[]; typeIds: DuckDBTypeId[] } {
  const names: string[] = [];
  const typeIds: DuckDBTypeId[] = [];
  for (let i = 0; i < prepared.columnCount; i++) {
    names.push(prepared.columnName(i));
    typeIds.push(prepared.columnTypeId(i));
  }
  return { names, typeIds };
}

/**
 * Runs a guarded statement and writes its result to sink in the given format, one chunk at a time.
 * Returns the number of rows written.
 */
export async function streamResult(conn: DuckDBConnection, guarded: GuardedStatement, format: OutputFormat, sink: TextSink): Promise<number> {
  let prepared = guarded.prepared;
  if (!guarded.isExplain) {
    const presented = await localTimeSql(conn, guarded.sql, resultColumns(prepared));
    if (presented) prepared = await conn.prepare(presented);
  }
  const { names, typeIds } = resultColumns(prepared);
  const { head, body } = formatterFor(format, names);
  if (head) await sink.write(head);
  const result = await prepared.stream();
  let count = 0;
  for (;;) {
    if (sink.closed) return count;
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) break;
    const text = body.rows(chunkRows(chunk, typeIds));
    count += chunk.rowCount;
    if (text) await sink.write(text);
  }
  await sink.write(body.end(count));
  return count;
}

/** Writes rows already in memory (e.g. from Trino) in the same formats. */
export async function writeRows(rows: Record<string, unknown>[], format: OutputFormat, sink: TextSink): Promise<void> {
  const names = rows.length > 0 ? Object.keys(rows[0]) : [];
  const { head, body } = formatterFor(format, names);
  if (head) await sink.write(head);
  for (let i = 0; i < rows.length; i += 2048) {
    const text = body.rows(rows.slice(i, i + 2048).map((r) => names.map((n) => r[n])));
    if (text) await sink.write(text);
  }
  await sink.write(body.end(rows.length));
}
