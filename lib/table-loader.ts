// Finds table declarations by listing folders (no registry): every `<stem>.ts` whose stem is
// snake_case and whose default export is a TableSpec, in a folder and its direct subfolders
// (gold/<category>/<table>.ts). Orders them so that a table's inputs from the same set come first.
// Takes the folder as an argument: lib never imports a layer folder.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { DuckDBConnection } from './duckdb.ts';
import { quoteIdent, queryRows } from './duckdb.ts';
import { qualifiedName, type TableSpec } from './table-spec.ts';
import { TableContractError } from './errors.ts';
import { MODULE_EXT } from './module-ext.ts';

export interface LoadedTable {
  spec: TableSpec;
  /** Absolute path of the declaration file. */
  file: string;
}

const TABLE_FILE = new RegExp(`^[a-z][a-z0-9_]*\\${MODULE_EXT}$`);

/** Candidate declaration files: snake_case `.ts` files in `root` and its direct subfolders, sorted. */
export function declarationFiles(root: string): string[] {
  if (!existsSync(root)) return [];
  const files: string[] = [];
  for (const name of readdirSync(root).sort()) {
    const p = join(root, name);
    if (statSync(p).isDirectory()) {
      if (name.startsWith('.') || name === 'node_modules') continue;
      for (const inner of readdirSync(p).sort()) if (TABLE_FILE.test(inner)) files.push(join(p, inner));
    } else if (TABLE_FILE.test(name)) {
      files.push(p);
    }
  }
  return files;
}

function isTableSpec(value: unknown): value is TableSpec {
  const v = value as Partial<TableSpec> | undefined;
  return !!v && typeof v === 'object' && typeof v.name === 'string' && typeof v.layer === 'string' && Array.isArray(v.columns);
}

/** Imports every declaration under `root`; files whose default export is not a TableSpec are helpers and skipped. */
export async function loadTables(root: string): Promise<LoadedTable[]> {
  const loaded: LoadedTable[] = [];
  for (const file of declarationFiles(root)) {
    const mod = (await import(pathToFileURL(file).href)) as { default?: unknown };
    if (!isTableSpec(mod.default)) continue;
    const spec = mod.default;
    const stem = basename(file, MODULE_EXT);
    if (spec.name !== stem) {
      throw new TableContractError(qualifiedName(spec), `declared in ${relative(root, file)}: the file must be named like its table (${spec.name}${MODULE_EXT})`);
    }
    loaded.push({ spec, file });
  }
  const seen = new Map<string, string>();
  for (const { spec, file } of loaded) {
    const key = qualifiedName(spec);
    if (seen.has(key)) throw new TableContractError(key, `declared twice (${seen.get(key)} and ${file})`);
    seen.set(key, file);
  }
  return loaded;
}

/**
 * Dependency order: a table comes after every table of the set it names in `inputs` (or in
 * `extraDeps`, e.g. the job that writes it). Otherwise the given order is kept, so the result is
 * deterministic. A cycle is an error naming the tables in it.
 */
export function sortByDependencies<T extends { spec: TableSpec }>(items: T[], extraDeps: (spec: TableSpec) => string[] = () => []): T[] {
  const byName = new Map(items.map((it) => [qualifiedName(it.spec), it]));
  const deps = new Map(items.map((it) => [
    qualifiedName(it.spec),
    [...it.spec.inputs, ...extraDeps(it.spec)].filter((d) => byName.has(d) && d !== qualifiedName(it.spec)),
  ]));
  const done = new Set<string>();
  const out: T[] = [];
  while (out.length < items.length) {
    const next = items.find((it) => !done.has(qualifiedName(it.spec)) && deps.get(qualifiedName(it.spec))!.every((d) => done.has(d)));
    if (!next) {
      const stuck = items.map((it) => qualifiedName(it.spec)).filter((n) => !done.has(n));
      throw new TableContractError(stuck[0], `dependency cycle among ${stuck.join(', ')}`);
    }
    done.add(qualifiedName(next.spec));
    out.push(next);
  }
  return out;
}

/** Up to `limit` grain values that occur more than once in a table (empty = grain unique). Reused by quality checks. */
export async function grainDuplicates(conn: DuckDBConnection, spec: Pick<TableSpec, 'layer' | 'name' | 'grain'>, limit = 3): Promise<Record<string, unknown>[]> {
  if (spec.grain.length === 0) return [];
  const cols = spec.grain.map(quoteIdent).join(', ');
  return queryRows(conn,
    `select ${cols}, count(*)::bigint as duplicate_count from ${quoteIdent(spec.layer)}.${quoteIdent(spec.name)} group by all having count(*) > 1 order by duplicate_count desc limit ${Math.max(1, Math.floor(limit))}`);
}
