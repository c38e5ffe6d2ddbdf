// The listener registry (bronze.listeners): registering listeners on first import and reading their
// time zones. The table is small and rewritten whole.
import type { BuildContext } from '../lib/build-context.ts';
import type { DuckDBConnection } from '../lib/duckdb.ts';
import { queryRows } from '../lib/duckdb.ts';
import { relationExists } from '../lib/lake.ts';
import { isValidTimeZone } from '../lib/config.ts';
import { UsageError } from '../lib/errors.ts';
import { checkListenerId } from '../lib/listener-id.ts';
import { DEFAULT_STUDY } from '../lib/study-id.ts';
import { readErasureMarker } from '../lib/erasure-marker.ts';
import listeners from './listeners.ts';
import { loadRows, type AppendColumn } from '../lib/appender.ts';
import { utcNow } from './write-rejects.ts';

export interface ListenerRow {
  listener_id: string;
  display_label: string | null;
  timezone: string;
  created_at: string;
  consent_recorded_at: string | null;
  status: 'active' | 'paused' | 'withdrawn';
  /** Whether the time zone was given or defaulted to LAKEHOUSE_TIMEZONE (null: registered before this was recorded). */
  timezone_source: 'given' | 'default' | 'file' | null;
  /** The listener's study (DEFAULT_STUDY unless given; also for versions written before studies). */
  study_id: string;
}

/** A row as written: a row without study_id is in DEFAULT_STUDY. */
export type ListenerInput = Omit<ListenerRow, 'study_id'> & { study_id?: string | null };

const REGISTRY_COLUMNS: AppendColumn[] = ['listener_id', 'display_label', 'timezone', 'created_at', 'consent_recorded_at', 'status', 'timezone_source', 'study_id'].map((name) => ({ name, type: 'VARCHAR' }));

export { listenerIdProblem } from '../lib/listener-id.ts';

export function checkTimeZone(tz: string): string {
  if (!isValidTimeZone(tz)) throw new UsageError(`--timezone: "${tz}" is not an IANA time zone (e.g. Europe/Berlin)`);
  return tz;
}

export async function readListeners(conn: DuckDBConnection): Promise<ListenerRow[]> {
  if (!(await relationExists(conn, 'bronze', 'listeners'))) return [];
  const rows = await queryRows<ListenerRow>(conn, 'select * from bronze.listeners order by listener_id');
  // Versions written before timezone_source (or study_id) existed lack the column; the next write adds it.
  return rows.map((r) => ({ ...r, timezone_source: r.timezone_source ?? null, study_id: r.study_id ?? DEFAULT_STUDY }));
}

/** True when the current bronze.listeners has a study_id column (versions written before studies do not). */
export async function registryHasStudyColumn(conn: DuckDBConnection): Promise<boolean> {
  if (!(await relationExists(conn, 'bronze', 'listeners'))) return false;
  const rows = await queryRows<{ n: number }>(conn,
    "select count(*)::integer as n from information_schema.columns where table_schema = 'bronze' and table_name = 'listeners' and column_name = 'study_id'");
  return Number(rows[0].n) > 0;
}

/** SQL select of (listener_id, study_id) over the registry, old versions read as DEFAULT_STUDY; null when there is no registry. */
export async function listenerStudiesSql(conn: DuckDBConnection): Promise<string | null> {
  if (!(await relationExists(conn, 'bronze', 'listeners'))) return null;
  const study = (await registryHasStudyColumn(conn)) ? `coalesce(study_id, '${DEFAULT_STUDY}')` : `'${DEFAULT_STUDY}'`;
  return `select listener_id, ${study} as study_id from bronze.listeners`;
}

/** Rewrites bronze.listeners with these rows in the caller's transaction. */
export async function writeListeners(ctx: BuildContext, rows: ListenerInput[]): Promise<void> {
  await loadRows(ctx.conn, '_listeners_incoming', REGISTRY_COLUMNS,
    rows.map((r) => [r.listener_id, r.display_label, r.timezone, r.created_at, r.consent_recorded_at, r.status, r.timezone_source, r.study_id ?? DEFAULT_STUDY]));
  await ctx.tx.write(listeners, {
    sql: `select listener_id, display_label, timezone, created_at::timestamp as created_at,
                 consent_recorded_at::timestamp as consent_recorded_at, status, timezone_source, study_id
          from _listeners_incoming`,
    orderBy: 'listener_id',
  });
}

/**
 * Registers listeners that are not in the registry yet, with the given time zone or the default.
 * An existing listener keeps its time zone (change it with `lakehouse listeners set`). A paused or
 * withdrawn listener is refused: ingestion must not add to their data; so is a listener whose erasure
 * was interrupted (lib/erasure-marker.ts).
 */
export async function ensureListeners(ctx: BuildContext, wanted: { id: string; timezone?: string; timezoneSource?: 'file'; study?: string }[]): Promise<{ rows: ListenerRow[]; added: string[] }> {
  const erasing = readErasureMarker(ctx.config.dataDir);
  const refused = wanted.find((w) => w.id === erasing?.listener_id);
  if (refused) {
    throw new UsageError(`listener ${refused.id}: their erasure started at ${erasing!.started_at} was interrupted; nothing is imported for them (complete it with \`lakehouse listeners delete ${refused.id} --confirm\`)`);
  }
  const current = await readListeners(ctx.conn);
  const byId = new Map(current.map((l) => [l.listener_id, l]));
  const added: string[] = [];
  for (const w of wanted) {
    const existing = byId.get(w.id);
    if (existing) {
      if (existing.status !== 'active') {
        throw new UsageError(`listener ${w.id} is ${existing.status}: nothing is imported for them (resume with \`lakehouse listeners resume ${w.id}\`)`);
      }
      if (w.timezone && w.timezone !== existing.timezone) {
        ctx.log.warn({ listener: w.id, stored: existing.timezone, given: w.timezone }, 'listener already registered with another time zone; keeping the stored one (use `lakehouse listeners set`)');
      }
      if (w.study && w.study !== existing.study_id) {
        ctx.log.warn({ listener: w.id, stored: existing.study_id, given: w.study }, `listener already registered in study ${existing.study_id}; keeping it (move them with \`lakehouse listeners set ${w.id} --study ${w.study}\`)`);
      }
      continue;
    }
    // The registry is where the id rule is enforced for every import path (exports, Spotify, demo).
    checkListenerId(w.id, 'listener');
    const row: ListenerRow = {
      listener_id: w.id, display_label: null, timezone: w.timezone ?? ctx.config.timezone, created_at: utcNow(),
      consent_recorded_at: null, status: 'active', timezone_source: w.timezone ? w.timezoneSource ?? 'given' : 'default',
      study_id: w.study ?? DEFAULT_STUDY,
    };
    byId.set(w.id, row);
    added.push(w.id);
    ctx.log.info({ listener: w.id, timezone: row.timezone, timezone_source: row.timezone_source },
      row.timezone_source !== 'default' ? `new listener ${w.id}: time zone ${row.timezone} (${row.timezone_source === 'file' ? 'from the UTC offset in their Apple Music file' : 'given'})` : `new listener ${w.id}: time zone ${row.timezone} (defaulted to LAKEHOUSE_TIMEZONE; set it with \`lakehouse listeners set ${w.id} --timezone <zone>\`)`);
  }
  const rows = [...byId.values()].sort((a, b) => a.listener_id.localeCompare(b.listener_id));
  if (added.length > 0) await writeListeners(ctx, rows);
  return { rows, added };
}
