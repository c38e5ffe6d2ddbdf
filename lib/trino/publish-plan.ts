// What a publish will do, decided from the lake catalog alone (no Trino): for every table its
// versioned physical table in the hidden schema `_versions` and where its files are (the version
// folder under the data dir Trino serves, or its copy in the lake's S3 mirror), the columns and types
// to publish, the comments, and the view `<layer>.<table>` readers use.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { TableVersionMeta } from '../lake.ts';
import { versionDirName } from '../lake.ts';
import { LakehouseError } from '../errors.ts';
import { duckdbToTrinoType, quoteTrinoIdent as q } from './types.ts';
import { TRINO_CATALOG } from './client.ts';
import { UNPUBLISHED_COLUMNS, isPublished } from './unpublished-columns.ts';

/** Schema holding one physical (external) table per published table version. */
export const VERSIONS_SCHEMA = '_versions';

/** Publishing one or more tables failed; the previous publication is still in place. */
export class PublishError extends LakehouseError {}

export interface PlannedColumn {
  name: string;
  trinoType: string;
  description?: string;
}

export interface TablePlan {
  meta: TableVersionMeta;
  /** "gold.mood_shift_patterns" */
  qualified: string;
  /** Name inside VERSIONS_SCHEMA: <layer>__<table>__v000007_<hash>. */
  physical: string;
  /** The physical table's external_location (tableLocation). */
  location: string;
  columns: PlannedColumn[];
  /** Columns left out: unpublished by policy or of a type Trino cannot read. */
  skipped: { name: string; reason: string }[];
}

export function literal(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

export function physicalRef(physical: string): string {
  return `${TRINO_CATALOG}.${q(VERSIONS_SCHEMA)}.${q(physical)}`;
}

export function viewRef(plan: Pick<TablePlan, 'meta'>): string {
  return `${TRINO_CATALOG}.${q(plan.meta.layer)}.${q(plan.meta.table)}`;
}

/** Reads the physical table name back out of a view definition written by createViewSql. */
export function physicalFromViewSql(sql: string): string | null {
  const m = new RegExp(`"${VERSIONS_SCHEMA}"\\."((?:[^"]|"")+)"`).exec(sql);
  return m ? m[1].replace(/""/g, '"') : null;
}

/**
 * Where Trino reads a table version: with a mirror (LAKEHOUSE_MIRROR_URI, lib/mirror.ts) its copy at
 * s3://<bucket>/<prefix>/<layer>/<table>/v000007, else the folder under the data dir Trino serves,
 * local:///<layer>/<table>/v000007 (trino/etc/catalog/lakehouse.properties). The one place a
 * table's location is decided.
 */
export function tableLocation(meta: Pick<TableVersionMeta, 'path'>, mirrorUri?: string): string {
  const rel = meta.path.split(/[\\/]+/).join('/');
  return mirrorUri ? `${mirrorUri.replace(/\/+$/, '')}/${rel}` : `local:///${rel}`;
}

/** Checks on disk that the version folder and its Parquet parts exist. */
function checkFiles(dataDir: string, meta: TableVersionMeta): void {
  const qualified = `${meta.layer}.${meta.table}`;
  const dir = join(dataDir, meta.path);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new PublishError(`${qualified}: version folder ${meta.path} is missing`);
  const present = new Set(readdirSync(dir));
  const missing = meta.files.filter((f) => !present.has(f));
  if (missing.length > 0) throw new PublishError(`${qualified}: ${meta.path} lacks Parquet part(s) ${missing.join(', ')}`);
  if (![...present].some((f) => f.endsWith('.parquet') && !f.startsWith('_') && !f.startsWith('.'))) {
    throw new PublishError(`${qualified}: ${meta.path} holds no Parquet file`);
  }
}

export interface PlanOptions {
  /** Columns never published (default UNPUBLISHED_COLUMNS). */
  excluded?: ReadonlySet<string>;
  /** The lake's S3 mirror (config.objectStore.mirrorUri): tables are registered there. */
  mirrorUri?: string;
}

export function planTable(dataDir: string, meta: TableVersionMeta, opts: PlanOptions = {}): TablePlan {
  const excluded = opts.excluded ?? UNPUBLISHED_COLUMNS;
  const qualified = `${meta.layer}.${meta.table}`;
  if (!Array.isArray(meta.columns) || meta.columns.length === 0) throw new PublishError(`${qualified}: the catalog lists no columns`);
  if (meta.path !== join(meta.layer, meta.table, versionDirName(meta.version))) {
    throw new PublishError(`${qualified}: catalog path ${meta.path} is not the folder of version ${meta.version}`);
  }
  checkFiles(dataDir, meta);
  const columns: PlannedColumn[] = [];
  const skipped: TablePlan['skipped'] = [];
  for (const c of meta.columns) {
    const trinoType = duckdbToTrinoType(c.type);
    if (!isPublished(meta.layer, meta.table, c.name, excluded)) skipped.push({ name: c.name, reason: 'unpublished column' });
    else if (trinoType === null) skipped.push({ name: c.name, reason: `type ${c.type} has no Trino/Hive equivalent` });
    else columns.push({ name: c.name, trinoType, description: c.description?.trim() || undefined });
  }
  if (columns.length === 0) throw new PublishError(`${qualified}: no publishable column`);
  const location = tableLocation(meta, opts.mirrorUri);
  // A version registered elsewhere (the mirror instead of the data dir, or another mirror) is another
  // version table, so that publish creates it and swaps the view. The local location is left out of
  // the hash: the names of tables published before mirrors existed stay the same.
  const where = location === tableLocation(meta) ? [] : [location];
  const fingerprint = createHash('sha256')
    .update(JSON.stringify([meta.path, meta.run_id, meta.description ?? '', columns, ...where]))
    .digest('hex')
    .slice(0, 8);
  const physical = `${meta.layer}__${meta.table}__${versionDirName(meta.version)}_${fingerprint}`;
  return { meta, qualified, physical, location, columns, skipped };
}

export function createPhysicalSql(plan: TablePlan): string {
  const cols = plan.columns.map((c) => `  ${q(c.name)} ${c.trinoType}${c.description ? ` comment ${literal(c.description)}` : ''}`);
  const comment = plan.meta.description ? `\ncomment ${literal(plan.meta.description)}` : '';
  return `create table ${physicalRef(plan.physical)} (\n${cols.join(',\n')}\n)${comment}\nwith (external_location = ${literal(plan.location)}, format = 'PARQUET')`;
}

export function createViewSql(plan: TablePlan): string {
  const comment = plan.meta.description ? ` comment ${literal(plan.meta.description)}` : '';
  const cols = plan.columns.map((c) => q(c.name)).join(', ');
  return `create or replace view ${viewRef(plan)}${comment} as select ${cols} from ${physicalRef(plan.physical)}`;
}

export function columnCommentSqls(plan: TablePlan): string[] {
  return plan.columns
    .filter((c) => c.description)
    .map((c) => `comment on column ${viewRef(plan)}.${q(c.name)} is ${literal(c.description ?? '')}`);
}
