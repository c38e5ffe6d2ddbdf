// Reads Spotify privacy-export JSON files with DuckDB's JSON reader: finds the files, recognises
// each file's shape by its keys, and loads its records (as text) into a temp table. A structurally
// broken file (empty, not JSON, truncated, unknown shape) is refused whole, naming file and position.
import { closeSync, mkdtempSync, openSync, readFileSync, readSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import type { DuckDBConnection } from '../../lib/duckdb.ts';
import { quoteIdent, quoteLiteral, queryRows } from '../../lib/duckdb.ts';
import { InputFileError, UsageError, errorMessage } from '../../lib/errors.ts';
import { fileSha256 } from '../../lib/files.ts';
import { ALL_KEYS, detectFormatSql, type ExportFormat } from './formats.ts';

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

/** First and last non-blank byte of a file (after a UTF-8 BOM): a JSON array starts with [ and ends with ]. */
function arrayEnds(path: string, size: number): { first: string; last: string; lastAt: number } {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(Math.min(size, 64));
    readSync(fd, head, 0, head.length, 0);
    const tail = Buffer.alloc(Math.min(size, 64));
    readSync(fd, tail, 0, tail.length, size - tail.length);
    const first = head.toString('latin1').replace(/^\xEF\xBB\xBF/, '').trimStart()[0] ?? '';
    const trimmed = tail.toString('latin1').trimEnd();
    return { first, last: trimmed.at(-1) ?? '', lastAt: size - tail.length + trimmed.length };
  } finally {
    closeSync(fd);
  }
}

/**
 * Checks what can be checked without parsing: not empty, an array that is closed. (DuckDB's reader
 * accepts "[{…}," and stops there, so a file cut after a record would otherwise import silently.)
 * The shape is known only once every record is read (loadExportFile).
 */
export async function inspectExportFile(_conn: DuckDBConnection, path: string): Promise<ExportFile> {
  const st = statSync(path);
  if (st.size === 0) throw new InputFileError(path, 'empty file (0 bytes): not a Spotify export');
  const { first, last, lastAt } = arrayEnds(path, st.size);
  if (first !== '[') throw new InputFileError(path, `not a JSON array of records: it starts with ${JSON.stringify(first)} at byte 1, not "["`);
  if (last !== ']') throw new InputFileError(path, `truncated or malformed JSON: the file ends at byte ${lastAt} with ${JSON.stringify(last)}, not with the "]" that closes the array`);
  return { path, name: basename(path), sha256: await fileSha256(path), format: null, records: 0 };
}

/**
 * Loads every element of the file into `table`, one row each with its 1-based position
 * (source_row), its JSON kind, the first duplicated key, the element's text when it is no object,
 * and every known key's value as text. Each element is read as one JSON value, so a stray number,
 * string or array is a row like the others instead of changing how the file is read. The file's
 * format is decided from all records (never a sample): the shape most records have. Throws
 * InputFileError when the file is no JSON or no record has a known shape.
 */
export async function loadExportFile(conn: DuckDBConnection, file: ExportFile, table: string): Promise<number> {
  let readable = file.path;
  try {
    await readElements(conn, readable, table);
  } catch (err) {
    const rewritten = bigIntegerElementsRewritten(file.path);
    if (!rewritten) throw new InputFileError(file.path, `malformed JSON: ${cleanDuckDBMessage(err)}`);
    readable = rewritten;
  }
  try {
    if (readable !== file.path) {
      try {
        await readElements(conn, readable, table);
      } catch (err) {
        throw new InputFileError(file.path, `malformed JSON: ${cleanDuckDBMessage(err)}`);
      }
    }
    const shapes = await queryRows<{ shape: string | null; n: number }>(conn,
      `select shape, count(*)::integer as n from ${quoteIdent(table)} group by all`);
    const records = shapes.reduce((sum, s) => sum + s.n, 0);
    file.records = records;
    file.format = commonestShape(shapes);
    if (!file.format && records > 0) throw new InputFileError(file.path, await unknownShape(conn, readable, records));
    return records;
  } finally {
    if (readable !== file.path) rmSync(dirname(readable), { recursive: true, force: true });
  }
}

