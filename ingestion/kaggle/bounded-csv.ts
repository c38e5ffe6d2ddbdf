// Streams a CSV file into csv-parse in bounded memory and keeps the bytes as they are: a line longer
// than MAX_LINE_BYTES (e.g. a 100 MB file without a newline) stops the read at once, and fields
// arrive as bytes so that invalid UTF-8 can be quarantined instead of silently becoming U+FFFD.
// The bytes travel as latin1 strings (one character per byte, lossless): csv-parse's `encoding: null`
// crashes while building its own error messages.
import { createReadStream } from 'node:fs';
import { isUtf8 } from 'node:buffer';
import { pipeline, Transform, type TransformCallback } from 'node:stream';
import { parse, type Parser } from 'csv-parse';

/** Longest physical line, and longest field, accepted (the real file's longest line is 554 bytes). */
export const MAX_LINE_BYTES = 64 * 1024;
/** Error messages quote at most this many characters of file content. */
export const EXCERPT_CHARS = 200;

export class LineTooLongError extends Error {
  constructor(readonly line: number) {
    super(`line ${line} is longer than ${MAX_LINE_BYTES.toLocaleString('en-US')} bytes (no line break?): not a Kaggle CSV`);
  }
}

/** Drops a UTF-8 BOM and fails as soon as a line (ended by CR or LF) exceeds MAX_LINE_BYTES. */
class LineGuard extends Transform {
  private lineBytes = 0;
  private line = 1;
  private first = true;

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    let buf = chunk;
    if (this.first) {
      this.first = false;
      if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) buf = buf.subarray(3);
    }
    for (let i = 0; i < buf.length; i++) {
      const b = buf[i];
      if (b === 0x0a || b === 0x0d) {
        if (b === 0x0a || buf[i + 1] !== 0x0a) this.line++;
        this.lineBytes = 0;
      } else if (++this.lineBytes > MAX_LINE_BYTES) {
        return done(new LineTooLongError(this.line));
      }
    }
    done(null, buf);
  }
}

/** A csv-parse stream over `path` whose records are arrays of byte strings (see bytesOf), with raw and info. */
export function openCsv(path: string, options: { toLine?: number } = {}): Parser {
  const parser = parse({
    encoding: 'latin1', bom: false, relax_column_count: true, raw: true, info: true, skip_empty_lines: true,
    max_record_size: MAX_LINE_BYTES, ...(options.toLine ? { to_line: options.toLine } : {}),
  });
  pipeline(createReadStream(path), new LineGuard(), parser, () => { /* errors surface on the parser */ });
  return parser;
}

/** A record as openCsv yields it: each string holds one character per byte of the file. */
export type ByteRecord = { record: string[]; raw: string; info: { records: number; lines: number } };

const NON_ASCII = /[^\x00-\x7f]/;

/** The bytes a latin1 string of openCsv stands for. */
export function bytesOf(s: string): Buffer {
  return Buffer.from(s, 'latin1');
}

/** The text of a byte string holding valid UTF-8, or null. */
export function utf8Text(s: string): string | null {
  return NON_ASCII.test(s) ? decodeUtf8(bytesOf(s)) : s;
}

const asBuffer = (u: Uint8Array): Buffer => Buffer.from(u.buffer, u.byteOffset, u.byteLength);

/** The text of valid UTF-8 bytes, or null. */
export function decodeUtf8(bytes: Uint8Array): string | null {
  return isUtf8(bytes) ? asBuffer(bytes).toString('utf8') : null;
}

/** Text for display: valid UTF-8 decoded, each invalid byte written as \xNN. */
export function showBytes(bytes: Uint8Array): string {
  const valid = decodeUtf8(bytes);
  if (valid !== null) return valid;
  let out = '';
  let start = 0;
  let i = 0;
  while (i < bytes.length) {
    const len = utf8SequenceLength(bytes, i);
    if (len > 0) { i += len; continue; }
    out += asBuffer(bytes.subarray(start, i)).toString('utf8') + `\\x${bytes[i].toString(16).padStart(2, '0').toUpperCase()}`;
    start = ++i;
  }
  return out + asBuffer(bytes.subarray(start)).toString('utf8');
}

/** Length of the valid UTF-8 sequence starting at `i`, or 0. */
function utf8SequenceLength(b: Uint8Array, i: number): number {
  for (const len of [1, 2, 3, 4]) if (i + len <= b.length && isUtf8(b.subarray(i, i + len))) return len;
  return 0;
}

/** Byte offset of the first invalid UTF-8 sequence (bytes must be invalid). */
export function firstInvalidByte(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const len = utf8SequenceLength(bytes, i);
    if (len === 0) return i;
    i += len;
  }
  return i;
}

/** `s` cut to EXCERPT_CHARS characters, marking the cut. */
export function excerpt(s: string, max = EXCERPT_CHARS): string {
  return s.length <= max ? s : `${s.slice(0, max)}… (${(s.length - max).toLocaleString('en-US')} more characters)`;
}

/** A csv-parse or read error as a short message of our own; never the whole line. */
export function describeCsvError(err: unknown): string {
  if (err instanceof LineTooLongError) return err.message;
  const e = err as Error & { code?: string; lines?: number };
  const at = e.lines ? ` at line ${e.lines}` : '';
  switch (e.code) {
    case 'CSV_MAX_RECORD_SIZE': return `a field${at} is longer than ${MAX_LINE_BYTES.toLocaleString('en-US')} bytes: not a Kaggle CSV`;
    case 'CSV_QUOTE_NOT_CLOSED': return `malformed CSV: a quoted field is never closed (reached the end of the file${at})`;
    case 'INVALID_OPENING_QUOTE': return `malformed CSV${at}: a quote inside an unquoted field`;
    case 'CSV_INVALID_CLOSING_QUOTE': return `malformed CSV${at}: a closing quote followed by other characters`;
    case 'ENOENT': return 'no such file';
    case 'EISDIR': return 'is a directory, not a CSV file';
    case 'EACCES': return 'permission denied';
    default: return `cannot read the CSV${at}: ${excerpt(e.message ?? String(err))}`;
  }
}
