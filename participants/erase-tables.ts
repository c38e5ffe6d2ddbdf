// Erasing one listener from every table and every kept version. Parquet parts of append-only tables
// are hard links shared between versions, so a part is never modified in place: its rewritten copy
// is written beside it (`<part>.erase-tmp`), every other link to the same inode gets a link to that
// one copy, and only when all versions of the table are staged are the copies renamed over the old
// names (each rename atomic). Then each version's _meta.json and the catalog get their new row
// counts. Readers see every part either before or after the erasure, never a half-written file; a
// run interrupted anywhere is completed by running the erasure again (it is idempotent, and the
// recount journal of erase-journal.ts corrects counts left stale between renames and catalog update).
import { linkSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { DuckDBConnection } from '../lib/duckdb.ts';
import { quoteLiteral, queryRows } from '../lib/duckdb.ts';
import { listVersions, readCatalog, tableDir, versionDirName } from '../lib/lake.ts';
import type { Layer } from '../lib/table-spec.ts';
import { TableContractError } from '../lib/errors.ts';
import { eraseRule, type EraseRule, type PartColumn, type RuleContext } from './erase-rules.ts';
import { isDataPart, tablesOnDisk } from './data-parts.ts';
import { clearRecount, noteRecount, recordCounts, repairInterrupted } from './erase-journal.ts';
import { PLAY_KEYED_TABLES, collectUsedKeys, dropUsedKeys } from './unused-keys.ts';

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
  /** Of rows_removed: rows of play-keyed track tables whose key no remaining listener uses (unused-keys.ts). */
  unused_keys_removed: number;
  /** The listener's rows or references were found (false when only unused keys were removed). */
  listener_found: boolean;
}

interface PartResult {
  staged: string | null;
  removed: number;
  scrubbed: number;
}

export { isDataPart, tablesOnDisk };

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
async function stageTable(conn: DuckDBConnection, dataDir: string, layer: Layer, table: string, listenerId: string, dryRun: boolean, usedKeys: boolean): Promise<TablePlan> {
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
        result = await stagePart(conn, file, layer, listenerId, dryRun, { table: `${layer}.${table}`, usedKeys });
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

async function stagePart(conn: DuckDBConnection, file: string, layer: Layer, listenerId: string, dryRun: boolean, ctx: RuleContext): Promise<PartResult> {
  const columns = await partColumns(conn, file);
  const rule = eraseRule(layer, columns, listenerId, ctx);
  if (!rule) return { staged: null, removed: 0, scrubbed: 0 };
  const counts = await countAffected(conn, file, rule);
  if (counts.removed + counts.scrubbed === 0 || dryRun) return { staged: null, ...counts };
  return { staged: await rewritePart(conn, file, columns, rule), ...counts };
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

/**
 * Removes (or, for catalog and ops rows, strips) the listener from every version of every table on
 * disk except those in `skip`. With dryRun only counts. Call while holding the writer lock.
 */
export interface EraseTablesOptions {
  skip?: Set<string>;
  dryRun?: boolean;
  /** Test seam: called after each rename (parts, _meta.json, catalog); a throw simulates a crash there. */
  onRename?: (path: string) => void;
  /**
   * Remove unused keys from the play-keyed track tables even when the listener is found in no other
   * table (an erasure that has their files, or completes an interrupted one). By default they are
   * removed only together with the listener's rows, so an id that is stored nowhere changes nothing.
   */
  pruneUnusedKeys?: boolean;
}

function summarise(key: string, plan: TablePlan, currentVersion: number | undefined): TableErasure {
  const counts = [...plan.perVersion.values()];
  const current = plan.perVersion.get(currentVersion ?? -1);
  const keyed = key in PLAY_KEYED_TABLES;
  return {
    table: key,
    versions: [...plan.perVersion.keys()].sort((a, b) => a - b),
    rows_removed: current?.removed ?? 0,
    rows_removed_all_versions: counts.reduce((n, c) => n + c.removed, 0),
    rows_scrubbed: current?.scrubbed ?? 0,
    // Play-keyed track tables have no listener_id: what they lose is unused keys.
    unused_keys_removed: keyed ? current?.removed ?? 0 : 0,
    listener_found: counts.some((c) => c.scrubbed > 0 || (!keyed && c.removed > 0)),
  };
}

async function eraseTable(conn: DuckDBConnection, dataDir: string, layer: Layer, table: string, listenerId: string, opts: EraseTablesOptions, usedKeys: boolean): Promise<TablePlan> {
  let plan: TablePlan;
  try {
    plan = await stageTable(conn, dataDir, layer, table, listenerId, opts.dryRun ?? false, usedKeys);
  } catch (err) {
    removeStaleStaged(dataDir);
    throw err;
  }
  if (plan.perVersion.size > 0 && !opts.dryRun) await commitTable(conn, dataDir, layer, table, plan, opts.onRename);
  return plan;
}

export async function eraseFromTables(conn: DuckDBConnection, dataDir: string, listenerId: string, opts: EraseTablesOptions = {}): Promise<TableErasure[]> {
  if (!opts.dryRun) {
    removeStaleStaged(dataDir);
    await repairInterrupted(conn, dataDir, opts.onRename);
  }
  const current = readCatalog(dataDir).tables;
  const tables = tablesOnDisk(dataDir).filter(({ layer, table }) => !opts.skip?.has(`${layer}.${table}`));
  const keyed = tables.filter(({ layer, table }) => `${layer}.${table}` in PLAY_KEYED_TABLES);
  const out: TableErasure[] = [];
  const run = async (list: typeof tables, usedKeys: boolean) => {
    for (const { layer, table } of list) {
      const plan = await eraseTable(conn, dataDir, layer, table, listenerId, opts, usedKeys);
      if (plan.perVersion.size > 0) out.push(summarise(`${layer}.${table}`, plan, current[`${layer}.${table}`]?.version));
    }
  };
  await run(tables.filter((t) => !keyed.includes(t)), false);
  // Keys of the plays that stay, whichever order the tables are rewritten in (also on a re-run).
  const usedKeys = await collectUsedKeys(conn, dataDir, listenerId);
  try {
    let prune = usedKeys && (opts.pruneUnusedKeys || out.some((t) => t.listener_found));
    if (usedKeys && !prune) {
      // Only provenance in the track tables may name the listener: look before pruning anything.
      for (const { layer, table } of keyed) {
        const plan = await stageTable(conn, dataDir, layer, table, listenerId, true, false);
        prune ||= summarise(`${layer}.${table}`, plan, undefined).listener_found;
      }
    }
    await run(keyed, prune);
  } finally {
    await dropUsedKeys(conn);
  }
  if (!opts.dryRun) clearRecount(dataDir);
  return out;
}
