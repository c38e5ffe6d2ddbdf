// The SQL of silver.listening_with_features, composed from the inputs that exist (the API features
// and the synthetic table are optional; synthetic is left out entirely when ALLOW_SYNTHETIC=false).
import { nameKeySql, kaggleMainArtistSql, normaliseSql } from '../lib/name-key.ts';
import { CATALOG_FEATURES, CATALOG_INT_FEATURES } from './catalog_tracks.ts';
import { historySourceSql } from '../ingestion/exports/platform.ts';
import { quoteLiteral } from '../lib/sql-quote.ts';

/** A group of listeners: every listener whose id lies in [lo, hi] (listening_with_features.ts' silverParts: groups are contiguous in listener order). */
export interface ListenerGroup { lo: string; hi: string }

/**
 * ` and <col> between lo and hi`: the rows of a group's listeners. A range rather than a list of ids,
 * so that a scan of bronze or silver (both written in listener order) reads only the row groups
 * whose listener_id statistics overlap it, instead of every row once per group.
 */
export const groupFilter = (col: string, g: ListenerGroup) => ` and ${col} between ${quoteLiteral(g.lo)} and ${quoteLiteral(g.hi)}`;

export interface SilverInputs {
  hasApiFeatures: boolean;
  hasSynthetic: boolean;
  hasKaggle: boolean;
  allowSynthetic: boolean;
  /** Build for these listeners only (a temp table of listener ids: run/build --study, lib/listener-scope.ts). */
  scopeTable?: string;
  /** Build for one group of listeners only (a listener_id range: the DuckDB parts of a large silver, listening_with_features.ts). */
  group?: ListenerGroup;
}

const FEATURES = CATALOG_FEATURES;
const INT_FEATURES: readonly string[] = CATALOG_INT_FEATURES;
const ALL = [...FEATURES, ...INT_FEATURES];
const cols = (alias: string) => ALL.map((f) => `${alias}.${f}`).join(', ');
const empty = (keyCol: string) =>
  `select null::varchar as ${keyCol}, ${FEATURES.map((f) => `null::double as ${f}`).join(', ')}, ${INT_FEATURES.map((f) => `null::integer as ${f}`).join(', ')} where false`;

/** A play counts as a stream from 30 s on (Spotify's royalty rule, used in most listening research). */
export const STREAM_MIN_MS = 30_000;

/**
 * The true order of a listener's plays: by end time, ties broken by the source file and the record's
 * position in it (exports list plays chronologically; account data has minute precision, so many
 * plays share a played_at). Never by names: that would invent the order of same-minute plays.
 */
const PLAY_ORDER = 'played_at, source_file, source_row, track_key, ms_played';

/**
 * Lower number = richer source; the richer row wins when two sources saw the same play
 * (CONVENTIONS: export_extended > export_extended_legacy > spotify_api > apple_music > lastfm >
 * youtube_music > export_account). Over history_source (the platform), not the file format.
 */
export const RICHNESS = `case history_source when 'export_extended' then 1 when 'export_extended_legacy' then 2 when 'spotify_api' then 3
  when 'apple_music' then 4 when 'lastfm' then 5 when 'youtube_music' then 6 else 7 end`;

/**
 * The Last.fm window: a scrobble is the same play as another source's play of the same listener and
 * name key when its time lies between that play's start minus 120 s and its end plus 120 s
 * (Last.fm records roughly the start; CSV layouts cut it to the minute; clocks of two services
 * differ by seconds). A play without duration (YouTube Music, account data) is a point.
 */
export const LASTFM_WINDOW_S = 120;
/** Last.fm layouts whose times have minute precision (lastfm-to-csv, utc_time): the same scrobble elsewhere has seconds. */
export const LASTFM_MINUTE_FORMATS = ['lastfm_csv_headerless', 'lastfm_csv_utc_time'];
/** Bucket width of the hash join that finds such pairs (a play spans one bucket or a few). */
const LASTFM_BUCKET_S = 600;

