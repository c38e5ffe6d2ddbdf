// Looks for any trace of a listener id under the data dir: in file and folder names, in the bytes of
// every file (JSON, logs, models, Parquet footers with column statistics) and in every decoded row of
// every Parquet file of every version. Matching is by substring, so a short id may report false
// positives (a track called like the id); generated ids are long enough not to. findUnusedKeys also
// reports track rows no remaining listener's play uses (unused-keys.ts): a listening fingerprint
// of someone erased, though it holds no id.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { DuckDBConnection } from '../lib/duckdb.ts';
import { quoteLiteral, queryRows } from '../lib/duckdb.ts';
import { unusedKeyRows } from './unused-keys.ts';

export interface Residue {
  /** Path relative to the scanned folder. */
  path: string;
  where: 'name' | 'bytes' | 'rows' | 'unused_keys';
  /** Parquet rows whose text holds the id (where = 'rows'), or whose track key no kept play uses (where = 'unused_keys'). */
  rows?: number;
}

const MAX_BYTES = 512 * 1024 * 1024;

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = statSync(p);
    out.push(p);
    if (st.isDirectory()) walk(p, out);
  }
  return out;
}

async function parquetRowsHolding(conn: DuckDBConnection, file: string, needle: string): Promise<number> {
  const [r] = await queryRows<{ n: number }>(conn,
    `select count(*)::double as n from read_parquet(${quoteLiteral(file)}) t where contains(t::varchar, $needle)`, { needle });
  return Number(r.n);
}

/** Every place under `root` where `needle` occurs, except paths for which `allow` returns true. */
export async function findResidue(conn: DuckDBConnection, root: string, needle: string, allow: (rel: string) => boolean = () => false): Promise<Residue[]> {
  const out: Residue[] = [];
  const bytes = Buffer.from(needle, 'utf8');
  for (const p of walk(root)) {
    const rel = relative(root, p);
    if (allow(rel)) continue;
    if (rel.split(/[\\/]/).at(-1)!.includes(needle)) out.push({ path: rel, where: 'name' });
    const st = statSync(p);
    if (!st.isFile()) continue;
    if (st.size <= MAX_BYTES && readFileSync(p).includes(bytes)) out.push({ path: rel, where: 'bytes' });
    if (p.endsWith('.parquet')) {
      const rows = await parquetRowsHolding(conn, p, needle);
      if (rows > 0) out.push({ path: rel, where: 'rows', rows });
    }
  }
  return out;
}

/** Parts of play-keyed track tables (any version) holding rows whose key no kept play uses. */
export async function findUnusedKeys(conn: DuckDBConnection, root: string): Promise<Residue[]> {
  return (await unusedKeyRows(conn, root)).map((r) => ({ path: relative(root, r.path), where: 'unused_keys' as const, rows: r.rows }));
}
