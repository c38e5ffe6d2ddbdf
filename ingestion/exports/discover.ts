// Finds the listening histories in what people download from Spotify: single files, folders (nested
// at any depth) and .zip archives read in place. Every candidate is recognised by its content (the
// keys of the first record of a JSON array), not by its name; everything else in a package
// (Userdata.json, Playlist1.json, PDFs, images, …) is listed as skipped with a reason and never
// copied, kept or logged. A history inside a .zip is streamed into a private temp file (0600, in a
// 0700 folder outside the data dir) so DuckDB can read it; cleanup() removes those files.
import { closeSync, createWriteStream, mkdtempSync, openSync, readdirSync, readSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import yauzl from 'yauzl';
import { InputFileError, UsageError, errorMessage } from '../../lib/errors.ts';
import { detectFormat, type ExportFormat } from './formats.ts';
import type { PlatformFormat } from './platform.ts';
import { recognisePlatform } from './platforms.ts';

/** A history to import: `path` is readable on disk (the file itself, or a temp copy of a zip entry). */
export interface FoundHistory {
  path: string;
  /** What the user calls it: the path given or found, or `<archive>/<entry>` for a zip entry. */
  display: string;
  /** The file on disk it comes from (the archive for a zip entry). */
  origin: string;
  format: ExportFormat | null;
  /** Set for a Last.fm, Apple Music or YouTube Music file (then `format` is null). */
  platform?: PlatformFormat;
}

export interface SkippedFile {
  /** Path relative to the folder or archive given (archive entries as `<archive>/<entry>`). */
  file: string;
  /** The file on disk (the archive for a zip entry). */
  origin: string;
  reason: string;
}

export interface ExportDiscovery {
  histories: FoundHistory[];
  skipped: SkippedFile[];
  /** Archives read (each may hold histories and skipped entries). */
  archives: string[];
  /** Removes the temp copies of zip entries. Safe to call twice. */
  cleanup(): void;
}

export interface DiscoverOptions {
  /** Classify files named directly too (the inbox); by default a named file is imported as given. */
  classifyGivenFiles?: boolean;
}

/** How much of a file is read to recognise it; a history's first record is well under 4 KiB. */
const HEAD_BYTES = 256 * 1024;

export const NOT_HISTORY = 'not a listening history';

type Verdict =
  | { kind: 'history'; format: ExportFormat | null; platform?: PlatformFormat }
  | { kind: 'skip'; reason: string }
  /** Looks like JSON but its head does not parse (truncated, broken): the importer refuses it. */
  | { kind: 'broken' }
  | { kind: 'archive' };

const HISTORY_NAME = /(streaming_?history|endsong)/i;

/** Recognises a file from its first bytes (and its name only to break ties). */
export function classifyHead(head: Buffer, complete: boolean, name: string): Verdict {
  if (head.length === 0) return name.toLowerCase().endsWith('.json') ? { kind: 'broken' } : { kind: 'skip', reason: `${NOT_HISTORY}: empty file` };
  if (head.subarray(0, 4).equals(Buffer.from('PK\x03\x04', 'latin1'))) return { kind: 'archive' };
  const binary = sniffBinary(head);
  if (binary) return { kind: 'skip', reason: `${NOT_HISTORY}: ${binary}` };
  const text = head.toString('utf8').replace(/^\uFEFF/, '');
  const keys = firstRecordKeys(text, complete);
  const isJsonName = name.toLowerCase().endsWith('.json');
  // Spotify's shapes first; then Last.fm CSV/JSON, Apple Music CSV and the Takeout watch history.
  if (!(Array.isArray(keys) && detectFormat(keys))) {
    const platform = recognisePlatform(text, keys);
    if (platform) return { kind: 'history', format: null, platform };
  }
  if (keys === 'object') return { kind: 'skip', reason: NOT_HISTORY };
  if (keys === 'invalid' || keys === 'undecided') return isJsonName ? { kind: 'broken' } : { kind: 'skip', reason: `${NOT_HISTORY}: not JSON` };
  if (keys === 'no-records') return HISTORY_NAME.test(name) ? { kind: 'history', format: null } : { kind: 'skip', reason: `${NOT_HISTORY}: an empty list` };
  const format = detectFormat(keys);
  if (format) return { kind: 'history', format };
  if (keys.includes('endTime') && keys.includes('msPlayed') && keys.includes('audiobookName')) {
    return { kind: 'skip', reason: 'an audiobook listening history (endTime, audiobookName, chapterName): this shape is not imported yet' };
  }
  return { kind: 'skip', reason: NOT_HISTORY };
}

function sniffBinary(head: Buffer): string | null {
  const start = head.subarray(0, 8).toString('latin1');
  if (start.startsWith('%PDF')) return 'a PDF document';
  if (start.startsWith('\x89PNG') || start.startsWith('\xFF\xD8\xFF') || start.startsWith('GIF8') || (start.startsWith('RIFF') && head.subarray(8, 12).toString('latin1') === 'WEBP')) return 'an image';
  const sample = head.subarray(0, 4096);
  if (sample.includes(0)) return 'a binary file';
  return null;
}

/**
 * The top-level keys of the first object element of a top-level JSON array: 'object' when the
 * document is an object, 'no-records' for an array without any object element, 'invalid' when the
 * text is not JSON, 'undecided' when the head ends before the first record's keys do.
 */
export function firstRecordKeys(text: string, complete: boolean): string[] | 'object' | 'no-records' | 'invalid' | 'undecided' {
  let i = 0;
  const ws = () => { while (i < text.length && ' \t\r\n'.includes(text[i])) i++; };
  const end = () => (i >= text.length ? (complete ? 'invalid' : 'undecided') : null);
  /** Reads a string starting at text[i] === '"'; returns it, or null when the head ends inside. */
  const str = (): string | null => {
    let out = '';
    i++;
    while (i < text.length) {
      const c = text[i];
      if (c === '"') { i++; return out; }
      if (c === '\\') {
        if (i + 1 >= text.length) return null;
        const e = text[i + 1];
        if (e === 'u') {
          if (i + 6 > text.length) return null;
          out += String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16));
          i += 6;
        } else {
          out += ({ n: '\n', t: '\t', r: '\r', b: '\b', f: '\f' } as Record<string, string>)[e] ?? e;
          i += 2;
        }
        continue;
      }
      out += c;
      i++;
    }
    return null;
  };
  /** Skips one value; false when the head ends inside it or the text is not JSON. */
  const skip = (): boolean | 'invalid' => {
    ws();
    if (i >= text.length) return false;
    const c = text[i];
    if (c === '"') return str() !== null;
    if (c === '{' || c === '[') {
      let depth = 0;
      while (i < text.length) {
        const d = text[i];
        if (d === '"') { if (str() === null) return false; continue; }
        if (d === '{' || d === '[') depth++;
        else if (d === '}' || d === ']') { depth--; if (depth === 0) { i++; return true; } }
        i++;
      }
      return false;
    }
    const m = /^(-?\d[\d.eE+-]*|true|false|null)/.exec(text.slice(i, i + 64));
    if (!m) return 'invalid';
    i += m[0].length;
    return i < text.length || complete;
  };
  ws();
  if (end()) return end()!;
  if (text[i] === '{') return 'object';
  if (text[i] !== '[') return 'invalid';
  i++;
  for (;;) {
    ws();
    if (end()) return end()!;
    if (text[i] === ']') return 'no-records';
    if (text[i] === ',') { i++; continue; }
    if (text[i] !== '{') {
      // A stray non-object element: the importer deals with it; look for the first record.
      const r = skip();
      if (r === 'invalid') return 'invalid';
      if (!r) return complete ? 'invalid' : 'undecided';
      continue;
    }
    i++;
    const keys: string[] = [];
    for (;;) {
      ws();
      if (end()) return end()!;
      if (text[i] === '}') return keys;
      if (text[i] === ',') { i++; continue; }
      if (text[i] !== '"') return 'invalid';
      const k = str();
      if (k === null) return complete ? 'invalid' : 'undecided';
      ws();
      if (text[i] !== ':') return end() ?? 'invalid';
      i++;
      const r = skip();
      if (r === 'invalid') return 'invalid';
      if (!r) return complete ? 'invalid' : 'undecided';
      keys.push(k);
    }
  }
}

