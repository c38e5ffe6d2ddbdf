// `lakehouse listeners delete <id> --confirm`: erases one listener from the whole data dir under the
// writer lock — every version of every table, landed responses, tokens and cursor, inbox and
// processed exports, demo inputs, model artifacts fitted on their rows and DuckDB spill files — then
// appends an audit row to ops.erasures, scans the data dir for any remaining trace and republishes
// to Trino when TRINO_URL is set.
import type { Config } from '../lib/config.ts';
import type { Logger } from '../lib/logger.ts';
import { UsageError, errorMessage } from '../lib/errors.ts';
import { withWriter, type LakeSession } from '../lib/session.ts';
import { relationExists } from '../lib/lake.ts';
import { queryRows } from '../lib/duckdb.ts';
import { checkErasableListenerId } from '../lib/listener-id.ts';
import { utcNow } from '../bronze/write-rejects.ts';
import { eraseFromTables, type TableErasure } from './erase-tables.ts';
import { clearErasureMarker, readErasureMarker, writeErasureMarker } from '../lib/erasure-marker.ts';
import { personalPaths, relativeTo, removePersonalPaths, removeSpillFiles } from './personal-files.ts';
import { findResidue, findUnusedKeys, type Residue } from './residue.ts';
import erasures from './erasures.ts';

export interface ErasureSummary {
  listener_id: string;
  erasure_id: string;
  dry_run: boolean;
  tables: TableErasure[];
  rows_removed: number;
  rows_removed_all_versions: number;
  rows_scrubbed: number;
  files: { kind: string; path: string; files: number }[];
  files_removed: number;
  models_dropped: number;
  /** Traces of the id still found after the erasure (should be empty; substring matches). */
  residue: Residue[];
  trino: 'republished' | 'not_configured' | 'failed' | 'skipped';
  trino_error?: string;
  /** The lake's mirror on object storage (LAKEHOUSE_MIRROR_URI), synced so it no longer holds the listener's rows. */
  mirror: 'synced' | 'not_configured' | 'failed' | 'skipped';
  mirror_error?: string;
}

export type Publisher = (config: Config, log: Logger) => Promise<unknown>;

export interface EraseOptions {
  dryRun?: boolean;
  /** Republishes to Trino; defaults to lib/trino's publishLake when TRINO_URL is set. */
  publish?: Publisher;
  /** Test seam: called after each rename of the table rewrite and after the files are removed; a throw simulates a crash. */
  crashPoint?: (where: string) => void;
}

async function previousErasure(s: LakeSession, id: string): Promise<string | null> {
  if (!(await relationExists(s.conn, 'ops', 'erasures'))) return null;
  const rows = await queryRows<{ erased_at: string }>(s.conn, 'select erased_at from ops.erasures where listener_id = $id order by erased_at desc limit 1', { id });
  return rows[0]?.erased_at ?? null;
}

async function writeAudit(s: LakeSession, summary: ErasureSummary): Promise<void> {
  await s.refresh();
  const tx = s.begin();
  try {
    const touched = Object.fromEntries(summary.tables.map((t) => [t.table, { versions: t.versions, rows_removed: t.rows_removed, rows_removed_all_versions: t.rows_removed_all_versions, rows_scrubbed: t.rows_scrubbed, unused_keys_removed: t.unused_keys_removed }]));
    await tx.write(erasures, {
      mode: 'append',
      sql: `select $erasure as erasure_id, $id as listener_id, $at::timestamp as erased_at, $touched as tables_touched,
                   $tables::integer as table_count, $versions::integer as versions_rewritten, $removed::bigint as rows_removed,
                   $all::bigint as rows_removed_all_versions, $scrubbed::bigint as rows_scrubbed, $files::integer as files_removed,
                   $models::integer as models_dropped`,
      params: {
        erasure: summary.erasure_id, id: summary.listener_id, at: utcNow(), touched: JSON.stringify(touched),
        tables: summary.tables.length, versions: summary.tables.reduce((n, t) => n + t.versions.length, 0),
        removed: summary.rows_removed, all: summary.rows_removed_all_versions, scrubbed: summary.rows_scrubbed,
        files: summary.files_removed, models: summary.models_dropped,
      },
    });
    await tx.commit();
  } catch (err) {
    await tx.abort();
    throw err;
  }
}

async function defaultPublisher(config: Config, log: Logger): Promise<unknown> {
  const { publishLake } = await import('../lib/trino/publish.ts');
  return publishLake(config, log);
}

/**
 * The mirror held the erased rows too (in the versions it served, rewritten in place here): the sync
 * uploads the rewritten parts and deletes every object the lake no longer serves.
 */