/** The shape most records have (ties: the first by name), null when no record has a known one. */
function commonestShape(shapes: { shape: string | null; n: number }[]): ExportFormat | null {
  const known = shapes.filter((s) => s.shape !== null).sort((a, b) => b.n - a.n || (a.shape! < b.shape! ? -1 : a.shape! > b.shape! ? 1 : 0));
  return (known[0]?.shape as ExportFormat | undefined) ?? null;
}

/** DuckDB expands these in a path, so a file named with one cannot be listed among files read at once. */
const GLOB_CHARACTERS = /[*?[\]{}]/;

/**
 * loadExportFile for many files in one scan of DuckDB's JSON reader: the elements of all `files`
 * (distinct paths) into `table`, each with its file's index in `files` (file_index) and its position
 * over all files in reading order (element_seq) instead of source_row. The reader keeps each file's
 * elements together and in order, so a file's source_row is element_seq minus the file's first
 * element_seq, plus 1; a file whose positions are not contiguous would break that, and is refused
 * like a failed read. Sets every file's records and format; returns each file's first element_seq
 * (0 for a file without elements). Returns null, with `table` possibly partly made, when the files
 * cannot be read together (a malformed file, one of unknown shape, a glob character in a path): the
 * caller then loads them one by one, which reads what can be read and names a broken file.
 */
export async function loadExportFiles(conn: DuckDBConnection, files: ExportFile[], table: string): Promise<number[] | null> {
  if (files.some((f) => GLOB_CHARACTERS.test(f.path))) return null;
  try {
    await readElements(conn, files.map((f) => f.path), table, 'element_seq');
  } catch {
    return null;
  }
  const rows = await queryRows<{ file_index: number; shape: string | null; n: number; first: number; last: number }>(conn,
    `select file_index::integer as file_index, shape, count(*)::integer as n, min(element_seq)::double as first, max(element_seq)::double as last
     from ${quoteIdent(table)} group by all`);
  const byFile = new Map<number, typeof rows>();
  for (const r of rows) byFile.set(r.file_index, [...(byFile.get(r.file_index) ?? []), r]);
  if ([...byFile.keys()].some((i) => !(i >= 0 && i < files.length))) return null;
  const firsts: number[] = [];
  for (const [i, file] of files.entries()) {
    const mine = byFile.get(i) ?? [];
    const records = mine.reduce((sum, r) => sum + r.n, 0);
    const first = Math.min(...mine.map((r) => r.first));
    if (records > 0 && Math.max(...mine.map((r) => r.last)) - first + 1 !== records) return null;
    file.records = records;
    file.format = commonestShape(mine);
    if (!file.format && records > 0) return null;
    firsts.push(records > 0 ? first : 0);
  }
  return firsts;
}

/** Reads the elements of `paths` (one scan) into `table`; `position` numbers them over all files in reading order. */
async function readElements(conn: DuckDBConnection, paths: string | string[], table: string, position = 'source_row'): Promise<void> {
  const many = typeof paths !== 'string';
  const source = many ? `[${paths.map(quoteLiteral).join(', ')}]` : quoteLiteral(paths);
  const reader = `read_json(${source}, format = 'array', records = false, columns = {'j': 'JSON'})`;
  if (!many) {
    // One file is read by one thread anyway: number its elements in the reader's order.
    await parseElements(conn, `(select row_number() over () as ${position}, j from ${reader})`, table, position, '');
    return;
  }
  // Many files: the raw elements are written as read, on every thread, and numbered by their row
  // in that table. An insert keeps the reader's order (DuckDB's preserve_insertion_order, pinned on
  // in openDuckDB), the order row_number() over () numbered; that window ran on one thread and took
  // half the time of a scan. Parsing them (most of the work) then runs on every thread.
  const elements = quoteIdent(`${table}_elements`);
  await conn.run(`create or replace temp table ${elements} as select file_index, j from ${reader}`);
  try {
    await parseElements(conn, `(select rowid + 1 as ${position}, file_index, j from ${elements})`, table, position, 'file_index, ');
  } finally {
    await conn.run(`drop table if exists ${elements}`);
  }
}

