import { defineTable } from '../../lib/table-spec.ts';
import { rounded } from '../shared/feature-sql.ts';

export default defineTable({
  layer: 'gold',
  category: 'behaviour',
  name: 'genre_mix',
  grainSentence: 'one row per listener, local calendar month and Kaggle genre',
  grain: ['listener_id', 'month_local', 'genre'],
  description:
    "The genres a listener played each month, from the Kaggle catalog's genre of the matched track (real catalog data, never synthetic). " +
    'A track the catalog lists under several genres counts for each, with a weight of 1/n, so the shares of a month add up to 1. ' +
    'genre_coverage says how much of the month this rests on: plays whose track matched the catalog.',
  columns: [
    { name: 'listener_id', type: 'VARCHAR', description: 'Pseudonymous id of the listener' },
    { name: 'month_local', type: 'DATE', description: "First day of the local calendar month (listener's time zone)" },
    { name: 'genre', type: 'VARCHAR', description: 'Kaggle track_genre of the matched track' },
    { name: 'plays', type: 'BIGINT', description: 'Plays of the month whose track carries this genre' },
    { name: 'share', type: 'DOUBLE', description: "Weighted share of the month's genre-matched plays (each play split equally over its genres), 3 decimals" },
    { name: 'genre_matched_plays', type: 'BIGINT', description: 'Plays of the month whose track matched a Kaggle genre' },
    { name: 'month_plays', type: 'BIGINT', description: 'All plays of the month' },
    { name: 'genre_coverage', type: 'DOUBLE', description: 'genre_matched_plays / month_plays: the share of the month the genre mix rests on, 3 decimals' },
  ],
  inputs: ['silver.listening_with_features'],
  sql: `
with events as (
    select listener_id, date_trunc('month', date_local)::date as month_local, genres
    from silver.listening_with_features
),

months as (
    select listener_id, month_local,
        count(*)::bigint as month_plays,
        count(*) filter (where len(genres) > 0)::bigint as genre_matched_plays
    from events
    group by listener_id, month_local
),

play_genres as (
    select e.listener_id, e.month_local, g.genre, 1::double / len(e.genres) as weight
    from events e
    cross join unnest(e.genres) as g(genre)
    where len(e.genres) > 0
),

by_genre as (
    select listener_id, month_local, genre, count(*)::bigint as plays, sum(weight) as weighted
    from play_genres
    group by listener_id, month_local, genre
)

select
    g.listener_id,
    g.month_local,
    g.genre,
    g.plays,
    ${rounded('g.weighted / m.genre_matched_plays')} as share,
    m.genre_matched_plays,
    m.month_plays,
    ${rounded('m.genre_matched_plays::double / m.month_plays')} as genre_coverage
from by_genre g
join months m on m.listener_id = g.listener_id and m.month_local = g.month_local`,
  orderBy: 'listener_id, month_local, genre',
});
