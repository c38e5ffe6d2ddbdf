// silver.listening_sessions: the sessions of silver.listening_with_features, one row each. Built in
// the silver stage right after the events, from the same definitions (30-minute gap, streams, skips).
import { defineTable } from '../lib/table-spec.ts';
import type { BuildContext } from '../lib/build-context.ts';
import type { TableVersionMeta } from '../lib/lake.ts';
import { groupFilter, withListenerGroups, type ListenerGroup } from './listening_with_features.ts';

const spec = defineTable({
  layer: 'silver',
  name: 'listening_sessions',
  grainSentence: 'one row per listener and listening session',
  grain: ['listener_id', 'session_id'],
  description:
    'Listening sessions: runs of plays with no gap above 30 minutes (start of a play minus end of the previous one), with their plays, streams (>= 30 s), skips (only where the source reports them), minutes and variety. Rests on real event data only, never on audio features.',
  columns: [
    { name: 'listener_id', type: 'VARCHAR', description: 'Pseudonymous id of the listener' },
    { name: 'session_id', type: 'VARCHAR', description: 'Session id as in silver.listening_with_features' },
    { name: 'started_at', type: 'TIMESTAMP', description: 'Start of the first play of the session, UTC' },
    { name: 'ended_at', type: 'TIMESTAMP', description: 'End of the last play of the session, UTC' },
    { name: 'started_at_local', type: 'TIMESTAMP', description: "started_at in the listener's time zone (wall-clock time, no zone)" },
    { name: 'part_of_day', type: 'VARCHAR', description: 'Part of day of the first play (local): morning, afternoon, evening or night' },
    { name: 'is_weekend', type: 'BOOLEAN', description: 'The first play fell on a local Saturday or Sunday' },
    { name: 'plays', type: 'BIGINT', description: 'Plays in the session' },
    { name: 'streams', type: 'BIGINT', description: 'Plays of at least 30 s (null when no play of the session has a known duration)' },
    { name: 'skip_known_plays', type: 'BIGINT', description: 'Plays whose source says whether they were skipped' },
    { name: 'skips', type: 'BIGINT', description: 'Skipped plays among skip_known_plays (null when none is known: account data, Web API)' },
    { name: 'minutes_played', type: 'DOUBLE', description: 'Minutes played in the session (null when no duration is known)' },
    { name: 'distinct_tracks', type: 'BIGINT', description: 'Distinct tracks (song_key) played' },
    { name: 'distinct_artists', type: 'BIGINT', description: 'Distinct artists (artist_key) played' },
    { name: 'history_sources', type: 'VARCHAR', description: 'The history sources of the plays, comma-separated in alphabetical order' },
  ],
  inputs: ['silver.listening_with_features'],
  orderBy: 'listener_id, session_id',
});
export default spec;

/** The sessions statement; with `group`, only the listeners of that group. */
const sessionsSql = (group?: ListenerGroup) => `
with events as (
  select * from silver.listening_with_features${group ? `\n  where true${groupFilter('listener_id', group)}` : ''}
)
select listener_id, session_id,
  min(started_at) as started_at,
  max(played_at) as ended_at,
  timezone(any_value(timezone), min(started_at)::timestamptz) as started_at_local,
  arg_min(part_of_day, session_position) as part_of_day,
  arg_min(is_weekend, session_position) as is_weekend,
  count(*)::bigint as plays,
  count(*) filter (where is_stream)::bigint as streams_known,
  count(is_stream)::bigint as duration_known,
  count(is_skip)::bigint as skip_known_plays,
  count(*) filter (where is_skip)::bigint as skips_counted,
  sum(ms_played) / 60000e0 as minutes,
  count(distinct song_key)::bigint as distinct_tracks,
  count(distinct artist_key)::bigint as distinct_artists,
  string_agg(distinct history_source, ',' order by history_source) as history_sources
from events
group by listener_id, session_id`;

/**
 * Builds the sessions from the silver events written earlier in the caller's transaction. Like
 * silver, DuckDB builds them per group of listeners past its memory budget: the three distinct
 * counts of 10M plays spill in 2 GB (126 s whole, 29 s in four groups, measured side by side).
 */
export async function buildListeningSessions(ctx: BuildContext, opts: { playsPerPart?: number } = {}): Promise<TableVersionMeta> {
  const outer = (inner: string) => `select listener_id, session_id, started_at, ended_at, started_at_local, part_of_day, is_weekend, plays,
      case when duration_known > 0 then streams_known end as streams, skip_known_plays,
      case when skip_known_plays > 0 then skips_counted end as skips,
      minutes::double as minutes_played, distinct_tracks, distinct_artists, history_sources
      from (${inner})`;
  return withListenerGroups(ctx, 'sessions', !ctx.tx.remote && !ctx.tx.scope, opts.playsPerPart, (groups) => ctx.tx.write(spec, {
    sql: outer(sessionsSql()),
    parts: groups.length > 0 ? groups.map((g) => outer(sessionsSql(g))) : undefined,
    orderBy: spec.orderBy,
    inputs: spec.inputs,
    portable: true,
  }));
}
