// DuckDB access: one place that opens an instance with the configured limits, and the helpers every
// SQL-building module uses to quote identifiers and literals.
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type * as Api from '@duckdb/node-api';
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import type { Config } from './config.ts';
import { MODULE_EXT } from './module-ext.ts';

export type { DuckDBConnection, DuckDBValue };
export { quoteIdent, quoteLiteral } from './sql-quote.ts';

// The binding's JavaScript (about 180 CommonJS files) is loaded with require, and every other module
// takes its DuckDB values from here: an ESM `import` of the package makes Node scan each of those
// files for its export names first, which cost 0.29 s of CPU per CLI call against 0.13 s for require.
// The compiled dist/ carries that JavaScript bundled into one file (VENDORED in
// scripts/build-dist.mjs), which loads in about half the time again.
const require = createRequire(import.meta.url);
const api = (MODULE_EXT === '.js' ? require('../vendor/duckdb-node-api.cjs') : require('@duckdb/node-api')) as typeof Api;
export const { DuckDBInstance, DuckDBTypeId, StatementType, JSDuckDBValueConverter, JsonDuckDBValueConverter } = api;
export type DuckDBInstance = Api.DuckDBInstance;
export type DuckDBTypeId = Api.DuckDBTypeId;
export type StatementType = Api.StatementType;

export interface DuckDBSettings {
  memoryLimit?: string;
  threads?: number;
  /** Where DuckDB spills when a query exceeds the memory limit. */
  tempDirectory?: string;
}

export function settingsFromConfig(config: Config): DuckDBSettings {
  return {
    memoryLimit: config.duckdbMemoryLimit,
    threads: config.duckdbThreads,
    tempDirectory: join(config.dataDir, '_tmp', 'duckdb'),
  };
}

/** Opens an in-memory DuckDB (the lake lives in Parquet files, not in a database file). */
export async function openDuckDB(settings: DuckDBSettings = {}): Promise<{ instance: DuckDBInstance; connection: DuckDBConnection }> {
  const options: Record<string, string> = {};
  // Pinned, not left to the default: export ingestion numbers a file's elements by their row in an
  // insert of the reader's output (ingestion/exports/source.ts), which this setting keeps in order.
  options.preserve_insertion_order = 'true';
  if (settings.memoryLimit) options.memory_limit = settings.memoryLimit;
  if (settings.threads) options.threads = String(settings.threads);
  if (settings.tempDirectory) {
    mkdirSync(settings.tempDirectory, { recursive: true });
    options.temp_directory = settings.tempDirectory;
  }
  const instance = await DuckDBInstance.create(':memory:', options);
  const connection = await instance.connect();
  // Set after connecting: ICU (which owns the TimeZone setting) is loaded with the instance.
  await connection.run("set TimeZone = 'UTC'");
  return { instance, connection };
}

/** Runs fn with a fresh connection and always closes it. */
export async function withDuckDB<T>(settings: DuckDBSettings, fn: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
  const { instance, connection } = await openDuckDB(settings);
  try {
    return await fn(connection);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** Rows as plain JSON-friendly objects (BIGINT as number when safe, timestamps as strings). */
export async function queryRows<T = Record<string, unknown>>(conn: DuckDBConnection, sql: string, params?: DuckDBValue[] | Record<string, DuckDBValue>): Promise<T[]> {
  const reader = await conn.runAndReadAll(sql, params);
  return reader.getRowObjectsJson() as unknown as T[];
}

/** Like queryRows but with JS values (bigint, Date-like DuckDB values) left as DuckDB returns them. */
export async function queryValues<T = Record<string, unknown>>(conn: DuckDBConnection, sql: string, params?: DuckDBValue[] | Record<string, DuckDBValue>): Promise<T[]> {
  const reader = await conn.runAndReadAll(sql, params);
  return reader.getRowObjectsJS() as unknown as T[];
}

export async function scalar<T = unknown>(conn: DuckDBConnection, sql: string, params?: DuckDBValue[] | Record<string, DuckDBValue>): Promise<T> {
  const reader = await conn.runAndReadAll(sql, params);
  const rows = reader.getRowsJS();
  return (rows[0]?.[0] ?? null) as T;
}
