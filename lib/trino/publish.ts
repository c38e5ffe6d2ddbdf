// Publishing the lake to Trino. Each table version becomes an external Parquet table in the hidden
// schema `_versions` (named after the version, so it never changes once created); readers use the
// view `<layer>.<table>`, which is swapped to the new version with CREATE OR REPLACE VIEW — a query
// sees either the old or the new version, never a mix. Every new version table is created and
// checked (its row count read through Trino must equal the catalog's) before any view moves, so a
// missing or corrupt table fails the publish and leaves the previous publication untouched.
// Version tables no view references any more (versions pruned by retention) are dropped last.
//
// With a mirror (LAKEHOUSE_MIRROR_URI) publish first makes the mirror equal to the lake's served
// versions (lib/mirror.ts; the caller holds the writer lock) and registers every version table at
// its copy there (s3://…, publish-plan.ts tableLocation) instead of under the data dir; Trino reads
// it through its native S3 file system (trino/etc/catalog/lakehouse.properties), and the Trino
// engine stages in the mirror too (staging-store.ts): every location is an s3:// URI of this lake,
// so Trino's nodes need no file system of the lake, and the lake identity check (which guards
// local:/// paths resolved against the data dir Trino was started with) is not needed. Only the
// coordinator's metastore (metadata, never read by workers) stays on its own disk.
import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import { errorMessage } from '../errors.ts';
import { readCatalog, writePins, type TableVersionMeta } from '../lake.ts';
import type { MirrorSummary } from '../mirror.ts';
import { LAYERS } from '../table-spec.ts';
import { TRINO_CATALOG, trinoFromConfig, type TrinoClient } from './client.ts';
import {
  PublishError, VERSIONS_SCHEMA, columnCommentSqls, createPhysicalSql, createViewSql, physicalFromViewSql, physicalRef, planTable,
  type TablePlan,
} from './publish-plan.ts';
import { quoteTrinoIdent as q } from './types.ts';
import { IDENTITY_TABLE, assertServesLake } from './lake-identity.ts';

export { PublishError, VERSIONS_SCHEMA } from './publish-plan.ts';

export interface PublishSummary {
  tables: { table: string; view: string; physical: string; location: string; version: number; rows: number; changed: boolean; skippedColumns: string[] }[];
  created: string[];
  dropped: string[];
  /** The mirror sync that preceded the publish (LAKEHOUSE_MIRROR_URI set), else null. */
  mirror: MirrorSummary | null;
  durationMs: number;
}

const CONCURRENCY = 3;

async function eachLimited<T>(items: T[], fn: (item: T) => Promise<void>, limit = CONCURRENCY): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** view "layer.table" -> physical table it selects from, for the views publish manages. */
async function currentViews(trino: TrinoClient): Promise<Map<string, string>> {
  const layers = LAYERS.map((l) => `'${l}'`).join(', ');
  const rows = await trino.rows(
    `select table_schema, table_name, view_definition from ${TRINO_CATALOG}.information_schema.views where table_schema in (${layers})`,
  );
  const out = new Map<string, string>();
  for (const r of rows) {
    const physical = physicalFromViewSql(String(r.view_definition ?? ''));
    if (physical) out.set(`${r.table_schema}.${r.table_name}`, physical);
  }
  return out;
}

/** Trino's row count of a version table against the catalog's: null when they agree, else the discrepancy. */
function countMismatch(plan: TablePlan, n: number): string | null {
  return n === plan.meta.rows ? null : `Trino reads ${n} rows from ${plan.meta.path}, the catalog says ${plan.meta.rows}`;
}

async function countOne(trino: TrinoClient, plan: TablePlan): Promise<void> {
  const { rows } = await trino.query(`select count(*) from ${physicalRef(plan.physical)}`);
  const mismatch = countMismatch(plan, Number(rows[0]?.[0]));
  if (mismatch) throw new Error(mismatch);
}

