// <dataDir>/lakehouse.duckdb: a small DuckDB database holding one view per current table
// (bronze.x, silver.x, gold.x, ops.x over that version's Parquet parts) with the table and column
// descriptions as COMMENTs, so Python, R and the DuckDB CLI read the current lake without knowing
// version folders. It holds no data, only views. Rebuilt at every publish: built in a temporary file
// and renamed over the old one, so a notebook that opens it sees either the old or the new lake,
// never a half-built file. Paths in the views are absolute (DuckDB resolves relative paths against
// the reader's working directory, which differs per notebook); if the data dir moves, the next
// publish or `lakehouse notebook` rewrites them.
import { existsSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { DuckDBInstance, quoteIdent, quoteLiteral } from './duckdb.ts';
import { type Catalog } from './lake.ts';
import { LAYERS } from './table-spec.ts';

export const NOTEBOOK_DB = 'lakehouse.duckdb';

export function notebookDbPath(dataDir: string): string {
  return join(resolve(dataDir), NOTEBOOK_DB);
}

function tableComment(meta: Catalog['tables'][string]): string {
  const parts = [meta.description, meta.grain_sentence && `Grain: ${meta.grain_sentence}.`, `Version ${meta.version}, built ${meta.built_at}, ${meta.rows} rows.`];
  return parts.filter(Boolean).join(' ');
}

/** Writes the notebook database for catalog atomically; returns its path. */
export async function writeNotebookDb(dataDir: string, catalog: Catalog): Promise<string> {
  const root = resolve(dataDir);
  const target = notebookDbPath(root);
  const tmp = `${target}.tmp-${process.pid}-${randomBytes(3).toString('hex')}`;
  // Writers hold the lock, so another temporary file is a leftover of a killed build.
  for (const name of readdirSync(root)) if (name.startsWith(`${NOTEBOOK_DB}.tmp-`)) rmSync(join(root, name), { force: true });
  try {
    const instance = await DuckDBInstance.create(tmp, { threads: '1', autoinstall_known_extensions: 'false', autoload_known_extensions: 'false' });
    const conn = await instance.connect();
    try {
      const statements: string[] = LAYERS.map((l) => `create schema if not exists ${quoteIdent(l)};`);
      for (const meta of Object.values(catalog.tables)) {
        const name = `${quoteIdent(meta.layer)}.${quoteIdent(meta.table)}`;
        const glob = join(root, meta.path, '*.parquet');
        if (!existsSync(join(root, meta.path))) continue;
        statements.push(`create view ${name} as select * from read_parquet(${quoteLiteral(glob)});`);
        statements.push(`comment on view ${name} is ${quoteLiteral(tableComment(meta))};`);
        for (const c of meta.columns) {
          if (c.description) statements.push(`comment on column ${name}.${quoteIdent(c.name)} is ${quoteLiteral(c.description)};`);
        }
      }
      await conn.run(`begin;\n${statements.join('\n')}\ncommit;`);
      await conn.run('checkpoint');
    } finally {
      conn.closeSync();
      instance.closeSync();
    }
    renameSync(tmp, target);
    return target;
  } finally {
    rmSync(tmp, { force: true });
    rmSync(`${tmp}.wal`, { force: true });
  }
}
