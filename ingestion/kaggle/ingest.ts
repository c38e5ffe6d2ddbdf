// Loads a Kaggle CSV into bronze.kaggle_tracks (append-only, deduplicated on the Kaggle row index
// and track id) and its rejects into bronze.rejected_rows, both in the caller's transaction.
import type { BuildContext } from '../../lib/build-context.ts';
import { loadRows, type AppendColumn } from '../../lib/appender.ts';
import { relationExists } from '../../lib/lake.ts';
import kaggleTracks, { kaggleColumns } from '../../bronze/kaggle_tracks.ts';
import { writeRejects, utcNow } from '../../bronze/write-rejects.ts';
import { openKaggleFile, readKaggleRows, type KaggleReject } from './source.ts';
import { KAGGLE_HEADER } from './parse.ts';

export interface KaggleIngestSummary {
  file: string;
  rows_read: number;
  rows_added: number;
  rows_rejected: number;
  rejects_added: number;
  reject_reasons: Record<string, number>;
}

const INCOMING: AppendColumn[] = [
  ...['kaggle_index', ...KAGGLE_HEADER].map((name) => ({ name, type: kaggleColumns.find((c) => c.name === name)!.type as AppendColumn['type'] })),
  { name: 'source_row', type: 'BIGINT' },
];

export async function ingestKaggle(ctx: BuildContext, path: string): Promise<KaggleIngestSummary> {
  const file = await openKaggleFile(path);
  const rejects: KaggleReject[] = [];
  const read = await loadRows(ctx.conn, '_kaggle_incoming', INCOMING, readKaggleRows(file, rejects));
  const exists = await relationExists(ctx.conn, 'bronze', 'kaggle_tracks');
  const before = exists ? Number((await ctx.conn.runAndReadAll('select count(*)::double from bronze.kaggle_tracks')).getRowsJS()[0][0]) : 0;
  const cols = ['kaggle_index', ...KAGGLE_HEADER].join(', ');
  const meta = await ctx.tx.write(kaggleTracks, {
    mode: 'append',
    sql: `select ${cols}, $file as source_file, $sha as file_sha256, source_row, $now::timestamp as ingested_at, $run as run_id
          from _kaggle_incoming i
          ${exists ? 'where not exists (select 1 from bronze.kaggle_tracks b where b.kaggle_index = i.kaggle_index and b.track_id = i.track_id)' : ''}
          qualify row_number() over (partition by kaggle_index, track_id order by source_row) = 1`,
    params: { file: file.name, sha: file.sha256, now: utcNow(), run: ctx.runId },
    orderBy: 'kaggle_index, track_id',
  });
  const rejectsAdded = await writeRejects(ctx, rejects.map((r) => ({
    source: 'kaggle_csv', sourceFile: file.name, fileSha256: file.sha256, sourceRow: r.sourceRow,
    listenerId: null, field: r.field, reason: r.reason, rawLine: r.rawLine,
  })));
  await ctx.conn.run('drop table if exists _kaggle_incoming');
  const reasons: Record<string, number> = {};
  for (const r of rejects) reasons[r.field ?? 'record'] = (reasons[r.field ?? 'record'] ?? 0) + 1;
  return { file: path, rows_read: read + rejects.length, rows_added: meta.rows - before, rows_rejected: rejects.length, rejects_added: rejectsAdded, reject_reasons: reasons };
}
