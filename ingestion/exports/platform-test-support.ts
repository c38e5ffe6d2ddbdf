// Test support for the other platforms' importers: import one real file (or folder) as a listener
// and read back what bronze holds for it.
import { withReader, withWriter } from '../../lib/session.ts';
import { silentLogger } from '../../lib/logger.ts';
import { queryRows } from '../../lib/duckdb.ts';
import type { Config } from '../../lib/config.ts';
import { ingestExports, type ExportIngestSummary } from './ingest.ts';

export async function importAs(config: Config, paths: string[], listener: string, tz?: string): Promise<ExportIngestSummary> {
  return withWriter(config, silentLogger, 'test', async (s) => {
    const tx = s.begin();
    const r = await ingestExports(s.context(tx), paths, listener, tz);
    await tx.commit();
    return r;
  });
}

export async function lakeRows<T>(config: Config, sql: string, params?: Record<string, string>): Promise<T[]> {
  return withReader(config, silentLogger, (s) => queryRows<T>(s.conn, sql, params));
}

/** Rejected rows of a listener per reason prefix (up to the first colon). */
export async function rejectsByReason(config: Config, listener: string): Promise<Record<string, number>> {
  const rows = await lakeRows<{ r: string; n: number }>(config,
    "select split_part(reason, ':', 1) as r, count(*)::integer as n from bronze.rejected_rows where listener_id = $l group by all order by all", { l: listener });
  return Object.fromEntries(rows.map((x) => [x.r, x.n]));
}