/**
 * Pairs (kept row, superseded row) of the Last.fm rule over a relation of plays with history_source,
 * name_key and richness: equality on listener, name key and a 10-minute bucket (a hash join; the
 * window is a filter on its matches), never a range join.
 */
export function lastfmPairsSql(plays: string): string {
  return `(
  with lf_listeners as (select distinct listener_id from ${plays} where history_source = 'lastfm'),
  scrobbles as (
    select listener_id, name_key, played_at, track_key, ms_played, richness, history_source, source,
      (epoch(played_at) / ${LASTFM_BUCKET_S})::bigint as bucket
    from ${plays} where history_source = 'lastfm' and name_key is not null
  ), others as (
    select o.listener_id, o.name_key, o.played_at, o.track_key, o.ms_played, o.richness, o.history_source,
      coalesce(o.started_at, o.played_at) - interval ${LASTFM_WINDOW_S} second as win_from, o.played_at + interval ${LASTFM_WINDOW_S} second as win_to,
      b.bucket
    -- Filtered before the unnest: it multiplies rows (1.7 buckets per play), and every play of a
    -- listener without scrobbles went through it before (16M rows at 10M plays).
    from (select * from ${plays} where history_source <> 'lastfm' and name_key is not null
            and listener_id in (select listener_id from lf_listeners)) o
    cross join unnest(range(((epoch(coalesce(o.started_at, o.played_at)) - ${LASTFM_WINDOW_S}) / ${LASTFM_BUCKET_S})::bigint,
                            ((epoch(o.played_at) + ${LASTFM_WINDOW_S}) / ${LASTFM_BUCKET_S})::bigint + 1)) as b(bucket)
  )
  -- The same scrobble from a minute-precision layout and a layout with seconds (the API, ghan.nl,
  -- Boeing, lastfmR): the minute row is the other's time cut to the minute; the row with seconds is kept.
  select distinct s.history_source as kept_source, m.history_source as dropped_source,
    m.listener_id, m.played_at, m.track_key, m.ms_played
  from scrobbles s join scrobbles m on m.listener_id = s.listener_id and m.name_key = s.name_key
    and m.played_at = date_trunc('minute', s.played_at)
  where m.source in (${LASTFM_MINUTE_FORMATS.map((f) => `'${f}'`).join(', ')}) and s.source not in (${LASTFM_MINUTE_FORMATS.map((f) => `'${f}'`).join(', ')})
  union
  select distinct
    case when o.richness < s.richness then o.history_source else s.history_source end as kept_source,
    case when o.richness < s.richness then s.history_source else o.history_source end as dropped_source,
    case when o.richness < s.richness then s.listener_id else o.listener_id end as listener_id,
    case when o.richness < s.richness then s.played_at else o.played_at end as played_at,
    case when o.richness < s.richness then s.track_key else o.track_key end as track_key,
    case when o.richness < s.richness then s.ms_played else o.ms_played end as ms_played
  from scrobbles s join others o on o.listener_id = s.listener_id and o.name_key = s.name_key and o.bucket = s.bucket
  where s.played_at between o.win_from and o.win_to
)`;
}

/** Recently Played and Play Activity rows of one Apple play are this close (the same event's end time). */
export const APPLE_WINDOW_MS = 60_000;

/**
 * Pairs (kept, superseded) of Apple Music's own files: a Recently Played row (a track's last play) is
 * the same play as the listener's Play Activity row of the same title (normalised; the newest Play
 * Activity schema has no artist) ending within 60 s. A hash join on listener and title; Recently
 * Played holds a few hundred rows per person, so the matches stay small.
 */
