// Relations a Trino query needs for one job and never again (a forest's node table, the models'
// coefficients, the rows to score): DuckDB writes the rows of a query as one Parquet file under
// <data dir>/_tmp/trino/<name>-<id>/, Trino registers that folder as an external table in the hidden
// schema `_scratch`, and drop() removes the table and the folder.
//
// Why not a VALUES relation: the catalog's valence forest (50 trees of depth 10) has 48,008 nodes,
// 1.7 MB as SQL literals, and Trino refuses any statement over 1,000,000 characters (query.max-length);
// the node walk also reads the node table once per two tree levels. Why not CREATE TABLE + INSERT through
// Trino: it needs a writable catalog, several statements of under 1 MB per forest, and Trino would
// write a Parquet file all the same. Parquet keeps every double's bits, DuckDB writes it in
// milliseconds, and the registration is the one publish uses (external_location under the data dir
// Trino serves).
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { DuckDBConnection } from '../duckdb.ts';
import { queryRows } from '../duckdb.ts';
import { LakehouseError } from '../errors.ts';
import { TRINO_CATALOG, type TrinoClient } from './client.ts';
import { literal } from './publish-plan.ts';
import { duckdbToTrinoType, quoteTrinoIdent as q } from './types.ts';
import { DataDirStaging, type TrinoStaging } from './staging-store.ts';

/** Trino schema of the scratch tables (never published, never read by analysts). */
export const SCRATCH_SCHEMA = '_scratch';
/** Folder under the data dir that holds the scratch tables' Parquet files. */
export const SCRATCH_DIR = join('_tmp', 'trino');

export class ScratchTableError extends LakehouseError {}

export interface ScratchTable {
  /** Fully qualified, quoted: lakehouse."_scratch"."<name>_<id>". */
  ref: string;
  rows: number;
  /** Drops the Trino table, then deletes the folder (safe to call twice). */
  drop(): Promise<void>;
}

/**
 * Writes the rows of a DuckDB query (`sql`, a SELECT over anything DuckDB can read) for the Trino at
 * `trino`, and registers them as a table: read where `staging` puts them (by default under
 * `dataDir`, which that Trino must serve; with the mirror's staging, uploaded to object storage). Column types follow the
 * publish mapping (lib/trino/types.ts); a column of a type Trino cannot read is refused.
 */
export async function stageForTrino(
  conn: DuckDBConnection, trino: TrinoClient, dataDir: string, name: string, sql: string, staging: TrinoStaging = new DataDirStaging(dataDir),
): Promise<ScratchTable> {
  if (!/^[a-z][a-z0-9_]*$/.test(name)) throw new ScratchTableError(`scratch table name ${JSON.stringify(name)}: use lower-case letters, digits and _`);
  const id = randomBytes(6).toString('hex');
  const folder = join(SCRATCH_DIR, `${name}-${id}`);
  const table = `${name}_${id}`;
  const ref = `${TRINO_CATALOG}.${q(SCRATCH_SCHEMA)}.${q(table)}`;
  const columns = await queryRows<{ column_name: string; column_type: string }>(conn, `describe (${sql})`);
  const types = columns.map((c) => {
    const t = duckdbToTrinoType(c.column_type);
    if (t === null) throw new ScratchTableError(`scratch table ${name}: column ${c.column_name} has type ${c.column_type}, which Trino cannot read from Parquet`);
    return `${q(c.column_name)} ${t}`;
  });
  const dir = join(dataDir, folder);
  mkdirSync(dir, { recursive: true });
  let registered = false;
  const drop = async () => {
    if (registered) await trino.query(`drop table if exists ${ref}`);
    registered = false;
    await staging.remove(folder);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const [written] = await queryRows<{ Count: number | bigint }>(conn, `copy (${sql}) to ${literal(join(dir, 'part-0.parquet'))} (format parquet)`);
    const rows = Number(written.Count);
    await staging.share(folder);
    await trino.query(`create schema if not exists ${TRINO_CATALOG}.${q(SCRATCH_SCHEMA)}`);
    await trino.query(`create table ${ref} (${types.join(', ')}) with (external_location = ${literal(staging.location(folder))}, format = 'PARQUET')`);
    registered = true;
    const seen = Number((await trino.query(`select count(*) from ${ref}`)).rows[0]?.[0]);
    if (seen !== rows) throw new ScratchTableError(`scratch table ${name}: Trino reads ${seen} rows from ${folder}, DuckDB wrote ${rows} (does the Trino at ${trino.server} serve ${dataDir}?)`);
    return { ref, rows, drop };
  } catch (err) {
    await drop().catch(() => undefined);
    throw err;
  }
}