/**
 * Trino reads every new version table with the row count the catalog records. One statement for all
 * of them (each count on its own cost a query's planning and scheduling, about 0.75 s during a build);
 * if that statement fails, each table is counted on its own to name the ones Trino cannot read.
 */
async function checkCounts(trino: TrinoClient, plans: TablePlan[]): Promise<Map<TablePlan, string>> {
  const failures = new Map<TablePlan, string>();
  if (plans.length === 0) return failures;
  const sql = plans.map((p, i) => `select ${i} as i, count(*) as n from ${physicalRef(p.physical)}`).join('\nunion all\n');
  const rows = await trino.query(sql).then((r) => r.rows, () => null);
  if (rows === null) {
    await eachLimited(plans, (p) => countOne(trino, p).catch((err: unknown) => { failures.set(p, errorMessage(err)); }));
    return failures;
  }
  const counts = new Map(rows.map((r) => [Number(r[0]), Number(r[1])]));
  plans.forEach((p, i) => {
    const mismatch = countMismatch(p, counts.get(i) ?? NaN);
    if (mismatch) failures.set(p, mismatch);
  });
  return failures;
}

/** Creates the version tables that do not exist yet; on any failure drops what it created and throws. */
async function createVersionTables(trino: TrinoClient, plans: TablePlan[], existing: Set<string>, log: Logger): Promise<string[]> {
  const todo = plans.filter((p) => !existing.has(p.physical));
  const created: TablePlan[] = [];
  const failures: string[] = [];
  const failed = (plan: TablePlan, why: string) => failures.push(`${plan.qualified} (${plan.meta.path}): ${why}`);
  await eachLimited(todo, async (plan) => {
    try {
      await trino.query(createPhysicalSql(plan));
      created.push(plan);
    } catch (err) {
      failed(plan, errorMessage(err));
      await trino.query(`drop table if exists ${physicalRef(plan.physical)}`).catch(() => undefined);
    }
  });
  for (const [plan, why] of await checkCounts(trino, created)) failed(plan, why);
  if (failures.length > 0) {
    await eachLimited(created, (p) => trino.query(`drop table if exists ${physicalRef(p.physical)}`).then(() => undefined));
    const hint = failures.some((f) => /External location must be a directory/.test(f))
      ? ' (Trino cannot see the version folders: does the Trino at TRINO_URL serve this data dir? scripts/trino-start.sh serves LAKEHOUSE_DATA_DIR)'
      : plans.some((p) => p.location.startsWith('s3://'))
        ? ' (the tables are registered in the S3 mirror: was the Trino at TRINO_URL started with the same LAKEHOUSE_S3_ENDPOINT and credentials? trino/README.md)'
        : '';
    throw new PublishError(`publish: ${failures.length} table(s) could not be published, the previous publication is unchanged${hint}: ${failures.join('; ')}`);
  }
  log.debug({ created: created.length }, 'version tables created');
  return created.map((p) => p.physical);
}

async function swapView(trino: TrinoClient, plan: TablePlan): Promise<void> {
  await trino.query(createViewSql(plan));
  // One at a time: each comment rewrites the whole view definition in the metastore, so concurrent
  // comments on the same view would overwrite each other.
  for (const sql of columnCommentSqls(plan)) await trino.query(sql);
}

/** Drops the views of tables that left the lake and every version table no view references. */
async function dropUnreferenced(trino: TrinoClient, plans: TablePlan[], views: Map<string, string>): Promise<string[]> {
  const wanted = new Set(plans.map((p) => p.qualified));
  const dropped: string[] = [];
  for (const view of views.keys()) {
    if (wanted.has(view)) continue;
    const [layer, table] = view.split('.');
    await trino.query(`drop view if exists ${TRINO_CATALOG}.${q(layer)}.${q(table)}`);
    dropped.push(view);
  }
  const keep = new Set([IDENTITY_TABLE, ...plans.map((p) => p.physical)]);
  const physical = await trino.rows(`show tables from ${TRINO_CATALOG}.${q(VERSIONS_SCHEMA)}`);
  for (const name of physical.map((r) => String(r.Table))) {
    if (keep.has(name)) continue;
    await trino.query(`drop table if exists ${physicalRef(name)}`);
    dropped.push(`${VERSIONS_SCHEMA}.${name}`);
  }
  return dropped;
}

