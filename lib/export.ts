// `lakehouse export`: one table (optionally filtered) or one query, written as CSV, JSON, NDJSON or
// Parquet to a file or to stdout, streaming. Everything runs on the read-only connection
// (lib/read-only.ts): --where and --sql pass the same parser guard and sandbox as `query`. CSV and
// JSON go through the same chunk writer as `query`, so values look the same in both (local times with
// their offset); Parquet is written by DuckDB's COPY and keeps the column types.
import { createReadStream, createWriteStream, existsSync, renameSync, rmSync, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { basename, dirname, extname, join, resolve, sep } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Config } from './config.ts';
import { quoteIdent, quoteLiteral } from './duckdb.ts';
import { parseQualified, readCatalog } from './lake.ts';
import { prepareReadOnly, withReadOnlyLake } from './read-only.ts';
import { streamResult, type TextSink } from './result-stream.ts';
import { UsageError } from './errors.ts';

export const EXPORT_FORMATS = ['csv', 'json', 'ndjson', 'parquet'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface ExportRequest {
  /** layer.table, or undefined with sql. */
  table?: string;
  where?: string;
  sql?: string;
  format?: string;
  /** A file path; undefined writes to the given stdout sink. */
  out?: string;
}

export interface ExportResult {
  rows: number;
  format: ExportFormat;
  out: string | null;
}

const BY_EXTENSION: Record<string, ExportFormat> = { '.csv': 'csv', '.json': 'json', '.ndjson': 'ndjson', '.jsonl': 'ndjson', '.parquet': 'parquet' };

export function exportFormat(format: string | undefined, out: string | undefined): ExportFormat {
  if (format === undefined) return (out && BY_EXTENSION[extname(out).toLowerCase()]) || 'csv';
  if (!(EXPORT_FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format: expected one of ${EXPORT_FORMATS.join(', ')}, got "${format}"`);
  return format as ExportFormat;
}

/** The statement to export, before the guard checks it. */
export function exportSql(config: Config, req: ExportRequest): { sql: string; what: string } {
  if (req.sql !== undefined) {
    if (req.table !== undefined || req.where !== undefined) throw new UsageError('export: give either <layer.table> [--where …] or --sql, not both');
    return { sql: req.sql, what: '--sql' };
  }
  if (req.table === undefined) throw new UsageError('export: name a table (<layer>.<table>) or give --sql "<select>"');
  const { layer, table } = parseQualified(req.table);
  if (!(`${layer}.${table}` in readCatalog(config.dataDir).tables)) throw new UsageError(`${layer}.${table}: no such table in ${config.dataDir} (see lakehouse tables)`);
  const from = `select * from ${quoteIdent(layer)}.${quoteIdent(table)}`;
  // The newline keeps a trailing -- comment in --where from swallowing the closing parenthesis.
  return { sql: req.where === undefined ? from : `${from} where (${req.where}\n)`, what: req.where === undefined ? 'export' : '--where' };
}

function fileSink(stream: WriteStream): TextSink {
  return {
    write: (text) => (stream.write(text) ? undefined : once(stream, 'drain').then(() => undefined)),
  };
}

async function closeStream(stream: WriteStream): Promise<void> {
  await new Promise<void>((res, rej) => stream.end((err?: Error | null) => (err ? rej(err) : res())));
}

/** Runs an export; text formats stream to `out` (via a temporary file renamed at the end) or to stdout. */
export async function runExport(config: Config, req: ExportRequest, stdout: TextSink): Promise<ExportResult> {
  const format = exportFormat(req.format, req.out);
  if (!existsSync(config.dataDir)) throw new UsageError(`${resolve(config.dataDir)}: data dir does not exist (check --data-dir or LAKEHOUSE_DATA_DIR)`);
  const { sql, what } = exportSql(config, req);
  const out = req.out === undefined ? null : resolve(req.out);
  if (out && !existsSync(dirname(out))) throw new UsageError(`--out ${out}: folder ${dirname(out)} does not exist`);
  const lake = resolve(config.dataDir);
  if (out && (out === lake || out.startsWith(lake + sep))) throw new UsageError(`--out ${out}: inside the data dir ${lake}; export never writes into the lake`);
  const tmp = out
    ? join(dirname(out), `.${basename(out)}.tmp-${process.pid}-${randomBytes(3).toString('hex')}`)
    : join(tmpdir(), `lakehouse-export-${process.pid}-${randomBytes(3).toString('hex')}.parquet`);
  const writable = format === 'parquet' ? [tmp] : [];
  try {
    const rows = await withReadOnlyLake(config, async ({ conn }) => {
      const guarded = await prepareReadOnly(conn, sql, what);
      if (guarded.isExplain) throw new UsageError(`${what}: export needs a query, not EXPLAIN`);
      if (format === 'parquet') {
        const copied = await conn.run(`copy (${guarded.sql}\n) to ${quoteLiteral(tmp)} (format parquet)`);
        return copied.rowsChanged;
      }
      if (!out) return streamResult(conn, guarded, format, stdout);
      const stream = createWriteStream(tmp, { mode: 0o600 });
      try {
        return await streamResult(conn, guarded, format, fileSink(stream));
      } finally {
        await closeStream(stream);
      }
    }, { writablePaths: writable });
    if (out) renameSync(tmp, out);
    else if (format === 'parquet') {
      for await (const chunk of createReadStream(tmp)) {
        if (stdout.closed) break;
        await stdout.write(chunk as Buffer);
      }
    }
    return { rows, format, out };
  } finally {
    rmSync(tmp, { force: true });
  }
}
