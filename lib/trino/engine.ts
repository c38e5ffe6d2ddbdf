// Trino as the execution engine of silver and of the SQL gold tables (`--engine trino`). The lake and
// its transaction stay exactly as with DuckDB (lib/table-writer.ts): a table is staged in a hidden
// folder, validated against its declaration, and published with every other table of the stage by
// one catalog rename. What changes is who computes the staged Parquet: Trino runs the table's SQL,
// translated by lib/sql-dialect.ts, as CREATE TABLE … WITH (external_location = <staging folder>)
// AS SELECT through its Hive connector, and its workers write the files. The inputs are the lake's
// committed versions, published to Trino before the first statement, and the tables staged earlier
// in the same transaction, registered as external tables of the hidden schema `_staging`. Nothing in
// `_staging` outlives the transaction: the tables are dropped on commit and abort (external tables:
// dropping them leaves the folders, which the transaction renames or removes).
import { randomBytes } from 'node:crypto';
import { join, relative } from 'node:path';
import type { Config } from '../config.ts';
import type { DuckDBConnection } from '../duckdb.ts';
import type { Logger } from '../logger.ts';
import type { ColumnSpec } from '../table-spec.ts';
import { toTrinoSql, trinoType } from '../sql-dialect.ts';
import { TRINO_CATALOG, abbreviate, trinoFromConfig, type TrinoClient } from './client.ts';
import { quoteTrinoIdent as q } from './types.ts';
import { literal } from './publish-plan.ts';
import { SCRATCH_DIR, SCRATCH_SCHEMA, stageForTrino } from './scratch-table.ts';
import { trinoStaging, type TrinoStaging } from './staging-store.ts';

export const STAGING_SCHEMA = '_staging';

/** What the transaction needs from an engine that computes a table's rows somewhere else than its own DuckDB connection. */
export interface RemoteTableEngine {
  readonly name: 'trino';
  /**
   * Computes `sql` (DuckDB dialect, over layer.table names) into Parquet files in `dir` (a staging
   * folder under the data dir), named `<partPrefix>-<n>.parquet`; returns the file names.
   * `staged` maps the tables staged earlier in this transaction to their folders.
   */
  materialise(req: MaterialiseRequest): Promise<string[]>;
  /** Up to 3 example rows whose grain is not unique (empty when unique), computed by the engine. */
  duplicateGrain(key: string, grain: string[]): Promise<Record<string, unknown>[]>;
  /**
   * Computes `sql` (DuckDB dialect, portable) into a relation that later SQL of this transaction
   * reads as `temp.<name>` (a job's intermediate result: scored feature vectors, per-listener
   * baselines); returns its rows when `read` is set. Gone at release.
   */
  scratch(name: string, sql: string, staged: MaterialiseRequest['staged'], opts?: { variables?: Record<string, number | string>; read?: boolean }): Promise<Record<string, unknown>[]>;
  /** Copies DuckDB's `temp.main.<name>` (rows made in Node: model node tables, coefficients, keys) to the engine, where later SQL reads it as `temp.<name>`. */
  upload(conn: DuckDBConnection, name: string): Promise<void>;
  /** Drops every `_staging` and scratch table of this transaction (commit and abort). */
  release(): Promise<void>;
}

export interface MaterialiseRequest {
  key: string;
  sql: string;
  dir: string;
  partPrefix: string;
  columns?: ColumnSpec[];
  staged: Map<string, { dir: string; columns: { name: string; type: string }[] }>;
  /** Values of the DuckDB variables the SQL reads with getvariable(). */
  variables?: Record<string, number | string>;
}

/** `<run>__<layer>__<table>` as a Trino table name (run ids are [a-z0-9-]). */
function stagingName(runId: string, key: string): string {
  return `${runId.replace(/[^a-z0-9]/gi, '_')}__${key.replace('.', '__')}`.toLowerCase();
}