function readHead(path: string): { head: Buffer; complete: boolean } {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(HEAD_BYTES);
    let n = 0;
    for (;;) {
      const r = readSync(fd, buf, n, HEAD_BYTES - n, n);
      if (r === 0) break;
      n += r;
      if (n === HEAD_BYTES) break;
    }
    return { head: buf.subarray(0, n), complete: n < HEAD_BYTES || statSync(path).size === n };
  } finally {
    closeSync(fd);
  }
}

async function readStreamHead(stream: Readable): Promise<{ head: Buffer; complete: boolean }> {
  const chunks: Buffer[] = [];
  let n = 0;
  let complete = true;
  for await (const chunk of stream) {
    chunks.push(chunk as Buffer);
    n += (chunk as Buffer).length;
    if (n >= HEAD_BYTES) { complete = false; break; }
  }
  stream.destroy();
  const head = Buffer.concat(chunks);
  return { head: head.subarray(0, HEAD_BYTES), complete: complete || head.length < HEAD_BYTES };
}

const isHidden = (name: string) => name.startsWith('.') || name === '__MACOSX';

/**
 * Expands files, folders (recursively) and .zip archives into the histories to import and the files
 * skipped with their reasons. Throws UsageError for a path that does not exist.
 */
export async function discoverExports(paths: string[], opts: DiscoverOptions = {}): Promise<ExportDiscovery> {
  const histories: FoundHistory[] = [];
  const skipped: SkippedFile[] = [];
  const archives: string[] = [];
  let temp: string | null = null;
  const tempRoot = () => (temp ??= mkdtempSync(join(tmpdir(), 'lakehouse-zip-')));
  const cleanup = () => {
    if (temp) rmSync(temp, { recursive: true, force: true });
    temp = null;
  };
  const seen = new Set<string>();

  const onFile = async (path: string, display: string, given: boolean) => {
    if (seen.has(path)) return;
    seen.add(path);
    const name = basename(path);
    if (!given && isHidden(name)) return void skipped.push({ file: display, origin: path, reason: 'hidden file' });
    if (name.toLowerCase().endsWith('.zip')) return readArchive(path, display);
    let v: Verdict;
    try {
      const { head, complete } = readHead(path);
      v = classifyHead(head, complete, name);
    } catch (err) {
      if (given && !opts.classifyGivenFiles) return void histories.push({ path, display: path, origin: path, format: null });
      throw new InputFileError(path, `cannot be read: ${errorMessage(err)}`);
    }
    // A file named directly is imported as given (a broken one is refused naming it), unless it is another platform's.
    if (given && !opts.classifyGivenFiles && !(v.kind === 'history' && v.platform)) return void histories.push({ path, display: path, origin: path, format: null });
    if (v.kind === 'archive') return readArchive(path, display);
    if (v.kind === 'skip') return void skipped.push({ file: display, origin: path, reason: v.reason });
    histories.push({ path, display: given ? path : display, origin: path, format: v.kind === 'history' ? v.format : null, ...(v.kind === 'history' && v.platform ? { platform: v.platform } : {}) });
  };

  const walk = async (path: string, root: string, given: boolean) => {
    let st;
    try {
      st = statSync(path);
    } catch {
      throw new UsageError(`${path}: no such file or folder`);
    }
    if (!st.isDirectory()) return onFile(path, given ? basename(path) : relative(root, path), given);
    if (!given && isHidden(basename(path))) return void skipped.push({ file: `${relative(root, path)}/`, origin: path, reason: 'hidden folder' });
    for (const n of readdirSync(path).sort()) await walk(join(path, n), root, false);
  };

  const readArchive = async (zipPath: string, display: string) => {
    archives.push(zipPath);
    let zip: yauzl.ZipFile;
    try {
      zip = await new Promise<yauzl.ZipFile>((res, rej) => yauzl.open(zipPath, { lazyEntries: true, autoClose: false }, (err, z) => (err ? rej(err) : res(z!))));
    } catch (err) {
      throw new InputFileError(zipPath, `not a readable .zip archive: ${errorMessage(err)}`);
    }
    try {
      const entries = await new Promise<yauzl.Entry[]>((res, rej) => {
        const out: yauzl.Entry[] = [];
        zip.on('entry', (e: yauzl.Entry) => { out.push(e); zip.readEntry(); });
        zip.on('end', () => res(out));
        zip.on('error', rej);
        zip.readEntry();
      });
      const open = (e: yauzl.Entry) => new Promise<Readable>((res, rej) => zip.openReadStream(e, (err, s) => (err ? rej(err) : res(s!))));
      for (const e of entries.sort((a, b) => a.fileName.localeCompare(b.fileName))) {
        if (e.fileName.endsWith('/')) continue;
        const file = `${display}/${e.fileName}`;
        const name = basename(e.fileName);
        if (e.fileName.split('/').some(isHidden)) { skipped.push({ file, origin: zipPath, reason: 'hidden file' }); continue; }
        if (e.isEncrypted()) { skipped.push({ file, origin: zipPath, reason: 'encrypted archive entry' }); continue; }
        const { head, complete } = await readStreamHead(await open(e));
        const v = classifyHead(head, complete, name);
        if (v.kind === 'skip') { skipped.push({ file, origin: zipPath, reason: v.reason }); continue; }
        if (v.kind === 'archive') { skipped.push({ file, origin: zipPath, reason: 'an archive inside an archive: unpack the outer one first' }); continue; }
        // Only a recognised history (or a broken .json the importer will refuse) reaches the disk.
        const entryDir = mkdtempSync(join(tempRoot(), 'entry-'));
        const path = join(entryDir, name);
        await pipeline(await open(e), createWriteStream(path, { mode: 0o600 }));
        histories.push({ path, display: file, origin: zipPath, format: v.kind === 'history' ? v.format : null, ...(v.kind === 'history' && v.platform ? { platform: v.platform } : {}) });
      }
    } catch (err) {
      if (err instanceof InputFileError) throw err;
      throw new InputFileError(zipPath, `not a readable .zip archive: ${errorMessage(err)}`);
    } finally {
      zip.close();
    }
  };

  try {
    for (const p of paths) await walk(p, p, true);
  } catch (err) {
    cleanup();
    throw err;
  }
  return { histories, skipped, archives, cleanup };
}

/** An importer error about a temp copy of a zip entry, re-addressed to the entry's name. */
export function readdressError(err: unknown, found: ExportDiscovery): unknown {
  if (!(err instanceof InputFileError)) return err;
  const h = found.histories.find((x) => x.path === err.file && x.display !== x.path);
  if (!h) return err;
  return new InputFileError(h.display, err.message.slice(err.file.length + 2), { cause: err });
}

/** `skipped: <file> (<reason>)` lines for a summary. */
export function skippedLines(skipped: { file: string; reason: string }[]): string[] {
  return skipped.map((s) => `skipped: ${s.file} (${s.reason})`);
}
