// What a stage or a table job gets: config, a DuckDB connection with the lake attached as views,
// the run id, a logger and the transaction its tables are written through.
import type { Config } from './config.ts';
import type { DuckDBConnection } from './duckdb.ts';
import type { Logger } from './logger.ts';
import type { LakeTransaction } from './table-writer.ts';

export interface BuildContext {
  config: Config;
  conn: DuckDBConnection;
  runId: string;
  log: Logger;
  tx: LakeTransaction;
}