export class TrinoTableEngine implements RemoteTableEngine {
  readonly name = 'trino' as const;
  private readonly created = new Set<string>();
  /** `temp.<name>` → the Trino relation, with what drops it (scratch and uploaded tables). */
  private readonly temps = new Map<string, { ref: string; drop: () => Promise<void> }>();
  /** The transaction's one publish and schema set-up (sync), shared by statements started together. */
  private syncing: Promise<void> | null = null;
  /** Staged tables being registered (register), shared by statements started together. */
  private readonly registering = new Map<string, Promise<void>>();
  /** Where the workers write and read the transaction's folders: the data dir, or the lake's mirror (staging-store.ts). */
  private readonly staging: TrinoStaging;

  constructor(
    private readonly config: Config,
    private readonly log: Logger,
    private readonly runId: string,
    private readonly trino: TrinoClient = trinoFromConfig(config, {
      onStatementRetry: (attempt, err) => log.warn({ attempt, error: err.errorName, reason: err.trinoMessage, statement: abbreviate(err.sql, 200) }, 'trino failed a statement for a reason of the cluster; running it again'),
    }),
  ) {
    this.staging = trinoStaging(config, runId);
  }

  private ref(name: string): string {
    return `${TRINO_CATALOG}.${q(STAGING_SCHEMA)}.${q(name)}`;
  }

  private rel(dir: string): string {
    return relative(this.config.dataDir, dir);
  }

  /**
   * Once per transaction: Trino's views point at the catalog's committed versions, and the staging
   * and scratch schemas exist. Statements may start together (LakeTransaction.prefetch): they share it.
   */
  private sync(): Promise<void> {
    this.syncing ??= (async () => {
      const { publishLake } = await import('./publish.ts');
      await publishLake(this.config, this.log, this.trino);
      await this.trino.query(`create schema if not exists ${TRINO_CATALOG}.${q(STAGING_SCHEMA)}`);
      await this.trino.query(`create schema if not exists ${TRINO_CATALOG}.${q(SCRATCH_SCHEMA)}`);
    })();
    return this.syncing;
  }

  /** Registers a table staged earlier in this transaction (by either engine) so that later SQL can read it. */
  private async register(key: string, s: { dir: string; columns: { name: string; type: string }[] }): Promise<string> {
    const name = stagingName(this.runId, key);
    if (!this.created.has(name)) {
      let pending = this.registering.get(name);
      if (!pending) {
        pending = (async () => {
          await this.staging.share(this.rel(s.dir));
          await this.createExternal(name, s.columns, s.dir);
        })().finally(() => this.registering.delete(name));
        this.registering.set(name, pending);
      }
      await pending;
    }
    return this.ref(name);
  }

  /** An external staging table of these (DuckDB-typed) columns over a lake folder. */
  private async createExternal(name: string, columns: { name: string; type: string }[], dir: string): Promise<void> {
    const cols = columns.map((c) => `${q(c.name)} ${trinoType(c.type)}`).join(', ');
    await this.trino.query(`drop table if exists ${this.ref(name)}`);
    await this.trino.query(`create table ${this.ref(name)} (${cols}) with (external_location = ${literal(this.staging.location(this.rel(dir)))}, format = 'PARQUET')`);
    this.created.add(name);
  }

  /** The Trino relations of the staged and scratch tables `sql` names (registering staged ones on first use). */
  private async tablesOf(sql: string, staged: MaterialiseRequest['staged']): Promise<Record<string, string>> {
    const named = (key: string) => new RegExp(`\\b${key.replace('.', '\\s*\\.\\s*')}\\b`, 'i').test(sql);
    const tables: Record<string, string> = {};
    for (const [key, s] of staged) if (named(key)) tables[key] = await this.register(key, s);
    for (const [key, t] of this.temps) if (named(key)) tables[key] = t.ref;
    return tables;
  }

