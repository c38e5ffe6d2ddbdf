// Bulk-loading JS rows into a DuckDB temp table with the appender (the fast path for rows parsed in
// JS, e.g. validated CSV records).
import type { DuckDBConnection } from './duckdb.ts';
import { quoteIdent } from './duckdb.ts';

export interface AppendColumn {
  name: string;
  type: 'VARCHAR' | 'DOUBLE' | 'BIGINT' | 'INTEGER' | 'BOOLEAN';
}

export type AppendValue = string | number | boolean | null;

type Rows = Iterable<AppendValue[]> | AsyncIterable<AppendValue[]>;

/** Creates (or replaces) temp table `name` with these columns and appends the rows. */
export async function loadRows(conn: DuckDBConnection, name: string, columns: AppendColumn[], rows: Rows): Promise<number> {
  const ddl = columns.map((c) => `${quoteIdent(c.name)} ${c.type}`).join(', ');
  await conn.run(`create or replace temp table ${quoteIdent(name)} (${ddl})`);
  return appendRows(conn, name, columns, rows);
}

/** Appends rows to existing temp table `name`, whose columns are `columns` in this order. */
export async function appendRows(conn: DuckDBConnection, name: string, columns: AppendColumn[], rows: Rows): Promise<number> {
  const appender = await conn.createAppender(name, 'main', 'temp');
  let n = 0;
  try {
    for await (const row of rows) {
      columns.forEach((c, i) => appendOne(appender, c.type, row[i]));
      appender.endRow();
      n++;
    }
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
  return n;
}

type Appender = Awaited<ReturnType<DuckDBConnection['createAppender']>>;

function appendOne(a: Appender, type: AppendColumn['type'], v: AppendValue): void {
  if (v === null || v === undefined) return a.appendNull();
  switch (type) {
    case 'VARCHAR': return a.appendVarchar(String(v));
    case 'DOUBLE': return a.appendDouble(Number(v));
    case 'BIGINT': return a.appendBigInt(BigInt(Math.trunc(Number(v))));
    case 'INTEGER': return a.appendInteger(Math.trunc(Number(v)));
    case 'BOOLEAN': return a.appendBoolean(Boolean(v));
  }
}
