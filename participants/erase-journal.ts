// Two small files that let an interrupted erasure converge when it is run again.
// - The recount journal (`_erase-recount.json`, table names and versions only) is written before a
//   table's rewritten parts are renamed into place and removed when every table's row counts are
//   recorded. A run killed between the renames and the catalog update leaves it behind; the next
//   erasure recounts those versions first, since it would otherwise find nothing left to remove there
//   and never correct _meta.json and the catalog.
// - The erasure marker (lib/erasure-marker.ts, `_erasure-in-progress.json`) names the listener whose
//   erasure started and is removed once the audit row is written. A re-run for the same id completes
//   the erasure (audit row included) even if a killed run had already removed everything; an erasure
//   of someone else waits until that one is completed, and nothing is imported for the listener
//   meanwhile. It names the person only while their data is still being erased.
import { existsSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DuckDBConnection } from '../lib/duckdb.ts';
import { quoteLiteral, queryRows } from '../lib/duckdb.ts';
import { CATALOG_FILE, parseQualified, readCatalog, tableDir, versionDirName, writeCatalog, type TableVersionMeta } from '../lib/lake.ts';
import type { Layer } from '../lib/table-spec.ts';
import { isDataPart } from './data-parts.ts';

export const RECOUNT_FILE = '_erase-recount.json';

export type Recount = Record<string, number[]>;

function readJson<T>(file: string): T | null {
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as T) : null;
}

function writeJsonAtomic(file: string, value: unknown): void {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify(value, null, 2));
  renameSync(tmp, file);
}

/** Versions whose row counts an interrupted erasure may have left stale, by "layer.table". */
export function readRecount(dataDir: string): Recount {
  return readJson<Recount>(join(dataDir, RECOUNT_FILE)) ?? {};
}

/** Adds versions of one table to the journal (before its parts are renamed). */
export function noteRecount(dataDir: string, table: string, versions: number[]): void {
  const journal = readRecount(dataDir);
  journal[table] = [...new Set([...(journal[table] ?? []), ...versions])].sort((a, b) => a - b);
  writeJsonAtomic(join(dataDir, RECOUNT_FILE), journal);
}

export function clearRecount(dataDir: string): void {
  rmSync(join(dataDir, RECOUNT_FILE), { force: true });
}




async function countRows(conn: DuckDBConnection, dir: string): Promise<number> {
  const [r] = await queryRows<{ n: number }>(conn, `select count(*)::double as n from read_parquet(${quoteLiteral(join(dir, '*.parquet'))})`);
  return Number(r.n);
}

/** Records the actual row counts of these versions in their _meta.json and, for the current one, the catalog. */
export async function recordCounts(conn: DuckDBConnection, dataDir: string, layer: Layer, table: string, versions: number[], onRename?: (path: string) => void): Promise<void> {
  const key = `${layer}.${table}`;
  const catalog = readCatalog(dataDir);
  let catalogChanged = false;
  for (const v of versions) {
    const dir = join(tableDir(dataDir, layer, table), versionDirName(v));
    if (!existsSync(dir)) continue;
    const rows = readdirSync(dir).some(isDataPart) ? await countRows(conn, dir) : 0;
    const metaFile = join(dir, '_meta.json');
    if (existsSync(metaFile)) {
      const meta = JSON.parse(readFileSync(metaFile, 'utf8')) as TableVersionMeta;
      if (meta.rows !== rows) {
        writeFileSync(`${metaFile}.tmp`, JSON.stringify({ ...meta, rows }, null, 2));
        renameSync(`${metaFile}.tmp`, metaFile);
        onRename?.(metaFile);
      }
    }
    if (catalog.tables[key]?.version === v && catalog.tables[key].rows !== rows) {
      catalog.tables[key] = { ...catalog.tables[key], rows };
      catalogChanged = true;
    }
  }
  if (catalogChanged) {
    writeCatalog(dataDir, catalog);
    onRename?.(join(dataDir, CATALOG_FILE));
  }
}

/** Recounts the versions an interrupted erasure left in the journal. */
export async function repairInterrupted(conn: DuckDBConnection, dataDir: string, onRename?: (path: string) => void): Promise<void> {
  for (const [key, versions] of Object.entries(readRecount(dataDir))) {
    const { layer, table } = parseQualified(key);
    await recordCounts(conn, dataDir, layer, table, versions, onRename);
  }
}
