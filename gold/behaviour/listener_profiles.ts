import { defineTable } from '../../lib/table-spec.ts';
import { rounded } from '../shared/feature-sql.ts';
import { NIGHT_HOURS, entropyBitsSql } from '../shared/behaviour-sql.ts';

/** The thresholds of the personality scores (gold/README.md "Listener personalities"). */
export const PERSONALITY = {
  /** mean_popularity at or below this: popularity level 0; at or above POPULARITY_HIGH: 1; linear between. */
  popularityLow: 30,
  popularityHigh: 70,
  /** Popularity is used only when at least this share of the plays matched a Kaggle track. */
  minPopularityCoverage: 0.1,
  /** new_artist_share at which the exploration level reaches 1 (one play in five is a first listen of an artist). */
  explorationFull: 0.2,
  /** plays_per_active_day at which the volume level reaches 1. */
  addictPlaysPerDay: 40,
  /** night_share at or below this: night level 0; at or above nightFull: 1 (a flat day puts 6/24 = 0.25 at night). */
  nightBase: 0.05,
  nightFull: 0.25,
} as const;

/** In tie order: the first of equal top scores wins. */
export const PERSONALITIES = [
  { name: 'Mainstream Explorer', column: 'mainstream_explorer_score' },
  { name: 'Underground Hunter', column: 'underground_hunter_score' },
  { name: 'Music Addict', column: 'music_addict_score' },
  { name: 'Night Owl', column: 'night_owl_score' },
  { name: 'Casual Listener', column: 'casual_listener_score' },
] as const;

const P = PERSONALITY;
const clamp = (x: string) => `greatest(0.0, least(1.0, ${x}))`;

/** The first personality whose score is at least every later one's (null scores never win). */
const personalityCase = `case\n${PERSONALITIES.map((p, i) => {
  const later = PERSONALITIES.slice(i + 1).map((q) => `${p.column} >= coalesce(${q.column}, -1)`);
  return `            when ${[`${p.column} is not null`, ...later].join(' and ')} then '${p.name}'`;
}).join('\n')}\n        end`;

