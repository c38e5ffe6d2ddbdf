// Reads a Kaggle Spotify Tracks CSV: checks the header, streams the records through csv-parse and
// yields each one as parsed values or as a reject with its raw line.
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { parse } from 'csv-parse';
import { InputFileError } from '../../lib/errors.ts';
import { fileSha256, requireInputFile } from '../../lib/files.ts';
import { checkHeader, parseRecord, type HeaderCheck } from './parse.ts';
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
}

type CsvRecord = { record: string[]; raw: string; info: { records: number; lines: number } };

export async function openKaggleFile(path: string): Promise<KaggleFile> {
  requireInputFile(path);
  const sha256 = await fileSha256(path);
  const header = await readHeader(path);
  return { path, name: basename(path), sha256, header };
}

async function readHeader(path: string): Promise<HeaderCheck> {
  const parser = createReadStream(path).pipe(parse({ bom: true, to_line: 1, relax_column_count: true }));
  let first: string[] | undefined;
  try {
    for await (const rec of parser) first ??= rec as string[];
  } catch (err) {
    throw new InputFileError(path, `cannot read the CSV header: ${(err as Error).message}`);
  }
  if (!first) throw new InputFileError(path, 'empty file: no CSV header');
  const header = checkHeader(first);
  if (header.missing.length > 0) {
    throw new InputFileError(path, `wrong CSV header: missing column(s) ${header.missing.join(', ')} (found: ${first.join(', ')})`);
  }
  return header;
}

/** Yields the valid rows' values; rejects are pushed onto `rejects`. */
export async function* readKaggleRows(file: KaggleFile, rejects: KaggleReject[]): AsyncGenerator<AppendValue[]> {
  const expectedFields = file.header.positions.length + (file.header.indexColumn >= 0 ? 1 : 0);
  const parser = createReadStream(file.path).pipe(
    parse({ bom: true, from_line: 2, relax_column_count: true, raw: true, info: true, skip_empty_lines: true }),
  );
  try {
    for await (const { record, raw, info } of parser as AsyncIterable<CsvRecord>) {
      const parsed = parseRecord(record, file.header, expectedFields, info.records);
      if (parsed.ok) yield [...parsed.values, info.records];
      else rejects.push({ sourceRow: info.records, field: parsed.field, reason: parsed.reason, rawLine: raw.replace(/\r?\n$|\r$/, '') });
    }
  } catch (err) {
    const e = err as Error & { lines?: number };
    throw new InputFileError(file.path, `malformed CSV${e.lines ? ` at line ${e.lines}` : ''}: ${e.message}`);
  }
}
