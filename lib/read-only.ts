// The read-only door to the lake (`lakehouse query`, `lakehouse export`), local or mirrored to
// object storage (an s3:// data dir: DuckDB reads it through httpfs). Two independent walls:
// 1. the connection is sandboxed: after the lake's views are created, DuckDB may touch no file but
//    the current version folders (enable_external_access=false + allowed_directories), loads and
//    installs no extension, and its configuration is locked;
// 2. every statement is parsed by DuckDB before it runs and refused unless it is a query (SELECT,
//    WITH … SELECT, FROM …, VALUES, DESCRIBE, SHOW, SUMMARIZE) or a plain EXPLAIN of one.
// The sandbox alone is not enough: DuckDB lets COPY write into an allowed directory, which is how
// `EXPLAIN ANALYZE COPY … TO '<gold part>'` overwrote a table. The parser alone is not enough either:
// a SELECT can call read_csv('/etc/passwd').
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, sep } from 'node:path';
import type { DuckDBConnection, DuckDBPreparedStatement } from '@duckdb/node-api';
import type { Config } from './config.ts';
import { DuckDBInstance, StatementType, quoteLiteral } from './duckdb.ts';
import { attachLake, readCatalog, type Catalog } from './lake.ts';
import { namedLakeTables } from './named-tables.ts';
import { UsageError } from './errors.ts';
import { enableS3, isRemoteLake, joinLake, readRemoteCatalogText } from './object-store.ts';

export interface ReadOnlyLake {
  conn: DuckDBConnection;
  dataDir: string;
  close(): void;
}

export interface ReadOnlyOptions {
  /** Extra files the connection may write (the temporary file `export --out` fills). */
  writablePaths?: string[];
  /**
   * Create a table's view only when a statement prepared by prepareReadOnly reads it (see
   * lib/named-tables.ts), not all of them at open. Only for callers whose SQL is statements prepared
   * by prepareReadOnly and code that calls ensureLakeViews for the tables it reads itself (the result
   * formatting of lib/result-stream.ts and lib/local-time.ts): `lakehouse query`.
   */
  viewsOnDemand?: boolean;
}

/** Connections opened with viewsOnDemand: the lake they read and the views created so far. */
const onDemand = new WeakMap<DuckDBConnection, { dataDir: string; catalog: Catalog; created: Set<string> }>();

/**
 * Opens an in-memory DuckDB with views of the current tables (with viewsOnDemand: created as
 * statements need them), sandboxed to their version folders.
 */
export async function openReadOnlyLake(config: Config, options: ReadOnlyOptions = {}): Promise<ReadOnlyLake> {
  const remote = isRemoteLake(config.dataDir);
  const dataDir = remote ? config.dataDir : resolve(config.dataDir);
  if (!remote && !existsSync(dataDir)) throw new UsageError(`${dataDir}: data dir does not exist (check --data-dir or LAKEHOUSE_DATA_DIR)`);
  const settings: Record<string, string> = {
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
    allow_community_extensions: 'false',
    allow_persistent_secrets: 'false',
  };
  if (config.duckdbMemoryLimit) settings.memory_limit = config.duckdbMemoryLimit;
  if (config.duckdbThreads) settings.threads = String(config.duckdbThreads);
  // Spill where the writers spill, but a read-only verb creates nothing in the data dir.
  const lakeTmp = remote ? '' : join(dataDir, '_tmp', 'duckdb');
  settings.temp_directory = lakeTmp && existsSync(lakeTmp) ? lakeTmp : join(tmpdir(), 'lakehouse-duckdb');
  const instance = await DuckDBInstance.create(':memory:', settings);
  const conn = await instance.connect();
  const close = () => {
    conn.closeSync();
    instance.closeSync();
  };
  try {
    await conn.run("set TimeZone = 'UTC'");
    let committed: Catalog;
    if (remote) {
      // A mirror on object storage: httpfs and the bucket's secret before the sandbox closes.
      await enableS3(conn, config, dataDir);
      committed = JSON.parse(await readRemoteCatalogText(conn, dataDir)) as Catalog;
    } else {
      committed = readCatalog(dataDir);
    }
    const catalog = await attachLake(conn, dataDir, committed, options.viewsOnDemand ? new Set() : undefined);
    if (options.viewsOnDemand) onDemand.set(conn, { dataDir, catalog, created: new Set() });
    const dirs = Object.values(catalog.tables).map((t) => (remote ? `${joinLake(dataDir, t.path)}/` : join(dataDir, t.path) + sep));
    await conn.run(`set allowed_directories = [${dirs.map(quoteLiteral).join(', ')}]`);
    await conn.run(`set allowed_paths = [${(options.writablePaths ?? []).map(quoteLiteral).join(', ')}]`);
    await conn.run('set enable_external_access = false');
    await conn.run('set lock_configuration = true');
  } catch (err) {
    close();
    throw err;
  }
  return { conn, dataDir, close };
}

export async function withReadOnlyLake<T>(config: Config, fn: (lake: ReadOnlyLake) => Promise<T>, options?: ReadOnlyOptions): Promise<T> {
  const lake = await openReadOnlyLake(config, options);
  try {
    return await fn(lake);
  } finally {
    lake.close();
  }
}

