// The one module that writes tables. A LakeTransaction stages every table it writes in a hidden
// temporary folder, validates it against its declaration, and on commit renames the folders into
// new versions and swaps the catalog in a single rename: readers see all of the transaction or none
// of it, and a run killed at any moment leaves the previous versions readable.
import { existsSync, linkSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { DuckDBConnection, DuckDBValue } from './duckdb.ts';
import { quoteIdent, quoteLiteral, queryRows } from './duckdb.ts';
import {
  createTableView, listVersions, pinnedVersions, readCatalog, tableDir, versionDirName, writeCatalog,
  type Catalog, type TableVersionMeta,
} from './lake.ts';
import type { ColumnSpec, Layer } from './table-spec.ts';
import { TableContractError, errorMessage } from './errors.ts';
import { writeNotebookDb } from './notebook-db.ts';
import { emitProgress } from './progress.ts';
import { carryOverOtherListeners, type ListenerScope } from './listener-scope.ts';
import type { RemoteTableEngine } from './trino/engine.ts';

export interface WriteSpec {
  layer: Layer;
  name: string;
  description?: string;
  grain?: string[];
  grainSentence?: string;
  /** Declared columns; when given, the written schema must match them exactly (names, order, types). */
  columns?: ColumnSpec[];
}

export interface WriteOptions {
  sql: string;
  params?: DuckDBValue[] | Record<string, DuckDBValue>;
  /** replace: the new version holds exactly these rows. append: previous parts plus these rows. */
  mode?: 'replace' | 'append';
  orderBy?: string;
  inputs?: string[];
  /**
   * Under a listener scope (run/build --study), silver and gold tables keep the other listeners' rows
   * of their current version (lib/listener-scope.ts); true: this table is always rebuilt whole.
   */
  wholeTable?: boolean;
  /**
   * The SQL is a table declaration's own SELECT over lake tables only (no temp tables, no bound
   * parameters): the transaction's engine may compute it (`--engine trino`). Jobs that write rows
   * they computed in this connection leave it unset and are always written by DuckDB.
   */
  portable?: boolean;
  /** Values of the DuckDB variables the SQL reads with getvariable(), for another engine. */
  variables?: Record<string, number | string>;
  /**
   * DuckDB only: the rows of `sql` as several statements, each written to its own part file in this
   * order (e.g. silver per group of listeners, so that each group's sorts fit in memory). Their union
   * must equal `sql`, which another engine (`--engine trino`) computes whole. Not under a scope.
   */
  parts?: string[];
}

interface Staged {
  meta: TableVersionMeta;
  tmpDir: string;
}

const PARQUET_OPTIONS = "(format parquet, compression zstd, row_group_size 122880)";

export class LakeTransaction {
  private readonly staged = new Map<string, Staged>();
  /** Tables the remote engine computes ahead of their write() (prefetch): their staging folder and files. */
  private readonly ahead = new Map<string, { tmpDir: string; files: Promise<string[]> }>();
  private readonly catalog: Catalog;
  private done = false;

  constructor(
    private readonly conn: DuckDBConnection,
    private readonly dataDir: string,
    readonly runId: string,
    private readonly retainVersions = 5,
    /** Called first thing in commit(); throwing there publishes nothing (the caller then aborts). */
    private readonly beforeCommit: () => void = () => {},
    /** Build for these listeners only: see WriteOptions.wholeTable. */
    readonly scope: ListenerScope | null = null,
    /** Computes portable SQL tables elsewhere (Trino); null: everything runs in this DuckDB connection. */
    readonly engine: RemoteTableEngine | null = null,
  ) {
    this.catalog = readCatalog(dataDir);
  }

  /** The engine that computes this transaction's portable SQL; null: this DuckDB connection (also under --study). */
  get remote(): RemoteTableEngine | null {
    return this.scope ? null : this.engine;
  }

  private stagedFolders(): Map<string, { dir: string; columns: { name: string; type: string }[] }> {
    return new Map([...this.staged].map(([k, v]) => [k, { dir: v.tmpDir, columns: v.meta.columns }]));
  }

  /**
   * A job's intermediate relation, computed by the engine of the transaction's portable tables from
   * portable `sql`: later SQL of the transaction (portable writes, scratch) reads it as
   * `temp.<name>`. DuckDB: a temp table of this connection; Trino: a scratch table, dropped with the
   * transaction. Returns the rows when `read` is set (for jobs that also need them in Node).
   */
  async scratch(name: string, sql: string, opts: { variables?: Record<string, number | string>; read?: boolean } = {}): Promise<Record<string, unknown>[]> {
    if (!/^[a-z][a-z0-9_]*$/.test(name)) throw new Error(`scratch name ${JSON.stringify(name)}: use lower-case letters, digits and _`);
    const remote = this.remote;
    if (remote) return remote.scratch(name, sql, this.stagedFolders(), opts);
    await this.conn.run(`create or replace temp table ${name} as ${sql}`);
    return opts.read ? queryRows<Record<string, unknown>>(this.conn, `select * from temp.main.${name}`) : [];
  }

  /** Makes DuckDB's `temp.main.<name>` (rows a job made in Node) readable as `temp.<name>` by the engine of the portable tables too. */
  async share(name: string): Promise<void> {
    await this.remote?.upload(this.conn, name);
  }

  private newTmpDir(spec: WriteSpec): string {
    const dir = tableDir(this.dataDir, spec.layer, spec.name);
    mkdirSync(dir, { recursive: true });
    const tmpDir = join(dir, `.tmp-${this.runId}-${randomBytes(3).toString('hex')}`);
    mkdirSync(tmpDir);
    return tmpDir;
  }

  /** The remote engine computes this write (portable SQL, not appended; under --study the carry-over of the other listeners' rows is DuckDB's). */
  private byEngine(opts: WriteOptions): this is { engine: RemoteTableEngine } {
    return !!(this.engine && opts.portable && opts.mode !== 'append' && !this.scope);
  }

  private computeRemotely(spec: WriteSpec, key: string, tmpDir: string, opts: WriteOptions): Promise<string[]> {
    return this.engine!.materialise({
      key, sql: opts.sql, dir: tmpDir, partPrefix: `part-${this.runId}`, columns: spec.columns, variables: opts.variables, staged: this.stagedFolders(),
    });
  }

  /**
   * Starts computing a table on the remote engine now, so that several of its statements run at
   * once (a small statement keeps a Trino cluster mostly waiting on its own stages); write() with the
   * same spec and options later waits for the result, then validates and stages it as usual. `sql`
   * may read committed tables and tables staged before this call only. Nothing happens when this
   * write is DuckDB's (no remote engine, not portable, append, --study).
   */
  prefetch(spec: WriteSpec, opts: WriteOptions): void {
    const key = `${spec.layer}.${spec.name}`;
    if (this.done || !this.byEngine(opts) || this.staged.has(key) || this.ahead.has(key)) return;
    const tmpDir = this.newTmpDir(spec);
    const files = this.computeRemotely(spec, key, tmpDir, opts);
    files.catch(() => undefined); // its failure is reported by write(), or dropped by abort()
    this.ahead.set(key, { tmpDir, files });
  }

  /** Waits for the prefetched computations nobody wrote (a failed build) and removes their folders. */
  private async dropAhead(): Promise<void> {
    const ahead = [...this.ahead.values()];
    this.ahead.clear();
    await Promise.allSettled(ahead.map((a) => a.files));
    for (const { tmpDir } of ahead) rmSync(tmpDir, { recursive: true, force: true });
  }

  /** Writes one table into a staging folder and points this connection's view at it. */
  async write(spec: WriteSpec, opts: WriteOptions): Promise<TableVersionMeta> {
    const started = Date.now();
    const key = `${spec.layer}.${spec.name}`;
    if (this.staged.has(key)) throw new TableContractError(key, 'written twice in one transaction');
    const ahead = this.ahead.get(key);
    this.ahead.delete(key);
    const tmpDir = ahead?.tmpDir ?? this.newTmpDir(spec);
    try {
      const previous = this.catalog.tables[key];
      const files = opts.mode === 'append' && previous ? this.linkPreviousParts(previous, tmpDir) : [];
      if (this.byEngine(opts)) {
        const written = await (ahead?.files ?? this.computeRemotely(spec, key, tmpDir, opts));
        if (written.length === 0) {
          // Zero rows: Trino wrote no file; an empty Parquet with the declared schema keeps the table readable.
          const empty = `part-${this.runId}-00000.parquet`;
          const cols = (spec.columns ?? []).map((c) => `cast(null as ${c.type}) as ${quoteIdent(c.name)}`).join(', ');
          await this.conn.run(`copy (select ${cols} where false) to ${quoteLiteral(join(tmpDir, empty))} ${PARQUET_OPTIONS}`);
          written.push(empty);
        }
        return await this.finish(spec, key, tmpDir, written, opts, started);
      }
      if (opts.parts && opts.parts.length > 1) {
        if (this.scope || opts.mode === 'append') throw new Error(`${key}: parts cannot be combined with a listener scope or append`);
        const written: string[] = [];
        for (const [i, sql] of opts.parts.entries()) {
          const name = `part-${String(i).padStart(5, '0')}-${this.runId}.parquet`;
          const select = opts.orderBy ? `select * from (${sql}) order by ${opts.orderBy}` : sql;
          await this.conn.run(`copy (${select}) to ${quoteLiteral(join(tmpDir, name))} ${PARQUET_OPTIONS}`, opts.params);
          written.push(name);
        }
        return await this.finish(spec, key, tmpDir, written, opts, started);
      }
      const partName = `part-${String(files.length).padStart(5, '0')}-${this.runId}.parquet`;
      const select = opts.orderBy ? `select * from (${opts.sql}) order by ${opts.orderBy}` : opts.sql;
      const copied = await this.conn.run(`copy (${select}) to ${quoteLiteral(join(tmpDir, partName))} ${PARQUET_OPTIONS}`, opts.params);
      const newRows = Number(copied.rowsChanged);
      if (this.scope && previous && opts.mode !== 'append' && !opts.wholeTable && (spec.layer === 'silver' || spec.layer === 'gold')) {
        await carryOverOtherListeners(this.conn, key, join(tmpDir, partName), join(this.dataDir, previous.path, '*.parquet'), this.scope, opts.orderBy);
      }
      if (previous && opts.mode === 'append' && newRows === 0) {
        // Nothing new: keep the current version instead of publishing an identical one.
        rmSync(tmpDir, { recursive: true, force: true });
        return previous;
      }
      if (newRows > 0 || files.length === 0) files.push(partName);
      else rmSync(join(tmpDir, partName), { force: true });
      return await this.finish(spec, key, tmpDir, files, opts, started);
    } catch (err) {
      rmSync(tmpDir, { recursive: true, force: true });
      throw err;
    }
  }

  /** Describes, validates and stages the files written into tmpDir. */
  private async finish(spec: WriteSpec, key: string, tmpDir: string, files: string[], opts: WriteOptions, started: number): Promise<TableVersionMeta> {
    const meta = await this.describe(spec, tmpDir, files, opts.inputs ?? [], started);
    await this.validate(spec, tmpDir, meta, !!(this.engine && opts.portable));
    writeFileSync(join(tmpDir, '_meta.json'), JSON.stringify(meta, null, 2));
    this.staged.set(key, { meta, tmpDir });
    await createTableView(this.conn, spec.layer, spec.name, tmpDir);
    emitProgress({ kind: 'table', table: key, rows: meta.rows, ms: Date.now() - started });
    return meta;
  }

  private linkPreviousParts(previous: TableVersionMeta, tmpDir: string): string[] {
    for (const f of previous.files) linkSync(join(this.dataDir, previous.path, f), join(tmpDir, f));
    return [...previous.files];
  }

  private async describe(spec: WriteSpec, tmpDir: string, files: string[], inputs: string[], started: number): Promise<TableVersionMeta> {
    const glob = quoteLiteral(join(tmpDir, '*.parquet'));
    const schema = await queryRows<{ column_name: string; column_type: string }>(this.conn, `describe select * from read_parquet(${glob})`);
    const [{ n }] = await queryRows<{ n: number }>(this.conn, `select count(*)::double as n from read_parquet(${glob})`);
    const declared = new Map((spec.columns ?? []).map((c) => [c.name, c.description]));
    const version = Math.max(0, ...listVersions(this.dataDir, spec.layer, spec.name), this.catalog.tables[`${spec.layer}.${spec.name}`]?.version ?? 0) + 1;
    return {
      layer: spec.layer,
      table: spec.name,
      version,
      path: relative(this.dataDir, join(tableDir(this.dataDir, spec.layer, spec.name), versionDirName(version))),
      run_id: this.runId,
      rows: n,
      built_at: new Date().toISOString(),
      duration_ms: Date.now() - started,
      description: spec.description,
      grain: spec.grain,
      grain_sentence: spec.grainSentence,
      columns: schema.map((c) => ({ name: c.column_name, type: c.column_type, description: declared.get(c.column_name) })),
      inputs: inputs.map((t) => ({ table: t, version: this.catalog.tables[t]?.version ?? this.staged.get(t)?.meta.version ?? null })),
      files,
    };
  }

  private async validate(spec: WriteSpec, tmpDir: string, meta: TableVersionMeta, byEngine = false): Promise<void> {
    const key = `${spec.layer}.${spec.name}`;
    if (spec.columns) {
      const actual = meta.columns.map((c) => `${c.name} ${c.type}`);
      const expected = spec.columns.map((c) => `${c.name} ${c.type.toUpperCase()}`);
      if (actual.join(', ') !== expected.join(', ')) {
        const missing = expected.filter((c) => !actual.includes(c));
        const extra = actual.filter((c) => !expected.includes(c));
        throw new TableContractError(key, `schema does not match its declaration (missing or different: ${missing.join(', ') || 'none'}; unexpected: ${extra.join(', ') || 'none'}; order must match too)`);
      }
    }
    if (spec.grain && spec.grain.length > 0) {
      const cols = spec.grain.map(quoteIdent).join(', ');
      // A table the engine computed is checked by the engine, where the data is.
      const dup = byEngine && this.engine
        ? await this.engine.duplicateGrain(key, spec.grain)
        : await queryRows<Record<string, unknown>>(this.conn,
          `select ${cols}, count(*)::integer as n from read_parquet(${quoteLiteral(join(tmpDir, '*.parquet'))}) group by all having count(*) > 1 limit 3`);
      if (dup.length > 0) {
        throw new TableContractError(key, `grain (${spec.grain.join(', ')}) is not unique, e.g. ${JSON.stringify(dup[0])}`);
      }
    }
  }

  stagedTables(): TableVersionMeta[] {
    return [...this.staged.values()].map((s) => s.meta);
  }

  /** Publishes every staged table at once. */
  async commit(): Promise<TableVersionMeta[]> {
    if (this.done) throw new Error('transaction already finished');
    this.beforeCommit();
    this.done = true;
    await this.dropAhead();
    await this.engine?.release();
    const published: TableVersionMeta[] = [];
    for (const { meta, tmpDir } of this.staged.values()) {
      renameSync(tmpDir, join(this.dataDir, meta.path));
      this.catalog.tables[`${meta.layer}.${meta.table}`] = meta;
      published.push(meta);
    }
    if (published.length === 0) return published;
    this.catalog.updated_at = new Date().toISOString();
    writeCatalog(this.dataDir, this.catalog);
    await refreshNotebookDb(this.dataDir, this.catalog);
    for (const meta of published) {
      await createTableView(this.conn, meta.layer, meta.table, join(this.dataDir, meta.path));
      pruneVersions(this.dataDir, meta.layer, meta.table, meta.version, this.retainVersions);
    }
    return published;
  }

  /**
   * Drops what this transaction staged and points the views it had moved to its staging folders
   * back at the committed catalog (or drops them when the table has no committed version), so the
   * session stays usable: later stages and listeners must not read a deleted staging folder.
   */
  async abort(): Promise<void> {
    if (this.done) return;
    this.done = true;
    await this.dropAhead();
    await this.engine?.release().catch(() => undefined);
    const staged = [...this.staged.values()];
    this.staged.clear();
    for (const { tmpDir } of staged) rmSync(tmpDir, { recursive: true, force: true });
    const committed = readCatalog(this.dataDir);
    for (const { meta } of staged) {
      const current = committed.tables[`${meta.layer}.${meta.table}`];
      if (current) await createTableView(this.conn, current.layer, current.table, join(this.dataDir, current.path));
      else await this.conn.run(`drop view if exists ${quoteIdent(meta.layer)}.${quoteIdent(meta.table)}`);
    }
  }
}

/**
 * Rewrites <dataDir>/lakehouse.duckdb for the new catalog. The publish has already happened, so a
 * failure here only leaves the notebook file one publish behind: it is reported, not thrown.
 */
async function refreshNotebookDb(dataDir: string, catalog: Catalog): Promise<void> {
  try {
    await writeNotebookDb(dataDir, catalog);
  } catch (err) {
    process.stderr.write(`warning: lakehouse.duckdb was not refreshed (run \`lakehouse notebook\`): ${errorMessage(err)}\n`);
  }
}

/** Keeps the newest `keep` versions (the current one always among them) and every pinned one. */
export function pruneVersions(dataDir: string, layer: Layer, table: string, current: number, keep: number): number[] {
  const versions = listVersions(dataDir, layer, table).filter((v) => v <= current);
  const pinned = pinnedVersions(dataDir, layer, table);
  const drop = versions.slice(0, Math.max(0, versions.length - keep)).filter((v) => !pinned.has(v));
  for (const v of drop) rmSync(join(tableDir(dataDir, layer, table), versionDirName(v)), { recursive: true, force: true });
  return drop;
}

/** Removes staging folders left by killed runs. Call only while holding the writer lock. */
export function removeStaleStaging(dataDir: string): number {
  let removed = 0;
  for (const layer of ['bronze', 'silver', 'gold', 'ops']) {
    const layerDir = join(dataDir, layer);
    if (!existsSync(layerDir)) continue;
    for (const table of readdirSync(layerDir)) {
      const dir = join(layerDir, table);
      for (const entry of existsSync(dir) ? readdirSync(dir) : []) {
        if (entry.startsWith('.tmp-')) {
          rmSync(join(dir, entry), { recursive: true, force: true });
          removed++;
        }
      }
    }
  }
  return removed;
}
