import { defineTable } from '../../lib/table-spec.ts';
import { rounded } from '../shared/feature-sql.ts';

export default defineTable({
  layer: 'gold',
  category: 'behaviour',
  name: 'top_artists',
  grainSentence: 'one row per listener and rank (the 50 most played artists)',
  grain: ['listener_id', 'rank'],
  description:
    "Each listener's most played artists over the whole history, from the real events only: plays, streams (plays of at least 30 s), minutes, " +
    'the share of all plays with an artist, and when the artist was first played. Artists are counted by the normalised artist key, shown ' +
    'with the spelling the listener played most; ties are broken by the key, so ranks are deterministic.',
  columns: [
    { name: 'listener_id', type: 'VARCHAR', description: 'Pseudonymous id of the listener' },
    { name: 'rank', type: 'INTEGER', description: 'Rank by plays, 1 = most played (ties broken by artist_key)' },
    { name: 'artist_key', type: 'VARCHAR', description: 'Normalised artist name (silver.listening_with_features.artist_key)' },
    { name: 'artist_name', type: 'VARCHAR', description: 'The spelling of the artist name the listener played most (ties: alphabetical)' },
    { name: 'plays', type: 'BIGINT', description: 'Plays of the artist' },
    { name: 'streams', type: 'BIGINT', description: 'Plays of at least 30 s; null when no play of the artist has a known duration' },
    { name: 'minutes_played', type: 'DOUBLE', description: 'Minutes played (sum of ms_played / 60000), 3 decimals; null when no duration is known' },
    { name: 'share_of_plays', type: 'DOUBLE', description: "plays / the listener's plays that name an artist, 3 decimals" },
    { name: 'first_played_at', type: 'TIMESTAMP', description: 'End of the first play of the artist, UTC' },
  ],
  inputs: ['silver.listening_with_features'],
  sql: `
with events as (
    select listener_id, artist_key, artist_name, ms_played, is_stream, played_at
    from silver.listening_with_features
    where artist_key is not null
),

spellings as (
    select listener_id, artist_key, artist_name,
        row_number() over (partition by listener_id, artist_key order by count(*) desc, artist_name) as spelling_rank
    from events
    group by listener_id, artist_key, artist_name
),

by_artist as (
    select listener_id, artist_key,
        count(*)::bigint as plays,
        (case when count(is_stream) > 0 then count(*) filter (where is_stream) end)::bigint as streams,
        ${rounded('sum(ms_played)::double / 60000')} as minutes_played,
        min(played_at) as first_played_at
    from events
    group by listener_id, artist_key
),

ranked as (
    select *,
        row_number() over (partition by listener_id order by plays desc, artist_key)::integer as rank,
        sum(plays) over (partition by listener_id) as listener_plays
    from by_artist
)

select
    r.listener_id,
    r.rank,
    r.artist_key,
    s.artist_name,
    r.plays,
    r.streams,
    r.minutes_played,
    ${rounded('r.plays::double / r.listener_plays')} as share_of_plays,
    r.first_played_at
from ranked r
join spellings s on s.listener_id = r.listener_id and s.artist_key = r.artist_key and s.spelling_rank = 1
where r.rank <= 50`,
  orderBy: 'listener_id, rank',
});
