// `run --study <id>` and `build silver|gold --study <id>`: which listeners a study has, refusing an
// unknown study (usage error naming the known ones), and the listener scope the writer uses to build
// silver and gold for those listeners only while carrying every other listener's rows over unchanged
// (lib/listener-scope.ts). A listener without a registry row counts as study 'default', as in
// silver.listener_studies' readers.
import type { LakeSession } from '../lib/session.ts';
import type { DuckDBConnection } from '../lib/duckdb.ts';
import { queryRows } from '../lib/duckdb.ts';
import { relationExists } from '../lib/lake.ts';
import { UsageError } from '../lib/errors.ts';
import { DEFAULT_STUDY, checkStudyId } from '../lib/study-id.ts';
import { readListeners } from '../bronze/listener-registry.ts';

export const SCOPE_TABLE = '_listener_scope';

/** The studies of the registry, plus 'default' (where every new listener lands), sorted. */
export async function knownStudies(conn: DuckDBConnection): Promise<string[]> {
  const studies = new Set((await readListeners(conn)).map((l) => l.study_id));
  studies.add(DEFAULT_STUDY);
  return [...studies].sort();
}

/** Checks the id's form and that the study exists (or will, e.g. the demo's studies: `extra`). */
export async function checkStudy(conn: DuckDBConnection, study: string, extra: readonly string[] = []): Promise<string> {
  checkStudyId(study);
  const known = [...new Set([...(await knownStudies(conn)), ...extra])].sort();
  if (!known.includes(study)) throw new UsageError(`--study ${study}: no listener is registered in that study; known studies: ${known.join(', ')} (set a listener's study with \`lakehouse listeners set <id> --study ${study}\`)`);
  return study;
}

/** Whether a listener belongs to the study by the current registry (unregistered = default). */
export async function studyMembership(conn: DuckDBConnection, study: string): Promise<(listener: string) => boolean> {
  const byId = new Map((await readListeners(conn)).map((l) => [l.listener_id, l.study_id]));
  return (listener) => (byId.get(listener) ?? DEFAULT_STUDY) === study;
}

/**
 * Scopes every transaction the session begins from now on to the study's listeners (as the registry
 * has them now, after ingestion): a temp table of their ids and session.listenerScope. Returns the ids.
 */
export async function scopeToStudy(session: LakeSession, study: string): Promise<string[]> {
  const { conn } = session;
  const registered = (await readListeners(conn)).map((l) => ({ id: l.listener_id, study: l.study_id }));
  const known = new Set(registered.map((r) => r.id));
  const played = (await relationExists(conn, 'bronze', 'listening_history'))
    ? (await queryRows<{ listener_id: string }>(conn, 'select distinct listener_id from bronze.listening_history')).map((r) => r.listener_id)
    : [];
  const ids = [...registered.filter((r) => r.study === study).map((r) => r.id), ...(study === DEFAULT_STUDY ? played.filter((id) => !known.has(id)) : [])].sort();
  await conn.run(`create or replace temp table ${SCOPE_TABLE} (listener_id varchar)`);
  for (const id of ids) await conn.run(`insert into ${SCOPE_TABLE} values ($1)`, [id]);
  session.listenerScope = { label: `study ${study}`, table: SCOPE_TABLE };
  session.log.info({ study, listeners: ids.length }, `building for study ${study} only (${ids.length} listener${ids.length === 1 ? '' : 's'}); the other studies' rows are carried over unchanged`);
  return ids;
}
