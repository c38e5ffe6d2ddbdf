// The prediction tables are written in groups of listeners, as silver is: each of them sorts every
// play by (listener_id, played_at, event_id), and at 10M plays in 2 GB one such sort spilled to disk
// and took most of the table's time. Every rule of the three tables is per listener (the splits, the
// cutoffs, the baselines, the predictions of a feature vector), so the groups' rows together are
// exactly the whole statement's, and groups in listener order written in order keep the table sorted.
import type { BuildContext } from '../../lib/build-context.ts';
import { queryRows } from '../../lib/duckdb.ts';
import { memoryLimitBytes } from '../../silver/listening_with_features.ts';

/** Plays per group for each GiB of DuckDB's memory limit. */
export const PREDICTION_PLAYS_PER_GIB = 1_000_000;

export interface ListenerParts {
  /** temp tables (temp.main.<name>) of listener ids, one per group, in listener order; empty: write whole. */
  tables: string[];
  drop(): Promise<void>;
}

/**
 * Groups of listeners of at most `playsPerPart` plays of silver (a listener is never split), each in
 * a temp table `predictive_part_<i>`. No groups (write the statement whole) when everything fits,
 * and when the transaction's tables are not DuckDB's to write in parts (another engine, a study).
 */
export async function listenerParts(ctx: BuildContext, playsPerPart?: number): Promise<ListenerParts> {
  const none: ListenerParts = { tables: [], drop: async () => {} };
  if (ctx.tx.remote || ctx.tx.scope) return none;
  const budget = playsPerPart ?? Math.max(100_000, Math.floor((await memoryLimitBytes(ctx)) / 2 ** 30 * PREDICTION_PLAYS_PER_GIB));
  const counts = await queryRows<{ listener_id: string; n: number }>(ctx.conn,
    'select listener_id, count(*)::double as n from silver.listening_with_features group by listener_id order by listener_id');
  const groups: { lo: string; hi: string }[] = [];
  let size = Number.POSITIVE_INFINITY;
  for (const { listener_id, n } of counts) {
    if (size + n > budget && size > 0) {
      groups.push({ lo: listener_id, hi: listener_id });
      size = 0;
    }
    groups[groups.length - 1].hi = listener_id;
    size += n;
  }
  if (groups.length < 2) return none;
  const tables = groups.map((_, i) => `predictive_part_${i}`);
  for (const [i, { lo, hi }] of groups.entries()) {
    await ctx.conn.run(`create or replace temp table ${tables[i]} as
      select distinct listener_id from silver.listening_with_features where listener_id between $lo and $hi`, { lo, hi });
  }
  return { tables, drop: async () => { for (const t of tables) await ctx.conn.run(`drop table if exists temp.main.${t}`); } };
}

/** The SQL filter of a group's plays (`and …`), or nothing for the whole statement. */
export function partFilter(part: string | undefined, column = 'listener_id'): string {
  return part ? ` and ${column} in (select listener_id from temp.main.${part})` : '';
}

/** The same as a WHERE clause of its own. */
export function partWhere(part: string | undefined, column = 'listener_id'): string {
  return part ? ` where ${column} in (select listener_id from temp.main.${part})` : '';
}
