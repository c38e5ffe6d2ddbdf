// What a report reads: the current version of every table it names, through one reader session and
// one catalog snapshot (so the versions in the footer are the versions read). A table that is not in
// the catalog, or lacks a column the report needs, or has no rows, is reported as such, never an error.
import type { DuckDBConnection, DuckDBValue } from '../lib/duckdb.ts';
import { attachLake, readCatalog, type Catalog, type TableVersionMeta } from '../lib/lake.ts';
import { readerToJsonRows } from '../lib/json-values.ts';

export type Row = Record<string, unknown>;

export type TableResult =
  | { status: 'ok'; table: string; rows: Row[] }
  | { status: 'missing' | 'empty'; table: string; rows: Row[]; reason: string };

export class ReportLake {
  /** Tables the report read, with the version it read (for the reproducibility footer). */
  readonly used = new Map<string, TableVersionMeta>();
  /** Values every query may bind by name ($listener, $study): never pasted into SQL. */
  readonly params: Record<string, DuckDBValue> = {};

  private constructor(readonly conn: DuckDBConnection, readonly catalog: Catalog) {}

  /** Pins the session's views to one catalog snapshot: every query of the report sees the same versions. */
  static async open(conn: DuckDBConnection, dataDir: string): Promise<ReportLake> {
    const catalog = readCatalog(dataDir);
    await attachLake(conn, dataDir, catalog);
    return new ReportLake(conn, catalog);
  }

  meta(table: string): TableVersionMeta | undefined {
    return this.catalog.tables[table];
  }

  hasColumn(table: string, column: string): boolean {
    return Boolean(this.meta(table)?.columns.some((c) => c.name === column));
  }

  /** The column's description from the table's metadata (used to quote rules in the table's own words). */
  columnDescription(table: string, column: string): string | undefined {
    return this.meta(table)?.columns.find((c) => c.name === column)?.description;
  }

  /**
   * Runs `sql` (which reads `table`) when the table exists with every column in `needs`. The
   * result says plainly why there are no rows: not built in this lake, built without a column, or empty.
   */
  async select(table: string, needs: string[], sql: string, params: Record<string, DuckDBValue> = {}): Promise<TableResult> {
    const meta = this.meta(table);
    if (!meta) return { status: 'missing', table, rows: [], reason: `${table} is not built in this lake` };
    const lacking = needs.filter((c) => !this.hasColumn(table, c));
    if (lacking.length > 0) {
      return { status: 'missing', table, rows: [], reason: `${table} (version ${meta.version}) is built without ${lacking.join(', ')}: rebuild it with this version of the lakehouse` };
    }
    this.used.set(table, meta);
    // Only the parameters the statement names are bound (DuckDB refuses unknown ones).
    const bound = Object.fromEntries(Object.entries({ ...this.params, ...params }).filter(([k]) => new RegExp(`\\$${k}\\b`).test(sql)));
    const rows = readerToJsonRows(await this.conn.runAndReadAll(sql, Object.keys(bound).length > 0 ? bound : undefined));
    if (rows.length === 0) return { status: 'empty', table, rows, reason: `${table} has no rows for this report` };
    return { status: 'ok', table, rows };
  }
}
