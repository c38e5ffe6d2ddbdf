// The scheduler's Last.fm stage: every listener linked to a Last.fm user (`lakehouse ingest lastfm
// --user`), one transaction each from their stored cursor; a failure of one does not stop the others
// (requests are already retried with backoff by the HTTP layer, as for Spotify).
import type { LakeSession } from '../lib/session.ts';
import { readCatalog } from '../lib/lake.ts';
import { errorMessage } from '../lib/errors.ts';
import type { FetchLike, RetryPolicy } from '../lib/http.ts';
import { readListeners } from '../bronze/listener-registry.ts';
import { ingestLastfm, lastfmListeners, type LastfmIngestSummary } from '../ingestion/lastfm/api.ts';
import { changedTables, type StageResult } from './stages.ts';

export interface LastfmStageOptions {
  policy?: Partial<RetryPolicy>;
  fetchImpl?: FetchLike;
  /** Only these linked listeners (run --study). */
  only?: (listener: string) => boolean;
}

export interface LastfmStageSummary {
  listeners: (Partial<LastfmIngestSummary> & { listener_id: string; status: 'ok' | 'failed' | 'skipped'; error?: string })[];
  rows_added: number;
}

/** Whether the stage has anything to do: an API key and at least one linked listener. */
export function lastfmStageWanted(session: LakeSession): boolean {
  return !!session.config.lastfm.apiKey && lastfmListeners(session.config.dataDir).length > 0;
}

export async function lastfmStage(session: LakeSession, o: LastfmStageOptions = {}): Promise<StageResult<LastfmStageSummary>> {
  const started = Date.now();
  const before = readCatalog(session.config.dataDir);
  const inactive = new Set((await readListeners(session.conn)).filter((l) => l.status !== 'active').map((l) => l.listener_id));
  const out: LastfmStageSummary = { listeners: [], rows_added: 0 };
  for (const listener of lastfmListeners(session.config.dataDir).filter((l) => !o.only || o.only(l))) {
    if (inactive.has(listener)) { out.listeners.push({ listener_id: listener, status: 'skipped' }); continue; }
    try {
      const s = await ingestLastfm(session, session.config, { listener, policy: o.policy, fetchImpl: o.fetchImpl });
      out.listeners.push({ ...s, status: 'ok' });
      out.rows_added += s.rows_added;
    } catch (err) {
      out.listeners.push({ listener_id: listener, status: 'failed', error: errorMessage(err) });
      session.log.error({ listener, error: errorMessage(err) }, 'Last.fm ingest failed for listener');
    }
  }
  return { stage: 'ingest lastfm', duration_ms: Date.now() - started, tables: changedTables(before, session.config.dataDir), detail: out };
}