async function syncMirrorAfterErasure(s: LakeSession, summary: ErasureSummary): Promise<void> {
  if (!s.config.objectStore.mirrorUri) {
    summary.mirror = 'not_configured';
    return;
  }
  try {
    const { syncMirror } = await import('../lib/mirror.ts');
    await syncMirror(s.config, s.log);
    summary.mirror = 'synced';
  } catch (err) {
    summary.mirror = 'failed';
    summary.mirror_error = errorMessage(err);
    s.log.error({ error: summary.mirror_error }, 'erasure finished locally but the mirror still holds the listener\'s rows; run `lakehouse mirror`');
  }
}

async function republish(s: LakeSession, summary: ErasureSummary, publish: Publisher | undefined): Promise<void> {
  if (!publish && !s.config.trino.url) {
    summary.trino = 'not_configured';
    return;
  }
  try {
    await (publish ?? defaultPublisher)(s.config, s.log);
    summary.trino = 'republished';
  } catch (err) {
    summary.trino = 'failed';
    summary.trino_error = errorMessage(err);
    s.log.error({ error: summary.trino_error }, 'erasure finished but the Trino republish failed; run `lakehouse publish`');
  }
}

async function eraseInSession(s: LakeSession, id: string, opts: EraseOptions): Promise<ErasureSummary> {
  const { config } = s;
  const dryRun = opts.dryRun ?? false;
  const interrupted = readErasureMarker(config.dataDir);
  if (interrupted && interrupted.listener_id !== id && !dryRun) {
    throw new UsageError(`listeners delete: the erasure of ${interrupted.listener_id} started at ${interrupted.started_at} was interrupted; complete it first with \`lakehouse listeners delete ${interrupted.listener_id} --confirm\``);
  }
  // Files are listed before any table is touched, so nothing that could refuse the id runs half-way.
  const paths = personalPaths(config, id);
  if (!dryRun && !interrupted) writeErasureMarker(config.dataDir, { listener_id: id, started_at: utcNow() });
  // The table rewrite renames files directly, not through a transaction's commit: check the lock
  // (lease) like a commit would, before and between renames; a stopped erasure converges on re-run.
  s.lock?.assertHeld();
  const tables = await eraseFromTables(s.conn, config.dataDir, id, {
    skip: new Set(['ops.erasures']), dryRun, pruneUnusedKeys: paths.length > 0 || interrupted !== null,
    onRename: (where) => { s.lock?.assertHeld(); opts.crashPoint?.(where); },
  });
  // A re-run after an interrupted erasure of this id completes it (audit row) even when nothing is left.
  if (!tables.some((t) => t.listener_found) && paths.length === 0 && !(interrupted && !dryRun)) {
    if (!dryRun) clearErasureMarker(config.dataDir);
    const when = await previousErasure(s, id);
    throw new UsageError(`listeners delete: nothing is stored about ${id}${when ? ` (erased at ${when})` : ''}`);
  }
  if (!dryRun) {
    removePersonalPaths(paths);
    opts.crashPoint?.('files removed');
  }
  const summary: ErasureSummary = {
    listener_id: id, erasure_id: s.runId, dry_run: dryRun, tables,
    rows_removed: tables.reduce((n, t) => n + t.rows_removed, 0),
    rows_removed_all_versions: tables.reduce((n, t) => n + t.rows_removed_all_versions, 0),
    rows_scrubbed: tables.reduce((n, t) => n + t.rows_scrubbed, 0),
    files: paths.map((p) => ({ kind: p.kind, path: relativeTo(config.dataDir, p.path), files: p.files })),
    files_removed: paths.reduce((n, p) => n + p.files, 0),
    models_dropped: paths.filter((p) => p.kind === 'model').reduce((n, p) => n + p.files, 0),
    residue: [], trino: 'skipped', mirror: 'skipped',
  };
  if (dryRun) return summary;
  await writeAudit(s, summary);
  clearErasureMarker(config.dataDir);
  removeSpillFiles(config.dataDir);
  summary.residue = [
    ...await findResidue(s.conn, config.dataDir, id, (rel) => rel.startsWith('ops/erasures/') || rel === 'ops/erasures'),
    ...await findUnusedKeys(s.conn, config.dataDir),
  ];
  for (const r of summary.residue) {
    s.log.warn({ path: r.path, where: r.where, rows: r.rows }, r.where === 'unused_keys' ? 'track rows no remaining listener plays are still stored here' : 'the erased id still occurs here (substring match; check by hand)');
  }
  await syncMirrorAfterErasure(s, summary);
  await republish(s, summary, opts.publish);
  return summary;
}

/** Erases the listener (or, with dryRun, reports what would be erased). */
export async function eraseListener(config: Config, log: Logger, listenerId: string, opts: EraseOptions = {}): Promise<ErasureSummary> {
  // The rule, or an id registered before it: whoever is stored can be erased.
  const id = checkErasableListenerId(listenerId);
  // The lock file names the command; it must not name the person.
  return withWriter(config, log, opts.dryRun ? 'listeners delete (dry run)' : 'listeners delete', (s) => eraseInSession(s, id, opts));
}