const ALLOWED = 'a query (SELECT, WITH … SELECT, FROM …, VALUES, DESCRIBE, SHOW, SUMMARIZE) or EXPLAIN of one';

/**
 * The parse tree when DuckDB's parser reads sql as exactly one query statement (json_serialize_sql
 * only serializes SELECT nodes), else null.
 */
async function parsedQuery(conn: DuckDBConnection, sql: string): Promise<unknown> {
  const reader = await conn.runAndReadAll('select json_serialize_sql($sql::varchar) as j', { sql });
  const parsed = JSON.parse(String(reader.getRowsJS()[0][0])) as { error: boolean; statements?: unknown[] };
  return !parsed.error && parsed.statements?.length === 1 ? parsed.statements[0] : null;
}

/**
 * On a connection opened with viewsOnDemand, creates the views of those of `tables` (`layer.table`)
 * that the lake has and that do not exist yet; on any other connection it does nothing. Also for
 * code that reads a lake table the user's statement does not name (lib/local-time.ts reads
 * bronze.listeners to give *_local columns their offset).
 */
export async function ensureLakeViews(conn: DuckDBConnection, tables: Iterable<string>): Promise<void> {
  const lake = onDemand.get(conn);
  if (!lake) return;
  const missing = new Set([...tables].filter((t) => Object.hasOwn(lake.catalog.tables, t) && !lake.created.has(t)));
  if (missing.size === 0) return;
  await attachLake(conn, lake.dataDir, lake.catalog, missing);
  for (const t of missing) lake.created.add(t);
}

/** On a connection opened with viewsOnDemand: creates the views the statement reads (all when unsure). */
async function createViewsRead(conn: DuckDBConnection, statement: unknown): Promise<void> {
  const lake = onDemand.get(conn);
  if (lake) await ensureLakeViews(conn, namedLakeTables(statement, lake.catalog.tables) ?? Object.keys(lake.catalog.tables));
}

/** The statement's first word, only to name it in the refusal (the decision is the parser's). */
function firstWord(sql: string): string {
  const words = /^\s*([A-Za-z_]+)(?:\s+([A-Za-z_]+))?/.exec(sql);
  if (!words) return 'this';
  const first = words[1].toUpperCase();
  return first === 'EXPLAIN' && words[2]?.toUpperCase() === 'ANALYZE' ? 'EXPLAIN ANALYZE (it runs its statement)' : first;
}

export interface GuardedStatement {
  prepared: DuckDBPreparedStatement;
  /** The statement without trailing semicolons, safe to nest as a subquery when isExplain is false. */
  sql: string;
  isExplain: boolean;
}

/**
 * Parses sql with DuckDB and prepares it if it is one read-only statement; anything else (COPY,
 * EXPLAIN ANALYZE, ATTACH, INSTALL, LOAD, SET, PRAGMA, CREATE, INSERT, several statements) is
 * refused with a UsageError naming `what` (e.g. "query", "--where").
 */
export async function prepareReadOnly(conn: DuckDBConnection, sql: string, what = 'query'): Promise<GuardedStatement> {
  const extracted = await conn.extractStatements(sql).catch((err: unknown) => {
    throw new UsageError(`${what}: ${(err as Error).message}`);
  });
  if (extracted.count !== 1) {
    // DuckDB expands a PIVOT without an IN list into two statements (it first collects the values).
    const hint = /\bpivot\b/i.test(sql) ? '; a PIVOT needs its values named: `pivot t on col in (\'a\', \'b\') using …`' : '';
    throw new UsageError(`${what}: expected exactly one SQL statement, got ${extracted.count}${hint}`);
  }
  const body = sql.replace(/[\s;]+$/, '');
  let isExplain = false;
  let statement = await parsedQuery(conn, body);
  if (statement === null) {
    // EXPLAIN is not serializable; accept it only when what follows the keyword parses as a query,
    // which refuses EXPLAIN ANALYZE (it executes its statement) and EXPLAIN of anything else.
    const rest = /^\s*explain\s+([\s\S]*)$/i.exec(body)?.[1];
    statement = rest === undefined ? null : await parsedQuery(conn, rest);
    if (statement === null) {
      throw new UsageError(`${what}: refused ${firstWord(body)} statement: only read-only statements are allowed here, i.e. ${ALLOWED}`);
    }
    isExplain = true;
  }
  await createViewsRead(conn, statement);
  const prepared = await extracted.prepare(0).catch((err: unknown) => {
    const message = (err as Error).message;
    const hint = /Permission Error/.test(message) ? ` (${what} reads only the current files of the lake's tables: bronze.*, silver.*, gold.*, ops.*)` : '';
    throw new UsageError(`${what}: ${message}${hint}`);
  });
  const expected = isExplain ? StatementType.EXPLAIN : StatementType.SELECT;
  if (prepared.statementType !== expected) {
    throw new UsageError(`${what}: refused ${StatementType[prepared.statementType]} statement: only read-only statements are allowed here, i.e. ${ALLOWED}`);
  }
  return { prepared, sql: body, isExplain };
}