/** Plans every table; any unreadable table fails the publish before Trino is touched. */
function planAll(dataDir: string, metas: TableVersionMeta[], mirrorUri: string | undefined): TablePlan[] {
  const plans: TablePlan[] = [];
  const failures: string[] = [];
  for (const meta of [...metas].sort((a, b) => `${a.layer}.${a.table}`.localeCompare(`${b.layer}.${b.table}`))) {
    try {
      plans.push(planTable(dataDir, meta, { mirrorUri }));
    } catch (err) {
      failures.push(errorMessage(err));
    }
  }
  if (failures.length > 0) {
    throw new PublishError(`publish: ${failures.length} table(s) could not be published, the previous publication is unchanged: ${failures.join('; ')}`);
  }
  return plans;
}

/** Publishes every table of the lake in config.dataDir to the Trino at TRINO_URL. */
export async function publishLake(config: Config, log: Logger, trino: TrinoClient = trinoFromConfig(config)): Promise<PublishSummary> {
  const started = Date.now();
  const catalog = readCatalog(config.dataDir);
  const mirrorUri = config.objectStore.mirrorUri;
  const plans = planAll(config.dataDir, Object.values(catalog.tables), mirrorUri);
  for (const p of plans) if (p.skipped.length > 0) log.info({ table: p.qualified, skipped: p.skipped }, 'columns not published');
  // Before Trino is touched: every version the tables are registered at must be in the mirror. The
  // versions Trino serves now are pinned, so the sync keeps them for readers until the views move.
  // (lib/mirror.ts loads the AWS SDK: only imported when there is a mirror.)
  const mirror = mirrorUri ? await (await import('../mirror.ts')).syncMirror(config, log, mirrorUri) : null;

  await trino.query(`create schema if not exists ${TRINO_CATALOG}.${q(VERSIONS_SCHEMA)}`);
  if (!mirrorUri) await assertServesLake(trino, config.dataDir);
  for (const schema of LAYERS) await trino.query(`create schema if not exists ${TRINO_CATALOG}.${q(schema)}`);
  const existing = new Set((await trino.rows(`show tables from ${TRINO_CATALOG}.${q(VERSIONS_SCHEMA)}`)).map((r) => String(r.Table)));
  const views = await currentViews(trino);

  const created = await createVersionTables(trino, plans, existing, log);
  const changed = plans.filter((p) => views.get(p.qualified) !== p.physical);
  await eachLimited(changed, (plan) => swapView(trino, plan));
  const dropped = await dropUnreferenced(trino, plans, views);
  // Retention must not delete what Trino now serves, even if later runs are never published.
  writePins(config.dataDir, 'trino', Object.fromEntries(plans.map((p) => [p.qualified, p.meta.version])));

  const changedSet = new Set(changed.map((p) => p.qualified));
  const summary: PublishSummary = {
    tables: plans.map((p) => ({
      table: p.qualified, view: `${TRINO_CATALOG}.${p.qualified}`, physical: `${VERSIONS_SCHEMA}.${p.physical}`, location: p.location,
      version: p.meta.version, rows: p.meta.rows, changed: changedSet.has(p.qualified), skippedColumns: p.skipped.map((s) => s.name),
    })),
    created, dropped, mirror, durationMs: Date.now() - started,
  };
  log.info({ tables: plans.length, views_swapped: changed.length, created: created.length, dropped: dropped.length, mirror: mirrorUri ?? null, ms: summary.durationMs }, 'published to Trino');
  return summary;
}
