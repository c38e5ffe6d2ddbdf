// Appends rejected rows to bronze.rejected_rows inside the caller's transaction, skipping rows of
// the same file content that were rejected before.
import type { BuildContext } from '../lib/build-context.ts';
import { loadRows, type AppendColumn } from '../lib/appender.ts';
import { relationExists } from '../lib/lake.ts';
import rejectedRows from './rejected_rows.ts';

export interface Reject {
  source: string;
  sourceFile: string;
  fileSha256: string;
  sourceRow: number;
  listenerId: string | null;
  field: string | null;
  reason: string;
  rawLine: string;
}

const COLUMNS: AppendColumn[] = [
  { name: 'source', type: 'VARCHAR' }, { name: 'source_file', type: 'VARCHAR' }, { name: 'file_sha256', type: 'VARCHAR' },
  { name: 'source_row', type: 'BIGINT' }, { name: 'listener_id', type: 'VARCHAR' }, { name: 'field', type: 'VARCHAR' },
  { name: 'reason', type: 'VARCHAR' }, { name: 'raw_line', type: 'VARCHAR' },
];

/** Stages rejects from JS (CSV importers); returns how many are new. */
export async function writeRejects(ctx: BuildContext, rejects: Reject[]): Promise<number> {
  await loadRows(ctx.conn, '_rejects_incoming', COLUMNS,
    rejects.map((r) => [r.source, r.sourceFile, r.fileSha256, r.sourceRow, r.listenerId, r.field, r.reason, r.rawLine]));
  return writeRejectsFrom(ctx, '_rejects_incoming');
}

/** Stages rejects already in a temp relation with the COLUMNS above (SQL importers). */
export async function writeRejectsFrom(ctx: BuildContext, relation: string): Promise<number> {
  const exists = await relationExists(ctx.conn, 'bronze', 'rejected_rows');
  const before = exists ? await countRows(ctx) : 0;
  const meta = await ctx.tx.write(rejectedRows, {
    mode: 'append',
    sql: `select source, source_file, file_sha256, source_row, listener_id, field, reason, raw_line,
                 $now::timestamp as rejected_at, $run as run_id
          from ${relation} i
          ${exists ? 'where not exists (select 1 from bronze.rejected_rows b where b.file_sha256 = i.file_sha256 and b.source_row = i.source_row)' : ''}
          qualify row_number() over (partition by file_sha256, source_row order by reason) = 1`,
    params: { now: utcNow(), run: ctx.runId },
    orderBy: 'source_file, source_row',
  });
  return meta.rows - before;
}

async function countRows(ctx: BuildContext): Promise<number> {
  const r = await ctx.conn.runAndReadAll('select count(*)::double from bronze.rejected_rows');
  return Number(r.getRowsJS()[0][0]);
}

/** Current UTC time as a TIMESTAMP literal DuckDB accepts. */
export function utcNow(): string {
  return new Date().toISOString().replace('T', ' ').replace('Z', '');
}
