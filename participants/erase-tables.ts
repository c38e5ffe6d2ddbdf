// Erasing one listener from every table and every kept version. Parquet parts of append-only tables
// are hard links shared between versions, so a part is never modified in place: its rewritten copy
// is written beside it (`<part>.erase-tmp`), every other link to the same inode gets a link to that
// one copy, and only when all versions of the table are staged are the copies renamed over the old
// names (each rename atomic). Then each version's _meta.json and the catalog get their new row
// counts. Readers see every part either before or after the erasure, never a half-written file; a
// run interrupted anywhere is completed by running the erasure again (it is idempotent, and the
// recount journal of erase-journal.ts corrects counts left stale between renames and catalog update).
import { existsSync, linkSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DuckDBConnection } from '../lib/duckdb.ts';
import { quoteLiteral, queryRows } from '../lib/duckdb.ts';
import { CATALOG_FILE, listVersions, parseQualified, readCatalog, tableDir, versionDirName, writeCatalog, type TableVersionMeta } from '../lib/lake.ts';
import { clearRecount, noteRecount, readRecount } from './erase-journal.ts';
import { LAYERS, type Layer } from '../lib/table-spec.ts';
import { TableContractError } from '../lib/errors.ts';
import { eraseRule, type EraseRule, type PartColumn } from './erase-rules.ts';

export const STAGED_SUFFIX = '.erase-tmp';
const PARQUET_OPTIONS = '(format parquet, compression zstd, row_group_size 122880)';

export interface TableErasure {
  table: string;
  /** Versions whose parts were rewritten. */
  versions: number[];
  /** Rows of the listener removed from the current version. */
  rows_removed: number;
  /** Rows of the listener removed, summed over every kept version (shared parts counted per version). */
  rows_removed_all_versions: number;
  /** Rows kept but stripped of a reference to the listener (provenance, ops free text). */
  rows_scrubbed: number;
}

interface PartResult {
  staged: string | null;
  removed: number;
  scrubbed: number;
}

export function isDataPart(name: string): boolean {
  return name.endsWith('.parquet') && !name.startsWith('_') && !name.startsWith('.');
}

/** Every table folder on disk (also tables no longer in the catalog), as layer and name. */
export function tablesOnDisk(dataDir: string): { layer: Layer; table: string }[] {
  const out: { layer: Layer; table: string }[] = [];
  for (const layer of LAYERS) {
    const dir = join(dataDir, layer);
    if (!existsSync(dir)) continue;
    for (const table of readdirSync(dir).sort()) {
      if (!table.startsWith('.') && statSync(join(dir, table)).isDirectory()) out.push({ layer, table });
    }
  }
  return out;
}

/** Removes staged copies left by an interrupted erasure (they never hold the erased rows). */
export function removeStaleStaged(dataDir: string): number {
  let n = 0;
  for (const { layer, table } of tablesOnDisk(dataDir)) {
    for (const v of listVersions(dataDir, layer, table)) {
      const dir = join(tableDir(dataDir, layer, table), versionDirName(v));
      for (const f of readdirSync(dir).filter((name) => name.endsWith(STAGED_SUFFIX))) {
        rmSync(join(dir, f), { force: true });
        n++;
      }
    }
  }
  return n;
}

async function partColumns(conn: DuckDBConnection, file: string): Promise<PartColumn[]> {
  const rows = await queryRows<{ column_name: string; column_type: string }>(conn, `describe select * from read_parquet(${quoteLiteral(file)})`);
  return rows.map((r) => ({ name: r.column_name, type: r.column_type }));
}

async function countAffected(conn: DuckDBConnection, file: string, rule: EraseRule): Promise<{ removed: number; scrubbed: number }> {
  const removed = rule.removeWhere ? `count(*) filter (where coalesce(${rule.removeWhere}, false))` : '0';
  const keep = rule.removeWhere ? `not coalesce(${rule.removeWhere}, false)` : 'true';
  const scrubbed = rule.scrubWhere ? `count(*) filter (where ${keep} and (${rule.scrubWhere}))` : '0';
  const [r] = await queryRows<{ removed: number; scrubbed: number }>(conn,
    `select (${removed})::double as removed, (${scrubbed})::double as scrubbed from read_parquet(${quoteLiteral(file)})`, rule.params);
  return { removed: Number(r.removed), scrubbed: Number(r.scrubbed) };
}

async function rewritePart(conn: DuckDBConnection, file: string, columns: PartColumn[], rule: EraseRule): Promise<string> {
  const staged = `${file}${STAGED_SUFFIX}`;
  const keep = rule.removeWhere ? `where not coalesce(${rule.removeWhere}, false)` : '';
  await conn.run(`copy (select ${rule.select} from read_parquet(${quoteLiteral(file)}) ${keep}) to ${quoteLiteral(staged)} ${PARQUET_OPTIONS}`, rule.params);
  const written = await partColumns(conn, staged);
  if (JSON.stringify(written) !== JSON.stringify(columns)) {
    rmSync(staged, { force: true });
    throw new TableContractError(file, `the rewritten part's schema differs from the original (${written.map((c) => `${c.name} ${c.type}`).join(', ')})`);
  }
  return staged;
}

interface TablePlan {
  renames: { from: string; to: string }[];
  perVersion: Map<number, { removed: number; scrubbed: number }>;
}