export function applePairsSql(plays: string): string {
  return `(
  with recent as (
    select listener_id, played_at, track_key, ms_played, ${normaliseSql('track_name')} as title_key
    from ${plays} where source = 'apple_recently_played'
  ), activity as (
    select a.listener_id, a.played_at, ${normaliseSql('a.track_name')} as title_key
    from ${plays} a
    where a.source = 'apple_play_activity' and exists (select 1 from recent r where r.listener_id = a.listener_id)
  )
  select distinct 'apple_music' as kept_source, 'apple_music' as dropped_source, r.listener_id, r.played_at, r.track_key, r.ms_played
  from recent r join activity a on a.listener_id = r.listener_id and a.title_key = r.title_key
  where r.title_key <> '' and abs(epoch_ms(a.played_at) - epoch_ms(r.played_at)) <= ${APPLE_WINDOW_MS}
)`;
}

/** The name key of a play, or null when the platform gave no artist (never matched by name: YouTube URL titles). */
export function playNameKeySql(): string {
  return `case when history_source in ('lastfm', 'apple_music', 'youtube_music') and artist_name is null then null
    else ${nameKeySql('artist_name', 'track_name')} end`;
}

/**
 * Relations of silver that an engine may compute first and name instead of inlining (the Trino
 * engine: a relation a statement references several times is computed once per reference, see
 * listening_with_features.ts' remoteIntermediates). Each names a relation of the columns the
 * corresponding *Sql function returns.
 */
export interface SilverIntermediates {
  /** silverSupersededSql: the plays another source saw better. */
  superseded: string;
  /** silverKaggleSql: one row of features per Kaggle track id (only with hasKaggle). */
  kaggle?: string;
  /** silverNamesSql: the keys of every distinct artist and title. */
  names?: string;
}

/** ` and <col> …`: the rows of the listeners the build covers (a group and/or a scope table). */
function scopeFilter(inputs: SilverInputs, col: string): string {
  return (inputs.group ? groupFilter(col, inputs.group) : '')
    + (inputs.scopeTable ? ` and ${col} in (select listener_id from ${inputs.scopeTable})` : '');
}

/**
 * Bronze plays (tracks only) with their history_source, read where they are needed instead of
 * through one shared relation: a relation used twice is materialised whole, and every further
 * reference copied all its columns again (eight scans of 9.6M wide rows, about 120 s of 720 at 10M
 * plays). A Parquet scan reads only the columns it uses.
 */
function historySql(inputs: SilverInputs, cols: string): string {
  return `(select ${cols}, ${historySourceSql('source')} as history_source
    from bronze.listening_history where content_type = 'track'${scopeFilter(inputs, 'listener_id')})`;
}

/** The CTEs multi_source and dedup_keys (each followed by a comma-less close). */
function dedupKeysCtes(inputs: SilverInputs): string {
  return `multi_source as (
  select listener_id from bronze.listening_history where content_type = 'track'${scopeFilter(inputs, 'listener_id')}
  group by listener_id having count(distinct source) > 1
), dedup_keys as (
  -- What the cross-source dedup needs, for the listeners with more than one source only: the rules
  -- below compare plays of two sources (or two Last.fm layouts, or Apple's two files) of one listener.
  select listener_id, source, history_source, played_at, started_at, track_id, track_key, track_name, ms_played,
    ${playNameKeySql()} as name_key, ${RICHNESS} as richness
  from ${historySql(inputs, 'listener_id, source, played_at, started_at, track_id, track_key, track_name, artist_name, ms_played')}
  where listener_id in (select listener_id from multi_source)
)`;
}

