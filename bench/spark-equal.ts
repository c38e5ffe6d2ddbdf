// Checks Spark's silver.listening_with_features against the lake's, over the columns both have.
// spark_silver_ref.py's own `compare` selects every column of ours from Spark's output, so it fails
// once silver has columns the reference does not compute (play_seq, is_stream, is_skip, …); this is
// the same check (row counts, `EXCEPT ALL` both ways, per-column differences by event when rows
// differ) restricted to the shared columns, naming the ones left out.
import { join } from 'node:path';
import { openDuckDB, quoteIdent, quoteLiteral, type DuckDBConnection } from '../lib/duckdb.ts';
import { readCatalog } from '../lib/lake.ts';

export interface SparkSilverComparison {
  rows_ours: number;
  rows_spark: number;
  /** Rows of one side that the other lacks (`EXCEPT ALL`, so duplicates count), over the shared columns. */
  rows_only_in_ours: number;
  rows_only_in_spark: number;
  matched: boolean;
  /** The shared columns have the same types on both sides. */
  schema_equal: boolean;
  columns_compared: number;
  columns_only_in_ours: string[];
  columns_only_in_spark: string[];
  /** When rows differ: per shared column, how many events (listener_id, event_id) disagree on it. */
  columns_differing_by_event?: Record<string, number>;
  /**
   * Of the events whose session_position differs, those that end at the same instant as another play
   * of their session: the reference orders such plays by track_key and ms_played, silver by source
   * file and record position ("never by name"), so these differ by design.
   */
  session_position_in_ties?: number;
}

async function columns(conn: DuckDBConnection, from: string): Promise<Map<string, string>> {
  const rows = (await conn.runAndReadAll(`describe select * from ${from}`)).getRows();
  return new Map(rows.map((r) => [String(r[0]), String(r[1])]));
}

async function count(conn: DuckDBConnection, sql: string): Promise<number> {
  return Number((await conn.runAndReadAll(sql)).getRows()[0][0]);
}

export async function compareSparkSilver(lake: string, sparkOut: string): Promise<SparkSilverComparison> {
  const meta = readCatalog(lake).tables['silver.listening_with_features'];
  if (!meta) throw new Error(`${lake}: silver.listening_with_features does not exist`);
  const ours = `read_parquet([${meta.files.map((f) => quoteLiteral(join(lake, meta.path, f))).join(', ')}])`;
  const spark = `read_parquet(${quoteLiteral(join(sparkOut, 'listening_with_features', '*.parquet'))})`;
  const { instance, connection: conn } = await openDuckDB({ threads: process.env.DUCKDB_THREADS ? Number(process.env.DUCKDB_THREADS) : undefined, memoryLimit: process.env.DUCKDB_MEMORY_LIMIT });
  try {
    await conn.run("set TimeZone = 'UTC'");
    const [a, b] = [await columns(conn, ours), await columns(conn, spark)];
    const shared = [...a.keys()].filter((c) => b.has(c));
    const sel = shared.map(quoteIdent).join(', ');
    const onlyOurs = await count(conn, `select count(*) from (select ${sel} from ${ours} except all select ${sel} from ${spark})`);
    const onlySpark = await count(conn, `select count(*) from (select ${sel} from ${spark} except all select ${sel} from ${ours})`);
    const res: SparkSilverComparison = {
      rows_ours: await count(conn, `select count(*) from ${ours}`), rows_spark: await count(conn, `select count(*) from ${spark}`),
      rows_only_in_ours: onlyOurs, rows_only_in_spark: onlySpark, matched: false,
      schema_equal: shared.every((c) => a.get(c) === b.get(c)), columns_compared: shared.length,
      columns_only_in_ours: [...a.keys()].filter((c) => !b.has(c)), columns_only_in_spark: [...b.keys()].filter((c) => !a.has(c)),
    };
    res.matched = res.rows_ours === res.rows_spark && onlyOurs === 0 && onlySpark === 0 && shared.length > 0;
    if (onlyOurs || onlySpark) {
      const per: Record<string, number> = {};
      for (const c of shared) {
        const n = await count(conn, `select count(*) from ${ours} o join ${spark} s using (listener_id, event_id) where o.${quoteIdent(c)} is distinct from s.${quoteIdent(c)}`);
        if (n) per[c] = n;
      }
      res.columns_differing_by_event = per;
      if (per.session_position && a.has('session_id') && a.has('played_at')) {
        res.session_position_in_ties = await count(conn, `with ties as (
            select listener_id, session_id, played_at from ${ours} group by all having count(*) > 1)
          select count(*) from ${ours} o join ${spark} s using (listener_id, event_id)
          join ties t on t.listener_id = o.listener_id and t.session_id = o.session_id and t.played_at = o.played_at
          where o.session_position is distinct from s.session_position`);
      }
    }
    return res;
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}
