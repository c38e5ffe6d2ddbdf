import { defineTable } from '../../lib/table-spec.ts';
import { HAS_FEATURES, avgOf, syntheticShare, STREAMS_SENTENCE } from '../shared/feature-sql.ts';
import { BEST_FEATURE_SOURCE, TRACK_KEY, TRACK_TIE_BREAK } from './track-sql.ts';

export const UPLIFTING_VALENCE = 0.7;
export const MIN_PLAYS = 2;
export const TOP_TRACKS = 20;
export const REASONS = ['High energy track to boost mood', 'Danceable track to improve mood', 'Positive track to enhance wellbeing'] as const;

export default defineTable({
  layer: 'gold',
  category: 'prescriptive',
  name: 'mood_improvement_recommendations',
  grainSentence: "one row per listener and rank (the listener's 20 most positive tracks played at least twice)",
  grain: ['listener_id', 'recommendation_rank'],
  description:
    `Tracks from the listener's own history that sound positive: plays with valence >= ${UPLIFTING_VALENCE} are grouped by track ` +
    `(plays known only by name by artist and title), tracks with at least ${MIN_PLAYS} such plays are ranked by their average ` +
    'valence (3 decimals), ties broken by play count, then track_id, then names, and the top ' +
    `${TOP_TRACKS} are kept. The reason is 'High energy track to boost mood' when avg_energy >= 0.7, else 'Danceable track to ` +
    "improve mood' when avg_danceability >= 0.7, else 'Positive track to enhance wellbeing'. A suggestion about listening habits " +
    'based on audio features, not advice about health.' + ' ' + STREAMS_SENTENCE,
  columns: [
    { name: 'listener_id', type: 'VARCHAR', description: 'Pseudonymous id of the listener' },
    { name: 'recommendation_rank', type: 'INTEGER', description: '1 = highest average valence; ties broken by play count, track_id, then names' },
    { name: 'track_id', type: 'VARCHAR', description: 'Spotify track id; null for plays known only by name' },
    { name: 'track_name', type: 'VARCHAR', description: 'Track title (the alphabetically first spelling when sources differ)' },
    { name: 'artist_name', type: 'VARCHAR', description: 'Main artist (the alphabetically first spelling when sources differ)' },
    { name: 'avg_valence', type: 'DOUBLE', description: `Average valence (0-1) over the track's plays with valence >= ${UPLIFTING_VALENCE}, 3 decimals` },
    { name: 'avg_energy', type: 'DOUBLE', description: 'Average energy (0-1) over the same plays, 3 decimals' },
    { name: 'avg_danceability', type: 'DOUBLE', description: 'Average danceability (0-1) over the same plays, 3 decimals' },
    { name: 'play_count', type: 'BIGINT', description: `Plays of the track with valence >= ${UPLIFTING_VALENCE} (at least ${MIN_PLAYS})` },
    { name: 'recommendation_reason', type: 'VARCHAR', description: `${REASONS.join(', ')} (thresholds in the table description)` },
    { name: 'target_scenario', type: 'VARCHAR', description: 'When the track might fit, in our own words (one text per reason)' },
    { name: 'feature_source', type: 'VARCHAR', description: 'Where the features of these plays come from: spotify_api, kaggle or synthetic (the best source when plays differ)' },
    { name: 'synthetic_share', type: 'DOUBLE', description: 'Fraction of the counted plays whose features are synthetic (0 = real features)' },
  ],
  inputs: ['silver.listening_with_features'],
  sql: `
with events as (
    select * from silver.listening_with_features
),

uplifting_plays as (
    select *, ${TRACK_KEY} as track_key
    from events
    where ${HAS_FEATURES} and valence >= ${UPLIFTING_VALENCE}
),

per_track as (
    select
        listener_id,
        track_key,
        any_value(track_id) as track_id,
        min(track_name) as track_name,
        min(artist_name) as artist_name,
        ${avgOf('valence')} as avg_valence,
        ${avgOf('energy')} as avg_energy,
        ${avgOf('danceability')} as avg_danceability,
        count(*)::bigint as play_count,
        ${BEST_FEATURE_SOURCE} as feature_source,
        ${syntheticShare()} as synthetic_share
    from uplifting_plays
    group by listener_id, track_key
    having count(*) >= ${MIN_PLAYS}
),

ranked as (
    select
        *,
        row_number() over (partition by listener_id order by avg_valence desc, ${TRACK_TIE_BREAK})::integer as recommendation_rank,
        case
            when avg_energy >= 0.7 then '${REASONS[0]}'
            when avg_danceability >= 0.7 then '${REASONS[1]}'
            else '${REASONS[2]}'
        end as recommendation_reason
    from per_track
)

select
    listener_id, recommendation_rank, track_id, track_name, artist_name, avg_valence, avg_energy, avg_danceability,
    play_count, recommendation_reason,
    case recommendation_reason
        when '${REASONS[0]}' then 'When you want to get moving: a workout, a walk, a slow afternoon'
        when '${REASONS[1]}' then 'When you want something lively: cooking, tidying, time with friends'
        else 'When you want a bright, pleasant background: the commute, a break, the start of the day'
    end as target_scenario,
    feature_source, synthetic_share
from ranked
where recommendation_rank <= ${TOP_TRACKS}`,
  orderBy: 'listener_id, recommendation_rank',
});
