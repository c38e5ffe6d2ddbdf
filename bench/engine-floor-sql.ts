// The engine floor: the silver join written as ONE plain DuckDB statement straight over the bronze
// Parquet files (no table writer, no metadata, no checks), written to one Parquet file. It mirrors
// silver/listening-with-features-sql.ts: music plays only, the same play from two sources kept once
// (richer source wins), features whole from API > Kaggle (id, else name key) > synthetic, time
// dimensions in the listener's zone, sessions split by gaps over 30 minutes, plays ordered by end time,
// then file and row (the order silver uses), first plays of a song and an artist, streams and skips.
import { kaggleMainArtistSql, nameKeySql, normaliseSql } from '../lib/name-key.ts';
import { quoteList, quoteLiteral } from './sql-util.ts';

export interface FloorInputs {
  history: string[];
  listeners: string[];
  kaggle: string[];
  synthetic: string[];
  api: string[];
}

const FEATURES = ['danceability', 'energy', 'valence', 'acousticness', 'instrumentalness', 'speechiness', 'liveness', 'loudness', 'tempo', 'key', 'mode', 'time_signature'];
const INTS = new Set(['key', 'mode', 'time_signature']);
const typed = (f: string, expr: string) => `${expr}::${INTS.has(f) ? 'integer' : 'double'} as ${f}`;
const nothing = (key: string) => `select null::varchar as ${key}, ${FEATURES.map((f) => typed(f, 'null')).join(', ')} where false`;
const source = (files: string[], key: string) => (files.length ? `select ${key}, ${FEATURES.join(', ')} from read_parquet(${quoteList(files)})` : nothing(key));

const ORDER = 'played_at, source_file, source_row, track_key, ms_played';

export function floorSql(i: FloorInputs, outFile: string): string {
  return `copy (
  with plays as (
    select *, ${nameKeySql('artist_name', 'track_name')} as name_key, nullif(${normaliseSql('artist_name')}, '') as artist_key,
      case source when 'export_extended' then 1 when 'export_extended_legacy' then 2 when 'spotify_api' then 3 else 4 end as richness
    from read_parquet(${quoteList(i.history)}) where content_type = 'track'
  ), superseded as (
    -- only listeners seen by several sources can hold the same play twice
    select listener_id, played_at, track_key, ms_played from (
      select *,
        (lag(richness) over by_id < richness and abs(epoch_ms(played_at) - epoch_ms(lag(played_at) over by_id)) <= 5000)
        or (lead(richness) over by_id < richness and abs(epoch_ms(played_at) - epoch_ms(lead(played_at) over by_id)) <= 5000)
        or (source = 'export_account' and (
             (lag(source) over by_name <> 'export_account' and date_trunc('minute', lag(played_at) over by_name) = played_at)
          or (lead(source) over by_name <> 'export_account' and date_trunc('minute', lead(played_at) over by_name) = played_at))) as dup
      from plays where listener_id in (select listener_id from plays group by listener_id having count(distinct source) > 1)
      window by_id as (partition by listener_id, coalesce(track_id, track_key) order by played_at, richness),
             by_name as (partition by listener_id, name_key order by played_at, richness)
    ) where dup
  ), marked as (
    select * from plays p anti join superseded s using (listener_id, played_at, track_key, ms_played)
  ), kaggle as (
    select track_id, ${FEATURES.map((f) => `arg_min(${f}, kaggle_index) as ${f}`).join(', ')},
      arg_min(${nameKeySql(kaggleMainArtistSql('artists'), 'track_name')}, kaggle_index) as name_key,
      arg_min(popularity, kaggle_index) as popularity, list(distinct track_genre order by track_genre) as genres
    from read_parquet(${quoteList(i.kaggle)}) group by track_id
  ), by_name as (select name_key, min(track_id) as track_id from kaggle where name_key is not null group by name_key),
  api as (${source(i.api, 'track_id')}), synthetic as (${source(i.synthetic, 'feature_key')}),
  featured as (
    select e.*, l.timezone, timezone(l.timezone, e.played_at::timestamptz) as played_at_local, k.genres, k.popularity,
      case when a.track_id is not null then 'spotify_api' when k.track_id is not null then 'kaggle' when s.feature_key is not null then 'synthetic' else 'none' end as feature_source,
      case when a.track_id is null and k.track_id is null and s.feature_key is null then 'none' when e.track_id is not null then 'track_id' else 'name' end as feature_match,
      ${FEATURES.map((f) => typed(f, `case when a.track_id is not null then a.${f} when k.track_id is not null then k.${f} else s.${f} end`)).join(',\n      ')},
      epoch_ms(e.started_at) - epoch_ms(lag(e.played_at) over (partition by e.listener_id order by ${ORDER.replace(/(\w+)/g, 'e.$1')})) as gap_ms
    from marked e
    join read_parquet(${quoteList(i.listeners)}) l using (listener_id)
    left join api a on a.track_id = e.track_id
    -- an equality on an expression keeps this a hash join ("e.track_id is null and ..." makes DuckDB
    -- fall back to a blockwise nested-loop join: minutes at a million plays)
    left join by_name n on n.name_key = case when e.track_id is null then e.name_key end
    left join kaggle k on k.track_id = coalesce(e.track_id, n.track_id)
    left join synthetic s on s.feature_key = coalesce(e.track_id, e.name_key)
  ), sessions as (
    select *, sum(case when gap_ms is null or gap_ms > 1800000 then 1 else 0 end)
      over (partition by listener_id order by ${ORDER} rows unbounded preceding) as session_no
    from featured
  )
  select listener_id,
    substr(md5(listener_id || '|' || strftime(played_at, '%Y-%m-%dT%H:%M:%S.%f') || '|' || track_key || '|' || coalesce(ms_played::varchar, '')), 1, 20) as event_id,
    played_at, started_at, played_at_local, timezone, played_at_local::date as date_local,
    hour(played_at_local)::integer as hour_of_day, isodow(played_at_local)::integer as day_of_week, dayname(played_at_local) as day_name,
    isodow(played_at_local) in (6, 7) as is_weekend,
    case when hour(played_at_local) between 6 and 11 then 'morning' when hour(played_at_local) between 12 and 17 then 'afternoon'
         when hour(played_at_local) between 18 and 22 then 'evening' else 'night' end as part_of_day,
    listener_id || '-s' || lpad(session_no::varchar, 6, '0') as session_id,
    row_number() over (partition by listener_id, session_no order by ${ORDER})::integer as session_position,
    row_number() over (partition by listener_id order by ${ORDER})::bigint as play_seq,
    track_id, track_name, artist_name, album_name, coalesce(name_key, track_key) as song_key, artist_key,
    row_number() over (partition by listener_id, coalesce(name_key, track_key) order by ${ORDER}) = 1 as is_first_track_play,
    case when artist_key is not null then row_number() over (partition by listener_id, artist_key order by ${ORDER}) = 1 end as is_first_artist_play,
    ms_played, ms_played >= 30000 as is_stream,
    case when skipped or reason_end in ('fwdbtn', 'backbtn') then true when skipped is null and reason_end is null then null else false end as is_skip,
    skipped, shuffle, reason_start, reason_end,
    source as history_source, feature_source, feature_match, ${FEATURES.join(', ')}, coalesce(genres, []::varchar[]) as genres,
    popularity::integer as kaggle_popularity
  from sessions
  order by listener_id, played_at, event_id
) to ${quoteLiteral(outFile)} (format parquet)`;
}
