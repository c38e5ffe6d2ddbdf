// Reads a Kaggle Spotify Tracks CSV: checks the header, streams the records through csv-parse in
// bounded memory and yields each one as parsed values or as a reject with its raw line.
import { basename } from 'node:path';
import { InputFileError } from '../../lib/errors.ts';
import { fileSha256, requireInputFile } from '../../lib/files.ts';
import { checkHeader, parseRecord, KAGGLE_HEADER, type HeaderCheck } from './parse.ts';
import { openCsv, utf8Text, bytesOf, showBytes, firstInvalidByte, describeCsvError, excerpt, type ByteRecord } from './bounded-csv.ts';
import type { AppendValue } from '../../lib/appender.ts';

export interface KaggleReject {
  sourceRow: number;
  field: string | null;
  reason: string;
  rawLine: string;
}

export interface KaggleFile {
  path: string;
  name: string;
  sha256: string;
  header: HeaderCheck;
  /** Column names as in the file, for naming the field of a reject. */
  columns: string[];
}

export async function openKaggleFile(path: string): Promise<KaggleFile> {
  requireInputFile(path);
  const columns = await readHeader(path);
  const header = checkHeader(columns);
  const wrong = [
    header.duplicated.length > 0 ? `duplicated column(s) ${header.duplicated.map((c) => c || `""`).join(', ')}` : '',
    header.missing.length > 0 ? `missing column(s) ${header.missing.join(', ')}` : '',
    header.unexpected.length > 0 ? `unexpected column(s) ${excerpt(header.unexpected.map((c) => JSON.stringify(c)).join(', '))}` : '',
  ].filter(Boolean);
  if (wrong.length > 0) throw new InputFileError(path, `wrong CSV header: ${wrong.join('; ')} (found: ${excerpt(columns.join(', '))})`);
  let sha256: string;
  try {
    sha256 = await fileSha256(path);
  } catch (err) {
    throw new InputFileError(path, describeCsvError(err), { cause: err });
  }
  return { path, name: basename(path), sha256, header, columns };
}

async function readHeader(path: string): Promise<string[]> {
  const parser = openCsv(path, { toLine: 1 });
  let first: ByteRecord | undefined;
  try {
    for await (const rec of parser as AsyncIterable<ByteRecord>) {
      first = rec;
      break;
    }
  } catch (err) {
    throw new InputFileError(path, `cannot read the CSV header: ${describeCsvError(err)}`, { cause: err });
  } finally {
    parser.destroy();
  }
  if (!first) throw new InputFileError(path, 'empty file: no CSV header');
  const names = first.record.map(utf8Text);
  if (names.some((n) => n === null)) throw new InputFileError(path, `the CSV header is not valid UTF-8: ${excerpt(showBytes(bytesOf(first.raw)))}`);
  return names as string[];
}

/** Yields the valid rows' values; rejects are pushed onto `rejects`. */
export async function* readKaggleRows(file: KaggleFile, rejects: KaggleReject[]): AsyncGenerator<AppendValue[]> {
  const parser = openCsv(file.path);
  let headerSeen = false;
  try {
    for await (const { record, raw, info } of parser as AsyncIterable<ByteRecord>) {
      if (!headerSeen) { headerSeen = true; continue; }
      const sourceRow = info.records - 1;
      const rawLine = (utf8Text(raw) ?? showBytes(bytesOf(raw))).replace(/\r?\n$|\r$/, '');
      const fields = record.map(utf8Text);
      const bad = fields.indexOf(null);
      if (bad >= 0) {
        const field = record.length === file.columns.length ? columnName(file, bad) : null;
        rejects.push({ sourceRow, field, reason: `invalid UTF-8 in ${field ?? `field ${bad + 1}`} at byte ${firstInvalidByte(bytesOf(record[bad]))}`, rawLine });
        continue;
      }
      const parsed = parseRecord(fields as string[], file.header, file.columns.length, sourceRow);
      if (parsed.ok) yield [...parsed.values, sourceRow];
      else rejects.push({ sourceRow, field: parsed.field, reason: parsed.reason, rawLine });
    }
  } catch (err) {
    throw new InputFileError(file.path, describeCsvError(err), { cause: err });
  } finally {
    parser.destroy();
  }
}

function columnName(file: KaggleFile, i: number): string {
  if (i === file.header.indexColumn) return 'index';
  const k = file.header.positions.indexOf(i);
  return k >= 0 ? KAGGLE_HEADER[k] : `field ${i + 1}`;
}