/** The CTEs neighbours and superseded over `dedupKeys` (a relation of dedup_keys' columns). */
function supersededCtes(dedupKeys: string): string {
  return `neighbours as (
  -- Same play seen by two sources: same listener and track id within 5 s, or an account-data row
  -- (minute precision, no id) whose minute holds the other source's play of the same name key.
  select k.*,
    lag(played_at) over by_id as prev_at, lag(richness) over by_id as prev_rich,
    lead(played_at) over by_id as next_at, lead(richness) over by_id as next_rich,
    lag(played_at) over by_name as prev_name_at, lag(source) over by_name as prev_name_source,
    lead(played_at) over by_name as next_name_at, lead(source) over by_name as next_name_source
  from ${dedupKeys} k
  window by_id as (partition by k.listener_id, coalesce(k.track_id, k.track_key) order by k.played_at, k.richness),
         by_name as (partition by k.listener_id, k.name_key order by k.played_at, k.richness)
), superseded as (
  -- ms_played is null for platforms without a duration; -1 stands for null (no play time in bronze is
  -- negative) so that the anti join below is one hash join on plain equalities, in DuckDB and Trino.
  select distinct listener_id, played_at, track_key, coalesce(ms_played, -1) as ms_key from (
    select listener_id, played_at, track_key, ms_played from neighbours
    where (prev_rich < richness and abs(epoch_ms(played_at) - epoch_ms(prev_at)) <= 5000)
       or (next_rich < richness and abs(epoch_ms(played_at) - epoch_ms(next_at)) <= 5000)
       or (source = 'export_account' and (
            (prev_name_source <> 'export_account' and date_trunc('minute', prev_name_at) = played_at)
         or (next_name_source <> 'export_account' and date_trunc('minute', next_name_at) = played_at)))
    union all
    select listener_id, played_at, track_key, ms_played from ${lastfmPairsSql(dedupKeys)}
    union all
    select listener_id, played_at, track_key, ms_played from ${applePairsSql(dedupKeys)}
  ) pairs
)`;
}

/** The plays of listeners with more than one source, with what the dedup rules compare (name key, richness). */
export function silverDedupKeysSql(inputs: SilverInputs): string {
  return `with ${dedupKeysCtes(inputs)}\nselect * from dedup_keys`;
}

/** The plays another source saw better (listener_id, played_at, track_key, ms_key), from `dedupKeys` (silverDedupKeysSql's rows). */
export function silverSupersededSql(dedupKeys: string): string {
  return `with ${supersededCtes(dedupKeys)}\nselect * from superseded`;
}

/**
 * The keys of each distinct artist and title: the normalisation (a chain of regular expressions) runs
 * once per name instead of once per play. It reads names through coalesce(…, ''), so a missing name
 * and an empty one share a row.
 */
export function silverNamesSql(inputs: SilverInputs): string {
  return `select artist, title, ${nameKeySql('artist', 'title')} as name_key, nullif(${normaliseSql('artist')}, '') as artist_key
  from (select distinct coalesce(artist_name, '') as artist, coalesce(track_name, '') as title from ${historySql(inputs, 'artist_name, track_name')}) d`;
}

/** One row of features, name key, popularity and genres per Kaggle track id (the first record by original row index). */
export function silverKaggleSql(): string {
  return `select track_id, ${FEATURES.map((f) => `arg_min(${f}, kaggle_index) as ${f}`).join(', ')}, ${INT_FEATURES.map((f) => `arg_min(${f}, kaggle_index) as ${f}`).join(', ')},
    arg_min(${nameKeySql(kaggleMainArtistSql('artists'), 'track_name')}, kaggle_index) as name_key,
    arg_min(popularity, kaggle_index) as popularity,
    list(distinct track_genre order by track_genre) as genres
  from bronze.kaggle_tracks group by track_id`;
}

