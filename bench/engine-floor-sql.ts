// The independent engine floor: the least a silver build must do, written as ONE plain DuckDB
// statement over the bronze Parquet files, apart from silver's SQL (it shares no code with it and does
// not try to produce silver's rows): drop the same play seen by a richer source within 5 s (a dedup
// join), add local-time dimensions in the listener's zone, number the plays and split them into
// sessions at gaps over 30 minutes. No audio features, name keys, event ids or first-play flags: what
// silver spends beyond this floor is what its richer rules cost (bench/README.md).
import { quoteList, quoteLiteral } from './sql-util.ts';

export interface FloorInputs {
  history: string[];
  listeners: string[];
}

export function floorSql(i: FloorInputs, outFile: string): string {
  return `copy (
  with plays as (
    select listener_id, source, source_file, source_row, played_at, started_at, track_key, ms_played,
      case source when 'export_extended' then 1 when 'export_extended_legacy' then 2 when 'spotify_api' then 3 else 4 end as richness,
      epoch(played_at)::bigint // 5 as bucket
    from read_parquet(${quoteList(i.history)}) where content_type = 'track'
  ), dropped as (
    -- the dedup join: equality on listener, track and a 5-second bucket (the neighbouring buckets
    -- too), so it stays a hash join; the 5 s window is a filter on its matches
    select distinct p.listener_id, p.played_at, p.track_key, p.ms_played
    from (select *, unnest([bucket - 1, bucket, bucket + 1]) as near from plays) p
    join plays q on q.listener_id = p.listener_id and q.track_key = p.track_key and q.bucket = p.near
    where q.richness < p.richness and abs(epoch_ms(q.played_at) - epoch_ms(p.played_at)) <= 5000
  ), kept as (
    select * from plays anti join dropped using (listener_id, played_at, track_key, ms_played)
  ), local as (
    select k.*, l.timezone, timezone(l.timezone, k.played_at::timestamptz) as played_at_local
    from kept k join read_parquet(${quoteList(i.listeners)}) l using (listener_id)
  ), ordered as (
    select *, row_number() over w as play_seq,
      epoch_ms(coalesce(started_at, played_at)) - epoch_ms(lag(played_at) over w) as gap_ms
    from local
    window w as (partition by listener_id order by played_at, source_file, source_row)
  )
  select listener_id, played_at, started_at, track_key, ms_played, source, timezone, played_at_local,
    played_at_local::date as date_local, hour(played_at_local) as hour_of_day, isodow(played_at_local) as day_of_week,
    play_seq,
    sum(case when gap_ms is null or gap_ms > 1800000 then 1 else 0 end)
      over (partition by listener_id order by play_seq rows unbounded preceding) as session_no
  from ordered
) to ${quoteLiteral(outFile)} (format parquet)`;
}