/** Stages the rewritten parts of every version of one table; nothing visible changes yet. */
async function stageTable(conn: DuckDBConnection, dataDir: string, layer: Layer, table: string, listenerId: string, dryRun: boolean): Promise<TablePlan> {
  const plan: TablePlan = { renames: [], perVersion: new Map() };
  const byInode = new Map<string, PartResult>();
  for (const v of listVersions(dataDir, layer, table)) {
    const dir = join(tableDir(dataDir, layer, table), versionDirName(v));
    for (const part of readdirSync(dir).filter(isDataPart).sort()) {
      const file = join(dir, part);
      const st = statSync(file);
      const key = `${st.dev}:${st.ino}`;
      let result = byInode.get(key);
      if (!result) {
        result = await stagePart(conn, file, layer, listenerId, dryRun);
        byInode.set(key, result);
      } else if (result.staged) {
        linkSync(result.staged, `${file}${STAGED_SUFFIX}`);
      }
      if (result.removed + result.scrubbed === 0) continue;
      const acc = plan.perVersion.get(v) ?? { removed: 0, scrubbed: 0 };
      plan.perVersion.set(v, { removed: acc.removed + result.removed, scrubbed: acc.scrubbed + result.scrubbed });
      if (!dryRun) plan.renames.push({ from: `${file}${STAGED_SUFFIX}`, to: file });
    }
  }
  return plan;
}

async function stagePart(conn: DuckDBConnection, file: string, layer: Layer, listenerId: string, dryRun: boolean): Promise<PartResult> {
  const columns = await partColumns(conn, file);
  const rule = eraseRule(layer, columns, listenerId);
  if (!rule) return { staged: null, removed: 0, scrubbed: 0 };
  const counts = await countAffected(conn, file, rule);
  if (counts.removed + counts.scrubbed === 0 || dryRun) return { staged: null, ...counts };
  return { staged: await rewritePart(conn, file, columns, rule), ...counts };
}

async function countRows(conn: DuckDBConnection, dir: string): Promise<number> {
  const [r] = await queryRows<{ n: number }>(conn, `select count(*)::double as n from read_parquet(${quoteLiteral(join(dir, '*.parquet'))})`);
  return Number(r.n);
}

/** Records the actual row counts of these versions in their _meta.json and, for the current one, the catalog. */
async function recordCounts(conn: DuckDBConnection, dataDir: string, layer: Layer, table: string, versions: number[], onRename?: (path: string) => void): Promise<void> {
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

/**
 * Renames the staged parts into place, then records the new row counts. The versions are noted in
 * the recount journal first, so a run killed in between is corrected by the next one.
 */
async function commitTable(conn: DuckDBConnection, dataDir: string, layer: Layer, table: string, plan: TablePlan, onRename?: (path: string) => void): Promise<void> {
  const versions = [...plan.perVersion.keys()];
  noteRecount(dataDir, `${layer}.${table}`, versions);
  for (const r of plan.renames) {
    renameSync(r.from, r.to);
    onRename?.(r.to);
  }
  await recordCounts(conn, dataDir, layer, table, versions, onRename);
}

/** Recounts the versions an interrupted erasure left in the journal. */
async function repairInterrupted(conn: DuckDBConnection, dataDir: string, onRename?: (path: string) => void): Promise<void> {
  for (const [key, versions] of Object.entries(readRecount(dataDir))) {
    const { layer, table } = parseQualified(key);
    await recordCounts(conn, dataDir, layer, table, versions, onRename);
  }
}

/**
 * Removes (or, for catalog and ops rows, strips) the listener from every version of every table on
 * disk except those in `skip`. With dryRun only counts. Call while holding the writer lock.
 */
export interface EraseTablesOptions {
  skip?: Set<string>;
  dryRun?: boolean;
  /** Test seam: called after each rename (parts, _meta.json, catalog); a throw simulates a crash there. */
  onRename?: (path: string) => void;
}

export async function eraseFromTables(conn: DuckDBConnection, dataDir: string, listenerId: string, opts: EraseTablesOptions = {}): Promise<TableErasure[]> {
  if (!opts.dryRun) {
    removeStaleStaged(dataDir);
    await repairInterrupted(conn, dataDir, opts.onRename);
  }
  const current = readCatalog(dataDir).tables;
  const out: TableErasure[] = [];
  for (const { layer, table } of tablesOnDisk(dataDir)) {
    const key = `${layer}.${table}`;
    if (opts.skip?.has(key)) continue;
    let plan: TablePlan;
    try {
      plan = await stageTable(conn, dataDir, layer, table, listenerId, opts.dryRun ?? false);
    } catch (err) {
      removeStaleStaged(dataDir);
      throw err;
    }
    if (plan.perVersion.size === 0) continue;
    if (!opts.dryRun) await commitTable(conn, dataDir, layer, table, plan, opts.onRename);
    const counts = [...plan.perVersion.values()];
    out.push({
      table: key,
      versions: [...plan.perVersion.keys()].sort((a, b) => a - b),
      rows_removed: plan.perVersion.get(current[key]?.version ?? -1)?.removed ?? 0,
      rows_removed_all_versions: counts.reduce((n, c) => n + c.removed, 0),
      rows_scrubbed: plan.perVersion.get(current[key]?.version ?? -1)?.scrubbed ?? 0,
    });
  }
  if (!opts.dryRun) clearRecount(dataDir);
  return out;
}