async function parseElements(conn: DuckDBConnection, elements: string, table: string, position: string, fileIndex: string): Promise<void> {
  const shape = `{${ALL_KEYS.map((k) => `${JSON.stringify(k)}: "VARCHAR"`).join(', ')}}`;
  await conn.run(`create or replace temp table ${quoteIdent(table)} as
    with elements as (
      select ${position}, ${fileIndex}j, json_type(j) as kind from ${elements}
    ), parsed as (
      select ${position}, ${fileIndex}kind, case when kind = 'OBJECT' then json_keys(j) end as keys,
        case when kind is distinct from 'OBJECT' then j::varchar end as element_text,
        case when kind = 'OBJECT' then json_transform(j, ${quoteLiteral(shape)}) end as r
      from elements
    )
    select ${position}, ${fileIndex}kind, element_text, ${detectFormatSql('keys')} as shape,
      list_filter(keys, (k, i) -> list_position(keys, k) < i)[1] as dup_key,
      ${ALL_KEYS.map((k) => `r.${quoteIdent(k)} as ${quoteIdent(k)}`).join(', ')}
    from parsed`);
}

/**
 * DuckDB's reader calls a bare array element that is an integer beyond 64 bits malformed
 * ("[5, 100000000000000000000]"), though it is valid JSON (inside an object it reads fine). Writes
 * a temp copy with such elements in exponent form, so they are quarantined like any stray number;
 * null when the file has none (then the file really is malformed).
 */
function bigIntegerElementsRewritten(path: string): string | null {
  const bytes = readFileSync(path);
  const text = bytes.toString('utf8');
  if (!Buffer.from(text, 'utf8').equals(bytes)) return null;
  let depth = 0;
  let inString = false;
  let out = '';
  let copied = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === '[' || ch === '{') depth++;
    else if (ch === ']' || ch === '}') depth--;
    else if (depth === 1 && /[-0-9]/.test(ch)) {
      const token = /^-?[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/.exec(text.slice(i, i + 1000))?.[0] ?? ch;
      if (/^-?[0-9]{19,}$/.test(token)) {
        out += text.slice(copied, i) + Number(token).toExponential();
        copied = i + token.length;
      }
      i += token.length - 1;
    }
  }
  if (copied === 0) return null;
  const dir = mkdtempSync(join(tmpdir(), 'lakehouse-export-'));
  const target = join(dir, basename(path));
  writeFileSync(target, out + text.slice(copied));
  return target;
}

async function unknownShape(conn: DuckDBConnection, path: string, records: number): Promise<string> {
  const rows = await queryRows<{ k: string }>(conn, `select distinct unnest(json_keys(j)) as k
    from read_json(${quoteLiteral(path)}, format = 'array', records = false, columns = {'j': 'JSON'}) where json_type(j) = 'OBJECT' order by k limit 40`);
  const keys = rows.length > 0 ? `keys ${rows.map((r) => r.k).join(', ')}` : `none of its ${records} elements is an object`;
  return `unknown export shape: ${keys}; expected an extended streaming history (ts, ms_played, master_metadata_…), or account data (endTime, artistName, trackName, msPlayed / podcastName, episodeName)`;
}

/** DuckDB messages repeat the path and add hints; keep the part that says what and where. */
function cleanDuckDBMessage(err: unknown): string {
  return errorMessage(err).replace(/^Invalid Input Error: /, '').replace(/ in file "[^"]*",?/, '').split('\n')[0].slice(0, 300);
}
