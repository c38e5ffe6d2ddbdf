// The registry as `lakehouse listeners list` shows it: each listener with their stored play count and
// whether Spotify tokens are stored for them. Listeners who have plays but no registry row (older
// lakes) are listed too, with status "unregistered".
import type { LakeSession } from '../lib/session.ts';
import { relationExists } from '../lib/lake.ts';
import { queryRows } from '../lib/duckdb.ts';
import { TokenStore } from '../ingestion/spotify/tokens.ts';
import { readListeners, type ListenerRow } from '../bronze/listener-registry.ts';
import { DEFAULT_STUDY } from '../lib/study-id.ts';

export interface ListedListener extends Omit<ListenerRow, 'status' | 'created_at'> {
  created_at: string | null;
  status: ListenerRow['status'] | 'unregistered';
  plays: number;
  spotify_connected: boolean;
}

export async function listListeners(s: LakeSession): Promise<ListedListener[]> {
  const registry = await readListeners(s.conn);
  const plays = new Map<string, number>();
  if (await relationExists(s.conn, 'bronze', 'listening_history')) {
    const rows = await queryRows<{ listener_id: string; n: number }>(s.conn, 'select listener_id, count(*)::double as n from bronze.listening_history group by 1');
    for (const r of rows) plays.set(r.listener_id, Number(r.n));
  }
  const connected = new Set(TokenStore.fromConfig(s.config).listeners());
  const listed: ListedListener[] = registry.map((r) => ({ ...r, plays: plays.get(r.listener_id) ?? 0, spotify_connected: connected.has(r.listener_id) }));
  const known = new Set(registry.map((r) => r.listener_id));
  for (const id of [...plays.keys(), ...connected].filter((i) => !known.has(i)).sort()) {
    if (listed.some((l) => l.listener_id === id)) continue;
    listed.push({
      listener_id: id, display_label: null, timezone: s.config.timezone, created_at: null, consent_recorded_at: null,
      status: 'unregistered', timezone_source: null, study_id: DEFAULT_STUDY, plays: plays.get(id) ?? 0, spotify_connected: connected.has(id),
    });
  }
  return listed.sort((a, b) => a.listener_id.localeCompare(b.listener_id));
}