/** The statement of silver.listening_with_features; `from` names intermediates computed before (else they are CTEs of the statement). */
export function silverSql(inputs: SilverInputs, from?: SilverIntermediates): string {
  const synthetic = inputs.allowSynthetic && inputs.hasSynthetic;
  const scopeOf = (col: string) => scopeFilter(inputs, col);
  const history = (cols: string) => historySql(inputs, cols);
  const dedup = from ? `superseded as (select * from ${from.superseded})` : `${dedupKeysCtes(inputs)}, ${supersededCtes('dedup_keys')}`;
  return `
with listeners as (
  select listener_id, timezone from bronze.listeners
), ${dedup}, names as (
  ${from?.names ? `select * from ${from.names}` : silverNamesSql(inputs)}
), plays as (
  select p.*,
    case when p.history_source in ('lastfm', 'apple_music', 'youtube_music') and p.artist_name is null then null else n.name_key end as name_key,
    n.artist_key
  from ${history('listener_id, source_file, source_row, played_at, started_at, ms_played, track_id, track_key, track_name, artist_name, album_name, skipped, shuffle, reason_start, reason_end')} p
  join names n on n.artist = coalesce(p.artist_name, '') and n.title = coalesce(p.track_name, '')
), events as (
  select p.*, coalesce(p.name_key, p.track_key) as song_key
  from plays p
  left join superseded s on s.listener_id = p.listener_id and s.played_at = p.played_at
    and s.track_key = p.track_key and s.ms_key = coalesce(p.ms_played, -1)
  where s.listener_id is null
), ordered as (
  -- One sort by the true order gives both the position in the history and the gap to the previous play.
  select *, row_number() over by_order as play_seq,
    epoch_ms(coalesce(started_at, played_at)) - epoch_ms(lag(played_at) over by_order) as gap_ms
  from events
  window by_order as (partition by listener_id order by ${PLAY_ORDER})
), play_starts as (
  -- The per-play numbers below need windows; they are computed on narrow rows (listener, position,
  -- keys) and joined back once, since every window over silver's wide rows copied all of them (about
  -- a tenth of the statement's operator time each). A session starts after a gap of more than 30 min.
  select listener_id, play_seq, song_key, artist_key, (gap_ms is null or gap_ms > 30 * 60 * 1000) as is_start
  from ordered
), sessionised as (
  -- A session's number is the count of starts up to the play, without a running sum: the n-th start
  -- is session n, and a play that starts none follows play_seq - (its rank among such plays) starts.
  select *,
    case when is_start then row_number() over starts else play_seq - row_number() over starts end as session_no
  from play_starts
  window starts as (partition by listener_id, is_start order by play_seq)
), play_numbers as (
  -- a session's first play is its start: a play's position in its session is counted from it
  select listener_id, play_seq, session_no,
    min(play_seq) over (partition by listener_id, session_no) as session_start_seq,
    play_seq = min(play_seq) over (partition by listener_id, song_key) as is_first_track_play,
    case when artist_key is not null then play_seq = min(play_seq) over (partition by listener_id, artist_key) end as is_first_artist_play
  from sessionised
), sequenced as (
  select o.*, n.session_no, n.session_start_seq, n.is_first_track_play, n.is_first_artist_play
  from ordered o join play_numbers n on n.listener_id = o.listener_id and n.play_seq = o.play_seq
), kaggle as (
  ${inputs.hasKaggle ? (from?.kaggle ? `select * from ${from.kaggle}` : silverKaggleSql()) : `select null::varchar as track_id, ${FEATURES.map((f) => `null::double as ${f}`).join(', ')}, ${INT_FEATURES.map((f) => `null::integer as ${f}`).join(', ')}, null::varchar as name_key, null::integer as popularity, []::varchar[] as genres where false`}
), kaggle_by_name as (
  -- one Kaggle track per name key: the smallest track id, so the choice is deterministic
  select name_key, min(track_id) as track_id from kaggle where name_key is not null group by name_key
), api as (
  ${inputs.hasApiFeatures ? `select track_id, ${ALL.map((f) => (INT_FEATURES.includes(f) ? `${f}::integer as ${f}` : `${f}::double as ${f}`)).join(', ')} from bronze.track_features_api` : empty('track_id')}
), synthetic as (
  ${synthetic ? `select feature_key, ${ALL.join(', ')} from bronze.track_features_synthetic` : empty('feature_key')}
), matched as (
  select e.*,
    a.track_id as api_id,
    coalesce(ki.track_id, kn.track_id) as kaggle_id,
    case when e.track_id is not null then 'track_id' else 'name' end as via,
    s.feature_key as synthetic_key
  from sequenced e
  left join api a on a.track_id = e.track_id
  left join kaggle ki on ki.track_id = e.track_id
  -- An equality on one expression keeps this a hash join ("e.track_id is null and …" made DuckDB plan
  -- a nested-loop join: 209 s instead of 6 s on 806k plays).
  left join kaggle_by_name kn on kn.name_key = case when e.track_id is null then e.name_key end
  left join synthetic s on s.feature_key = coalesce(e.track_id, e.name_key)
), featured as (
  select m.*,
    case when api_id is not null then 'spotify_api' when kaggle_id is not null then 'kaggle'
         when synthetic_key is not null then 'synthetic' else 'none' end as feature_source,
    k.genres as kaggle_genres, k.popularity as kaggle_popularity,
    ${ALL.map((f) => `case when api_id is not null then a.${f} when kaggle_id is not null then k.${f} when synthetic_key is not null then s.${f} end as f_${f}`).join(',\n    ')}
  from matched m
  left join api a on a.track_id = m.api_id
  left join kaggle k on k.track_id = m.kaggle_id
  left join synthetic s on s.feature_key = m.synthetic_key
), zone_days as (
  -- The UTC offset of each listener zone on each UTC day with plays, at the day's start and end: on a
  -- day without an offset change (363 of 365) a play's local time is its UTC time plus that offset.
  -- A time-zone conversion per play cost more than any join of silver (28 s at 10M plays).
  select timezone, day, timezone(timezone, day::timestamptz) - day as offset_from,
    timezone(timezone, (day + interval 1 day)::timestamptz) - (day + interval 1 day) as offset_to
  from (select distinct l.timezone, h.played_at::date::timestamp as day
        from bronze.listening_history h join listeners l on l.listener_id = h.listener_id
        where h.content_type = 'track'${scopeOf('h.listener_id')}) zd
), localised as (
  select f.*, l.timezone,
    case when z.offset_from = z.offset_to then f.played_at + z.offset_from
         else timezone(l.timezone, f.played_at::timestamptz) end as played_at_local
  from featured f join listeners l on l.listener_id = f.listener_id
  -- A left join (every play has its day): an inner one let the planner join on the day alone first.
  left join zone_days z on z.timezone = l.timezone and z.day = f.played_at::date::timestamp

)
select
  listener_id,
  substr(md5(listener_id || '|' || strftime(played_at, '%Y-%m-%dT%H:%M:%S.%f') || '|' || track_key || '|' || coalesce(ms_played::varchar, '')), 1, 20) as event_id,
  played_at, started_at, played_at_local, timezone,
  played_at_local::date as date_local,
  hour(played_at_local)::integer as hour_of_day,
  isodow(played_at_local)::integer as day_of_week,
  dayname(played_at_local) as day_name,
  isodow(played_at_local) in (6, 7) as is_weekend,
  case when hour(played_at_local) between 6 and 11 then 'morning' when hour(played_at_local) between 12 and 17 then 'afternoon'
       when hour(played_at_local) between 18 and 22 then 'evening' else 'night' end as part_of_day,
  listener_id || '-s' || lpad(session_no::varchar, 6, '0') as session_id,
  (play_seq - session_start_seq + 1)::integer as session_position,
  play_seq::bigint as play_seq,
  track_id, track_name, artist_name, album_name, song_key, artist_key,
  is_first_track_play,
  is_first_artist_play,
  ms_played,
  -- A scrobble is a stream by Last.fm's own rule (longer than 30 s, played for half its length or 4 min).
  case when history_source = 'lastfm' then true else ms_played >= ${STREAM_MIN_MS} end as is_stream,
  case when skipped or reason_end in ('fwdbtn', 'backbtn') then true
       when skipped is null and reason_end is null then null else false end as is_skip,
  skipped, shuffle, reason_start, reason_end,
  history_source, feature_source,
  case when feature_source = 'none' then 'none' else via end as feature_match,
  ${FEATURES.map((f) => `f_${f}::double as ${f}`).join(', ')},
  ${INT_FEATURES.map((f) => `f_${f}::integer as ${f}`).join(', ')},
  coalesce(kaggle_genres, []::varchar[]) as genres,
  kaggle_popularity::integer as kaggle_popularity
from localised`;
}
