// The prediction tables are written in groups of listeners, as silver is: each of them sorts every
// play by (listener_id, played_at, event_id), and at 10M plays in 2 GB one such sort spilled to disk
// and took most of the table's time. Every rule of the three tables is per listener (the splits, the
// cutoffs, the baselines, the predictions of a feature vector), so the groups' rows together are
// exactly the whole statement's, and groups in listener order written in order keep the table sorted.
import type { BuildContext } from '../../lib/build-context.ts';
import { queryRows } from '../../lib/duckdb.ts';
import { groupFilter, groupsByPlays, memoryLimitBytes, type ListenerGroup } from '../../silver/listening_with_features.ts';

/** Plays per group for each GiB of DuckDB's memory limit. */
export const PREDICTION_PLAYS_PER_GIB = 1_000_000;

/**
 * Groups of listeners of at most `playsPerPart` plays of silver (a listener is never split), as
 * listener_id ranges in listener order. None (write the statement whole) when everything fits,
 * and when the transaction's tables are not DuckDB's to write in parts (another engine, a study).
 */
export async function listenerParts(ctx: BuildContext, playsPerPart?: number): Promise<ListenerGroup[]> {
  if (ctx.tx.remote || ctx.tx.scope) return [];
  const budget = playsPerPart ?? Math.max(100_000, Math.floor((await memoryLimitBytes(ctx)) / 2 ** 30 * PREDICTION_PLAYS_PER_GIB));
  const groups = groupsByPlays(await queryRows<{ listener_id: string; n: number }>(ctx.conn,
    'select listener_id, count(*)::double as n from silver.listening_with_features group by listener_id order by listener_id'), budget);
  return groups.length < 2 ? [] : groups.map((ids) => ({ lo: ids[0], hi: ids[ids.length - 1] }));
}

/** The SQL filter of a group's plays (`and …`), or nothing for the whole statement. */
export function partFilter(part: ListenerGroup | undefined, column = 'listener_id'): string {
  return part ? groupFilter(column, part) : '';
}

/** The same as a WHERE clause of its own. */
export function partWhere(part: ListenerGroup | undefined, column = 'listener_id'): string {
  return part ? ` where true${groupFilter(column, part)}` : '';
}
