// Checks that a lake's silver tables hold exactly the rows of a baseline: the same row count and no
// row in one that is not in the other (`EXCEPT ALL` both ways, so duplicates count). Used to prove a
// change to silver's SQL changes no output, at any scale:
//   node --import tsx bench/silver-equal.ts --save <baseline-dir> <data-dir>    (before the change)
//   node --import tsx bench/silver-equal.ts <baseline-dir> <data-dir>           (after rebuilding silver)
// The baseline is a folder with one sub-folder of Parquet files per silver table. Exit 0 when every
// table is equal, 1 when one differs (each table's counts are printed as JSON lines on stdout).
import { copyFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { openDuckDB, quoteLiteral } from '../lib/duckdb.ts';
import { readCatalog } from '../lib/lake.ts';

export const SILVER_TABLES = ['listening_with_features', 'listening_sessions', 'catalog_tracks'];

function currentFiles(dataDir: string, table: string): string[] {
  const meta = readCatalog(dataDir).tables[`silver.${table}`];
  if (!meta) throw new Error(`${dataDir}: silver.${table} does not exist (build silver first)`);
  return meta.files.map((f) => join(dataDir, meta.path, f));
}

export interface TableComparison { table: string; rows: number; baseline_rows: number; only_in_lake: number; only_in_baseline: number; equal: boolean }

export async function compareSilver(baselineDir: string, dataDir: string): Promise<TableComparison[]> {
  const threads = process.env.DUCKDB_THREADS ? Number(process.env.DUCKDB_THREADS) : undefined;
  const { instance, connection: conn } = await openDuckDB({ threads, memoryLimit: process.env.DUCKDB_MEMORY_LIMIT });
  const out: TableComparison[] = [];
  try {
    for (const table of SILVER_TABLES) {
      const baseDir = join(baselineDir, table);
      if (!existsSync(baseDir)) throw new Error(`${baseDir}: no baseline for silver.${table}`);
      const lake = `read_parquet([${currentFiles(dataDir, table).map(quoteLiteral).join(', ')}])`;
      const base = `read_parquet(${quoteLiteral(join(baseDir, '*.parquet'))})`;
      const reader = await conn.runAndReadAll(`select (select count(*) from ${lake})::bigint, (select count(*) from ${base})::bigint,
        (select count(*) from (from ${lake} except all from ${base}))::bigint, (select count(*) from (from ${base} except all from ${lake}))::bigint`);
      const [rows, baseRows, onlyLake, onlyBase] = reader.getRows()[0].map(Number);
      out.push({ table: `silver.${table}`, rows, baseline_rows: baseRows, only_in_lake: onlyLake, only_in_baseline: onlyBase,
        equal: rows === baseRows && onlyLake === 0 && onlyBase === 0 });
    }
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
  return out;
}

/** Copies the current Parquet files of every silver table into baselineDir/<table>/. */
export function saveBaseline(dataDir: string, baselineDir: string): void {
  for (const table of SILVER_TABLES) {
    const dir = join(baselineDir, table);
    if (existsSync(dir) && readdirSync(dir).length > 0) throw new Error(`${dir} is not empty: choose a new baseline folder`);
    mkdirSync(dir, { recursive: true });
    for (const f of currentFiles(dataDir, table)) copyFileSync(f, join(dir, f.split('/').pop()!));
  }
}

async function main(args: string[]): Promise<number> {
  const save = args[0] === '--save';
  const [baselineDir, dataDir] = save ? args.slice(1) : args;
  if (!baselineDir || !dataDir) {
    process.stderr.write('usage: silver-equal.ts [--save] <baseline-dir> <data-dir>\n');
    return 2;
  }
  if (save) {
    saveBaseline(dataDir, baselineDir);
    process.stderr.write(`silver of ${dataDir} saved to ${baselineDir}\n`);
    return 0;
  }
  const results = await compareSilver(baselineDir, dataDir);
  for (const r of results) process.stdout.write(`${JSON.stringify(r)}\n`);
  const differing = results.filter((r) => !r.equal);
  process.stderr.write(differing.length === 0 ? 'silver equals the baseline\n' : `differs from the baseline: ${differing.map((r) => r.table).join(', ')}\n`);
  return differing.length === 0 ? 0 : 1;
}

if (process.argv[1]?.endsWith('silver-equal.ts')) {
  main(process.argv.slice(2)).then((code) => process.exit(code), (err: unknown) => {
    process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
