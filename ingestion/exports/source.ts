// Reads Spotify privacy-export JSON files with DuckDB's JSON reader: finds the files, recognises
// each file's shape by its keys, and loads its records (as text) into a temp table. A structurally
// broken file (empty, not JSON, truncated, unknown shape) is refused whole, naming file and position.
import { readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { DuckDBConnection } from '../../lib/duckdb.ts';
import { quoteIdent, quoteLiteral } from '../../lib/duckdb.ts';
import { InputFileError, UsageError, errorMessage } from '../../lib/errors.ts';
import { fileSha256 } from '../../lib/files.ts';
import { detectFormat, FORMAT_KEYS, type ExportFormat } from './formats.ts';

export interface ExportFile {
  path: string;
  name: string;
  sha256: string;
  format: ExportFormat | null;
  records: number;
}

/** Expands files and folders (recursively) into the .json files to import, sorted. */
export function findExportFiles(paths: string[]): string[] {
  const out: string[] = [];
  const walk = (p: string, top: boolean) => {
    let st;
    try {
      st = statSync(p);
    } catch {
      throw new UsageError(`${p}: no such file or folder`);
    }
    if (st.isDirectory()) for (const n of readdirSync(p).sort()) walk(join(p, n), false);
    else if (top || p.toLowerCase().endsWith('.json')) out.push(p);
  };
  for (const p of paths) walk(p, true);
  return [...new Set(out)].sort();
}

async function readKeys(conn: DuckDBConnection, path: string): Promise<string[]> {
  const reader = await conn.runAndReadAll(
    `describe select * from read_json(${quoteLiteral(path)}, format = 'array', sample_size = 1000, maximum_depth = 1)`,
  );
  return reader.getRowObjectsJson().map((r) => String(r.column_name));
}

/** Inspects a file; throws InputFileError when it cannot be imported at all. */
export async function inspectExportFile(conn: DuckDBConnection, path: string): Promise<ExportFile> {
  const st = statSync(path);
  if (st.size === 0) throw new InputFileError(path, 'empty file (0 bytes): not a Spotify export');
  const sha256 = await fileSha256(path);
  let keys: string[];
  try {
    keys = await readKeys(conn, path);
  } catch (err) {
    throw new InputFileError(path, `not a JSON array of records: ${cleanDuckDBMessage(err)}`);
  }
  const format = detectFormat(keys);
  const isEmptyArray = keys.length === 1 && keys[0] === 'json';
  if (!format && !isEmptyArray) {
    throw new InputFileError(path, `unknown export shape: keys ${keys.join(', ')}; expected an extended streaming history (ts, ms_played, master_metadata_…), or account data (endTime, artistName, trackName, msPlayed / podcastName, episodeName)`);
  }
  return { path, name: basename(path), sha256, format, records: 0 };
}

/** Loads every record of the file (all keys as text, plus its 1-based position) into `table`. */
export async function loadExportFile(conn: DuckDBConnection, file: ExportFile, table: string): Promise<number> {
  if (!file.format) return 0;
  const keys = FORMAT_KEYS[file.format];
  const columns = `{${keys.map((k) => `${quoteLiteral(k)}: 'VARCHAR'`).join(', ')}}`;
  try {
    await conn.run(`create or replace temp table ${quoteIdent(table)} as
      select row_number() over () as source_row, * from read_json(${quoteLiteral(file.path)}, format = 'array', columns = ${columns})`);
  } catch (err) {
    throw new InputFileError(file.path, `malformed JSON: ${cleanDuckDBMessage(err)}`);
  }
  const r = await conn.runAndReadAll(`select count(*)::integer from ${quoteIdent(table)}`);
  return Number(r.getRowsJS()[0][0]);
}

/** DuckDB messages repeat the path and add hints; keep the part that says what and where. */
function cleanDuckDBMessage(err: unknown): string {
  return errorMessage(err).replace(/^Invalid Input Error: /, '').split('\n')[0];
}
