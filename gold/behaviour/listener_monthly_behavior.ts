import { defineTable } from '../../lib/table-spec.ts';
import { rounded } from '../shared/feature-sql.ts';
import { entropyBitsSql } from '../shared/behaviour-sql.ts';

export default defineTable({
  layer: 'gold',
  category: 'behaviour',
  name: 'listener_monthly_behavior',
  grainSentence: 'one row per listener and local calendar month with at least one play',
  grain: ['listener_id', 'month_local'],
  description:
    'Month by month listening behaviour from the real events only (never audio features): volume, streams (plays of at least 30 s), ' +
    'skips where the source reports them, discovery (first listens of tracks and artists), diversity (Shannon entropy of the ' +
    "artists' play shares, top artist's share), repeats and sessions. Months are local calendar months of the listener; a session counts in the month it started.",
  columns: [
    { name: 'listener_id', type: 'VARCHAR', description: 'Pseudonymous id of the listener' },
    { name: 'month_local', type: 'DATE', description: "First day of the local calendar month (listener's time zone)" },
    { name: 'plays', type: 'BIGINT', description: 'Plays in the month' },
    { name: 'streams', type: 'BIGINT', description: 'Plays of at least 30 s (is_stream); null when no play of the month has a known duration' },
    { name: 'minutes_played', type: 'DOUBLE', description: 'Minutes played (sum of ms_played / 60000), 3 decimals; null when no duration is known' },
    { name: 'skip_known_plays', type: 'BIGINT', description: 'Plays whose source says whether they were skipped (is_skip not null)' },
    { name: 'skips', type: 'BIGINT', description: 'Skipped plays among skip_known_plays; null when none is known (account data, Web API)' },
    { name: 'skip_rate', type: 'DOUBLE', description: 'skips / skip_known_plays, 3 decimals; null when no skip is known' },
    { name: 'distinct_tracks', type: 'BIGINT', description: 'Distinct tracks (song_key) played in the month' },
    { name: 'distinct_artists', type: 'BIGINT', description: 'Distinct artists (artist_key) played in the month' },
    { name: 'new_tracks', type: 'BIGINT', description: 'Tracks played for the first time in the whole history this month (first listens)' },
    { name: 'new_artists', type: 'BIGINT', description: 'Artists played for the first time in the whole history this month' },
    { name: 'new_track_share', type: 'DOUBLE', description: "new_tracks / distinct_tracks: the share of the month's tracks that were new to the listener, 3 decimals" },
    { name: 'artist_entropy_bits', type: 'DOUBLE', description: "Shannon entropy (bits) of the month's artist play shares: 0 = one artist only, log2(n) = n artists played equally; 3 decimals" },
    { name: 'top_artist_share', type: 'DOUBLE', description: "Share of the month's plays with an artist that went to the most played artist, 3 decimals" },
    { name: 'repeat_share', type: 'DOUBLE', description: 'Share of the plays whose track had been played before (not a first listen), 3 decimals' },
    { name: 'sessions', type: 'BIGINT', description: 'Sessions started in the month (silver.listening_sessions)' },
    { name: 'median_session_plays', type: 'DOUBLE', description: 'Median number of plays of the sessions started in the month' },
    { name: 'median_session_minutes', type: 'DOUBLE', description: 'Median minutes played of the sessions started in the month, 3 decimals' },
  ],
  inputs: ['silver.listening_with_features', 'silver.listening_sessions'],
  sql: `
with events as (
    select *, date_trunc('month', date_local)::date as month_local from silver.listening_with_features
),

sessions as (
    select *, date_trunc('month', started_at_local)::date as month_local from silver.listening_sessions
),

by_month as (
    select
        listener_id,
        month_local,
        count(*)::bigint as plays,
        (case when count(is_stream) > 0 then count(*) filter (where is_stream) end)::bigint as streams,
        ${rounded('sum(ms_played)::double / 60000')} as minutes_played,
        count(is_skip)::bigint as skip_known_plays,
        (case when count(is_skip) > 0 then count(*) filter (where is_skip) end)::bigint as skips,
        count(distinct song_key)::bigint as distinct_tracks,
        count(distinct artist_key)::bigint as distinct_artists,
        count(*) filter (where is_first_track_play)::bigint as new_tracks,
        count(*) filter (where is_first_artist_play)::bigint as new_artists,
        count(*) filter (where not is_first_track_play)::bigint as repeat_plays
    from events
    group by listener_id, month_local
),

artist_plays as (
    select listener_id, month_local, artist_key, count(*) as n
    from events
    where artist_key is not null
    group by listener_id, month_local, artist_key
),

diversity as (
    select listener_id, month_local,
        ${entropyBitsSql('n')} as artist_entropy_bits,
        ${rounded('max(n)::double / sum(n)')} as top_artist_share
    from artist_plays
    group by listener_id, month_local
),

session_stats as (
    select listener_id, month_local,
        count(*)::bigint as sessions,
        median(plays)::double as median_session_plays,
        ${rounded('median(minutes_played)')} as median_session_minutes
    from sessions
    group by listener_id, month_local
)

select
    m.listener_id,
    m.month_local,
    m.plays,
    m.streams,
    m.minutes_played,
    m.skip_known_plays,
    m.skips,
    ${rounded('m.skips::double / nullif(m.skip_known_plays, 0)')} as skip_rate,
    m.distinct_tracks,
    m.distinct_artists,
    m.new_tracks,
    m.new_artists,
    ${rounded('m.new_tracks::double / nullif(m.distinct_tracks, 0)')} as new_track_share,
    d.artist_entropy_bits,
    d.top_artist_share,
    ${rounded('m.repeat_plays::double / m.plays')} as repeat_share,
    coalesce(s.sessions, 0)::bigint as sessions,
    s.median_session_plays,
    s.median_session_minutes
from by_month m
left join diversity d on d.listener_id = m.listener_id and d.month_local = m.month_local
left join session_stats s on s.listener_id = m.listener_id and s.month_local = m.month_local`,
  orderBy: 'listener_id, month_local',
});
