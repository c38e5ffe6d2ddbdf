// Building for some listeners only (`run --study`, `build … --study`): a listener-level table (one
// with a listener_id column) gets its fresh rows for the listeners in scope and, unchanged, the rows
// of every other listener from its current version. Rows whose listener_id is null are lake-level
// (catalog rows of a gold table) and always come from the fresh build, as do tables without a
// listener_id column. The same rule as erasure's (participants/erase-rules.ts): a listener_id column
// marks rows that belong to one person.
import { renameSync, rmSync } from 'node:fs';
import type { DuckDBConnection } from './duckdb.ts';
import { quoteLiteral, queryRows } from './duckdb.ts';
import { TableContractError } from './errors.ts';

/** The listeners a transaction builds for: the ids in a temp table of the session's connection. */
export interface ListenerScope {
  /** What the scope is, for messages ("study pilot"). */
  label: string;
  /** Temp table with one column listener_id. */
  table: string;
}

const PARQUET_OPTIONS = '(format parquet, compression zstd, row_group_size 122880)';

async function columnsOf(conn: DuckDBConnection, glob: string): Promise<string[]> {
  const rows = await queryRows<{ column_name: string; column_type: string }>(conn, `describe select * from read_parquet(${quoteLiteral(glob)})`);
  return rows.map((r) => `${r.column_name} ${r.column_type}`);
}

/**
 * Rewrites the freshly written part `part` so that it keeps only the in-scope (and lake-level) rows
 * and adds the other listeners' rows of the current version `previousGlob`. Returns the rows carried
 * over, or null when the table is not listener-level (nothing done).
 */
export async function carryOverOtherListeners(
  conn: DuckDBConnection, table: string, part: string, previousGlob: string, scope: ListenerScope, orderBy?: string,
): Promise<number | null> {
  const fresh = await columnsOf(conn, part);
  if (!fresh.includes('listener_id VARCHAR')) return null;
  const previous = await columnsOf(conn, previousGlob);
  if (previous.join(', ') !== fresh.join(', ')) {
    throw new TableContractError(table, `--study (${scope.label}): its columns changed since its current version (${previous.join(', ')} → ${fresh.join(', ')}), so the other listeners' rows cannot be carried over unchanged; build it once without --study`);
  }
  const inScope = `listener_id in (select listener_id from ${scope.table})`;
  const merged = `select * from read_parquet(${quoteLiteral(part)}) where listener_id is null or ${inScope}
    union all
    select * from read_parquet(${quoteLiteral(previousGlob)}) where listener_id is not null and not ${inScope}`;
  const [{ n }] = await queryRows<{ n: number }>(conn, `select count(*)::double as n from read_parquet(${quoteLiteral(previousGlob)}) where listener_id is not null and not ${inScope}`);
  const tmp = `${part}.scoped`;
  try {
    await conn.run(`copy (${orderBy ? `select * from (${merged}) order by ${orderBy}` : merged}) to ${quoteLiteral(tmp)} ${PARQUET_OPTIONS}`);
    renameSync(tmp, part);
  } finally {
    rmSync(tmp, { force: true });
  }
  return Number(n);
}