export default defineTable({
  layer: 'gold',
  category: 'behaviour',
  name: 'listener_profiles',
  grainSentence: 'one row per listener',
  grain: ['listener_id'],
  description:
    "A listener's whole history in one row, from the real events only (never audio features): volume and regularity, variety, " +
    'exploration (first listens of artists), night and weekend listening, skips where the source reports them, and the Kaggle ' +
    'popularity of the plays that matched the catalog, with the share they rest on. personality is the highest of five scores ' +
    'in [0, 1] computed by fixed rules from the rounded columns (gold/README.md "Listener personalities"); the five scores are ' +
    'shown so a reader sees how close the others were. A description of listening habits, not of the person.',
  columns: [
    { name: 'listener_id', type: 'VARCHAR', description: 'Pseudonymous id of the listener' },
    { name: 'first_played_at', type: 'TIMESTAMP', description: 'End of the first play, UTC' },
    { name: 'last_played_at', type: 'TIMESTAMP', description: 'End of the last play, UTC' },
    { name: 'first_date_local', type: 'DATE', description: 'Local date of the first play' },
    { name: 'last_date_local', type: 'DATE', description: 'Local date of the last play' },
    { name: 'span_days', type: 'BIGINT', description: 'Local days from the first to the last play, both included' },
    { name: 'days_active', type: 'BIGINT', description: 'Local days with at least one play' },
    { name: 'active_day_share', type: 'DOUBLE', description: 'days_active / span_days: how regularly the listener plays music, 3 decimals' },
    { name: 'plays', type: 'BIGINT', description: 'All plays' },
    { name: 'plays_per_active_day', type: 'DOUBLE', description: 'plays / days_active, 3 decimals' },
    { name: 'distinct_tracks', type: 'BIGINT', description: 'Distinct tracks (song_key)' },
    { name: 'distinct_artists', type: 'BIGINT', description: 'Distinct artists (artist_key)' },
    { name: 'night_share', type: 'DOUBLE', description: `Share of the plays in the local hours ${NIGHT_HOURS[0]}:00-${NIGHT_HOURS[1]}:59, 3 decimals` },
    { name: 'weekend_share', type: 'DOUBLE', description: 'Share of the plays on a local Saturday or Sunday, 3 decimals' },
    { name: 'artist_entropy_bits', type: 'DOUBLE', description: "Shannon entropy (bits) of the artists' play shares over the whole history, 3 decimals" },
    { name: 'new_artist_share', type: 'DOUBLE', description: "Share of the plays with an artist that were the listener's first play of that artist (the exploration rate; over the whole history it is distinct_artists / plays with an artist), 3 decimals" },
    { name: 'skip_known_plays', type: 'BIGINT', description: 'Plays whose source says whether they were skipped (is_skip not null)' },
    { name: 'skip_rate', type: 'DOUBLE', description: 'Skipped plays / skip_known_plays, 3 decimals; null when no play has a known skip (account data, Web API)' },
    { name: 'mean_popularity', type: 'DOUBLE', description: 'Mean Kaggle popularity (0-100) of the plays that matched a Kaggle track, 1 decimal; null when none matched' },
    { name: 'popularity_coverage', type: 'DOUBLE', description: 'Share of the plays that matched a Kaggle track with a popularity: what mean_popularity rests on, 3 decimals' },
    { name: 'mainstream_explorer_score', type: 'DOUBLE', description: 'sqrt(popularity level x exploration level), 3 decimals; null when popularity_coverage < 0.1' },
    { name: 'underground_hunter_score', type: 'DOUBLE', description: 'sqrt((1 - popularity level) x exploration level), 3 decimals; null when popularity_coverage < 0.1' },
    { name: 'music_addict_score', type: 'DOUBLE', description: 'sqrt(volume level x active_day_share), 3 decimals' },
    { name: 'night_owl_score', type: 'DOUBLE', description: 'Night level: night_share scaled from 0.05 (0) to 0.25 (1), 3 decimals' },
    { name: 'casual_listener_score', type: 'DOUBLE', description: '1 - the highest of the four other scores, 3 decimals' },
    { name: 'personality', type: 'VARCHAR', description: `${PERSONALITIES.map((p) => p.name).join(', ')}: the highest score (ties in this order)` },
  ],
  inputs: ['silver.listening_with_features'],
  sql: `
with events as (
    select * from silver.listening_with_features
),

totals as (
    select
        listener_id,
        min(played_at) as first_played_at,
        max(played_at) as last_played_at,
        min(date_local) as first_date_local,
        max(date_local) as last_date_local,
        count(distinct date_local)::bigint as days_active,
        count(*)::bigint as plays,
        count(distinct song_key)::bigint as distinct_tracks,
        count(distinct artist_key)::bigint as distinct_artists,
        count(*) filter (where hour_of_day between ${NIGHT_HOURS[0]} and ${NIGHT_HOURS[1]}) as night_plays,
        count(*) filter (where is_weekend) as weekend_plays,
        count(artist_key) as artist_plays,
        count(*) filter (where is_first_artist_play) as first_artist_plays,
        count(is_skip)::bigint as skip_known_plays,
        count(*) filter (where is_skip) as skips,
        avg(kaggle_popularity) as mean_popularity,
        count(kaggle_popularity) as popularity_plays
    from events
    group by listener_id
),

artist_plays as (
    select listener_id, artist_key, count(*) as n
    from events
    where artist_key is not null
    group by listener_id, artist_key
),

diversity as (
    select listener_id, ${entropyBitsSql('n')} as artist_entropy_bits
    from artist_plays
    group by listener_id
),

profiles as (
    select
        t.listener_id,
        t.first_played_at,
        t.last_played_at,
        t.first_date_local,
        t.last_date_local,
        (date_diff('day', t.first_date_local, t.last_date_local) + 1)::bigint as span_days,
        t.days_active,
        ${rounded("t.days_active::double / (date_diff('day', t.first_date_local, t.last_date_local) + 1)")} as active_day_share,
        t.plays,
        ${rounded('t.plays::double / t.days_active')} as plays_per_active_day,
        t.distinct_tracks,
        t.distinct_artists,
        ${rounded('t.night_plays::double / t.plays')} as night_share,
        ${rounded('t.weekend_plays::double / t.plays')} as weekend_share,
        d.artist_entropy_bits,
        ${rounded('t.first_artist_plays::double / nullif(t.artist_plays, 0)')} as new_artist_share,
        t.skip_known_plays,
        ${rounded('t.skips::double / nullif(t.skip_known_plays, 0)')} as skip_rate,
        ${rounded('t.mean_popularity', 1)} as mean_popularity,
        ${rounded('t.popularity_plays::double / t.plays')} as popularity_coverage
    from totals t
    left join diversity d on d.listener_id = t.listener_id
),

levels as (
    select
        *,
        case when popularity_coverage >= ${P.minPopularityCoverage}
            then ${clamp(`(mean_popularity - ${P.popularityLow}) / ${P.popularityHigh - P.popularityLow}`)} end as popularity_level,
        ${clamp(`coalesce(new_artist_share, 0) / ${P.explorationFull}`)} as exploration_level,
        ${clamp(`plays_per_active_day / ${P.addictPlaysPerDay}`)} as volume_level
    from profiles
),

scores as (
    select
        *,
        ${rounded('sqrt(popularity_level * exploration_level)')} as mainstream_explorer_score,
        ${rounded('sqrt((1 - popularity_level) * exploration_level)')} as underground_hunter_score,
        ${rounded('sqrt(volume_level * active_day_share)')} as music_addict_score,
        ${rounded(clamp(`(night_share - ${P.nightBase}) / ${P.nightFull - P.nightBase}`))} as night_owl_score
    from levels
),

with_casual as (
    select
        *,
        ${rounded('1 - greatest(mainstream_explorer_score, underground_hunter_score, music_addict_score, night_owl_score)')} as casual_listener_score
    from scores
)

select
    listener_id, first_played_at, last_played_at, first_date_local, last_date_local, span_days, days_active, active_day_share,
    plays, plays_per_active_day, distinct_tracks, distinct_artists, night_share, weekend_share, artist_entropy_bits,
    new_artist_share, skip_known_plays, skip_rate, mean_popularity, popularity_coverage,
    mainstream_explorer_score, underground_hunter_score, music_addict_score, night_owl_score, casual_listener_score,
    ${personalityCase} as personality
from with_casual`,
  orderBy: 'listener_id',
});
