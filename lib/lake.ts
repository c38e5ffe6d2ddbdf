// The lake on disk. Each table lives in <dataDir>/<layer>/<table>/v<NNNNNN>/ (Parquet parts plus a
// _meta.json). One catalog file, <dataDir>/_catalog.json, names the current version of every table;
// it is replaced by an atomic rename, so a reader always sees one consistent snapshot of the lake.
// Readers also take a lake mirrored to object storage (an s3:// data dir, lib/object-store.ts).
import { existsSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DuckDBConnection } from './duckdb.ts';
import { quoteIdent, quoteLiteral } from './sql-quote.ts';
import { LAYERS, type Layer } from './table-spec.ts';
import { UsageError } from './errors.ts';
import { joinLake } from './object-store.ts';

export const CATALOG_FILE = '_catalog.json';

export interface ColumnMeta {
  name: string;
  type: string;
  description?: string;
}

export interface TableVersionMeta {
  layer: Layer;
  table: string;
  version: number;
  /** Version folder relative to the data dir. */
  path: string;
  run_id: string;
  rows: number;
  built_at: string;
  duration_ms: number;
  description?: string;
  grain?: string[];
  grain_sentence?: string;
  columns: ColumnMeta[];
  inputs: { table: string; version: number | null }[];
  files: string[];
}

export interface Catalog {
  format: 1;
  updated_at: string;
  tables: Record<string, TableVersionMeta>;
}

export function emptyCatalog(): Catalog {
  return { format: 1, updated_at: new Date(0).toISOString(), tables: {} };
}

export function readCatalog(dataDir: string): Catalog {
  const file = join(dataDir, CATALOG_FILE);
  if (!existsSync(file)) return emptyCatalog();
  return JSON.parse(readFileSync(file, 'utf8')) as Catalog;
}

export function writeCatalog(dataDir: string, catalog: Catalog): void {
  const file = join(dataDir, CATALOG_FILE);
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify(catalog, null, 2));
  renameSync(tmp, file);
}

export function tableDir(dataDir: string, layer: Layer, table: string): string {
  return join(dataDir, layer, table);
}

export function versionDirName(version: number): string {
  return `v${String(version).padStart(6, '0')}`;
}

/** Version numbers present on disk for a table, ascending. */
export function listVersions(dataDir: string, layer: Layer, table: string): number[] {
  const dir = tableDir(dataDir, layer, table);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((n) => /^v\d{6}$/.test(n))
    .map((n) => Number(n.slice(1)))
    .sort((a, b) => a - b);
}

export function parseQualified(name: string): { layer: Layer; table: string } {
  const [layer, table, ...rest] = name.split('.');
  if (!table || rest.length > 0 || !(LAYERS as readonly string[]).includes(layer)) {
    throw new UsageError(`${name}: expected <layer>.<table> with layer one of ${LAYERS.join(', ')}`);
  }
  return { layer: layer as Layer, table };
}

export function listTables(dataDir: string): TableVersionMeta[] {
  return sortedTables(readCatalog(dataDir));
}

/** The catalog's tables in layer order, then by name. */
export function sortedTables(catalog: Catalog): TableVersionMeta[] {
  const order = (l: string) => (LAYERS as readonly string[]).indexOf(l);
  return Object.values(catalog.tables).sort(
    (a, b) => order(a.layer) - order(b.layer) || a.table.localeCompare(b.table),
  );
}

export function parquetGlob(dataDir: string, relPath: string): string {
  return joinLake(dataDir, relPath, '*.parquet');
}

function viewSql(layer: string, table: string, dir: string): string {
  return `create or replace view ${quoteIdent(layer)}.${quoteIdent(table)} as select * from read_parquet(${quoteLiteral(joinLake(dir, '*.parquet'))})`;
}

/** Points a view layer.table at a folder of Parquet parts. */
export async function createTableView(conn: DuckDBConnection, layer: string, table: string, dir: string): Promise<void> {
  await conn.run(`create schema if not exists ${quoteIdent(layer)}`);
  await conn.run(viewSql(layer, table, dir));
}

/**
 * Creates the layer schemas and one view per current table (or per table named in `only`, e.g.
 * `silver.x`), so SQL can say bronze.x, silver.x, gold.x, ops.x. One call with all the statements: a call per statement cost a small `query` about 15 ms of CPU
 * more (47 views), each a round trip through the binding's worker thread.
 */
export async function attachLake(conn: DuckDBConnection, dataDir: string, catalog = readCatalog(dataDir), only?: ReadonlySet<string>): Promise<Catalog> {
  const statements = LAYERS.map((layer) => `create schema if not exists ${quoteIdent(layer)}`);
  for (const [name, meta] of Object.entries(catalog.tables)) {
    if (!only || only.has(name)) statements.push(viewSql(meta.layer, meta.table, joinLake(dataDir, meta.path)));
  }
  await conn.run(statements.join(';\n'));
  return catalog;
}

export function hasTable(catalog: Catalog, qualified: string): boolean {
  return qualified in catalog.tables;
}

/** True when the connection has a view/table layer.table (i.e. the lake or this transaction has it). */
export async function relationExists(conn: DuckDBConnection, layer: string, table: string): Promise<boolean> {
  const reader = await conn.runAndReadAll(
    'select count(*)::integer as n from information_schema.tables where table_schema = $s and table_name = $t',
    { s: layer, t: table },
  );
  return Number(reader.getRowsJS()[0][0]) > 0;
}

export const PINS_FILE = '_pins.json';

type Pins = Record<string, Record<string, number>>;

function readPins(dataDir: string): Pins {
  const file = join(dataDir, PINS_FILE);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Pins) : {};
}

/**
 * Records which version of each table a consumer (e.g. "trino") serves. Retention never deletes a
 * pinned version, so a consumer that stays on an older version (a publish blocked by a quality gate)
 * keeps readable files.
 */
export function writePins(dataDir: string, consumer: string, versions: Record<string, number>): void {
  const pins = readPins(dataDir);
  pins[consumer] = versions;
  const file = join(dataDir, PINS_FILE);
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify(pins, null, 2));
  renameSync(tmp, file);
}

/** Versions of layer.table that some consumer still serves. */
export function pinnedVersions(dataDir: string, layer: string, table: string): Set<number> {
  const key = `${layer}.${table}`;
  return new Set(Object.values(readPins(dataDir)).map((p) => p[key]).filter((v): v is number => typeof v === 'number'));
}