  async scratch(name: string, sql: string, staged: MaterialiseRequest['staged'], opts: { variables?: Record<string, number | string>; read?: boolean } = {}): Promise<Record<string, unknown>[]> {
    await this.sync();
    const translated = toTrinoSql(sql, { variables: opts.variables, tables: await this.tablesOf(sql, staged) });
    await this.dropTemp(name);
    const folder = join(SCRATCH_DIR, `${this.runId}-${name}-${randomBytes(4).toString('hex')}`);
    const ref = `${TRINO_CATALOG}.${q(SCRATCH_SCHEMA)}.${q(stagingName(this.runId, `temp.${name}`))}`;
    const drop = async () => {
      await this.trino.query(`drop table if exists ${ref}`);
      await this.staging.remove(folder);
    };
    this.temps.set(`temp.${name}`, { ref, drop });
    // A typed table over a new, empty folder, then INSERT (as materialise does): CREATE TABLE AS
    // fails outright when the result has no rows (the location it would create does not exist).
    // The types are the ones Trino reports for the query's columns, planned without running it.
    const { columns } = await this.trino.query(`select * from (${translated}) t limit 0`);
    await this.staging.prepare(folder);
    await this.trino.query(`create table ${ref} (${columns.map((c) => `${q(c.name)} ${c.type}`).join(', ')}) with (external_location = ${literal(this.staging.location(folder))}, format = 'PARQUET')`);
    await this.trino.query(`insert into ${ref} ${translated}`, { beforeRetry: () => this.empty(folder) });
    if (!opts.read) return [];
    return this.trino.rows(`select * from ${ref}`);
  }

  async upload(conn: DuckDBConnection, name: string): Promise<void> {
    await this.sync();
    await this.dropTemp(name);
    const t = await stageForTrino(conn, this.trino, this.config.dataDir, name, `select * from temp.main.${name}`, this.staging);
    this.temps.set(`temp.${name}`, { ref: t.ref, drop: t.drop });
  }

  private async dropTemp(name: string): Promise<void> {
    const t = this.temps.get(`temp.${name}`);
    this.temps.delete(`temp.${name}`);
    await t?.drop();
  }

  async materialise(req: MaterialiseRequest): Promise<string[]> {
    await this.sync();
    const tables = await this.tablesOf(req.sql, req.staged);
    const translated = toTrinoSql(req.sql, { variables: req.variables, tables });
    if (!req.columns) throw new Error(`${req.key}: a table computed by Trino needs its declared columns`);
    // A typed table over the (new, empty) staging folder, then INSERT: every column cast to its
    // declared type, so that the Parquet Trino writes reads back in DuckDB exactly as the declaration
    // says. (CREATE TABLE AS would refuse the existing folder, and fail outright on zero rows.)
    const name = stagingName(this.runId, req.key);
    await this.staging.prepare(this.rel(req.dir));
    await this.createExternal(name, req.columns, req.dir);
    const select = `select ${req.columns.map((c) => `cast(${q(c.name)} as ${trinoType(c.type)})`).join(', ')} from (${translated}) t`;
    await this.trino.query(`insert into ${this.ref(name)} ${select}`, { beforeRetry: () => this.empty(this.rel(req.dir)) });
    // Trino names its files after the query (no extension); the lake reads <dir>/*.parquet. The table
    // stays registered (Trino lists its location at every query), for the grain check and later
    // tables. No file at all: zero rows (the caller writes an empty Parquet with the declared schema).
    return this.staging.collect(this.rel(req.dir), req.partPrefix);
  }

  /** Before an INSERT runs again: whatever the failed attempt left in its folder goes (Trino's rollback should have removed it). */
  private async empty(rel: string): Promise<void> {
    await this.staging.remove(rel);
    await this.staging.prepare(rel);
  }

  async duplicateGrain(key: string, grain: string[]): Promise<Record<string, unknown>[]> {
    const name = stagingName(this.runId, key);
    if (!this.created.has(name)) return [];
    const cols = grain.map(q).join(', ');
    return this.trino.rows(`select ${cols}, count(*) as n from ${this.ref(name)} group by ${grain.map((_, i) => i + 1).join(', ')} having count(*) > 1 limit 3`);
  }

  async release(): Promise<void> {
    for (const name of [...this.created]) {
      await this.trino.query(`drop table if exists ${this.ref(name)}`).catch((err: unknown) => this.log.warn({ table: name, err: String(err) }, 'could not drop a staging table'));
      this.created.delete(name);
    }
    for (const [key, t] of [...this.temps]) {
      await t.drop().catch((err: unknown) => this.log.warn({ table: key, err: String(err) }, 'could not drop a scratch table'));
      this.temps.delete(key);
    }
    await this.staging.close().catch((err: unknown) => this.log.warn({ err: String(err) }, 'could not delete the staging objects (the next mirror sync deletes them)'));
  }
}
