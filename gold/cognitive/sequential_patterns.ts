import { defineTable } from '../../lib/table-spec.ts';
import { HAS_FEATURES, moodCategory, STREAMS_ONLY_SENTENCE } from '../shared/feature-sql.ts';

/** Valence level of a mood category: Sad_* low, Neutral middle, Happy_* high. */
const level = (mood: string) => `case when ${mood} like 'Happy%' then 3 when ${mood} like 'Sad%' then 1 else 2 end`;

/** Rows of a listener in this mood order (a CASE, portable to Trino). */
export const MOOD_ORDER = ['Happy_Energetic', 'Happy_Calm', 'Neutral', 'Sad_Energetic', 'Sad_Calm'] as const;
const moodOrder = (mood: string) => `case ${mood} ${MOOD_ORDER.map((m, i) => `when '${m}' then ${i + 1}`).join(' ')} end`;

/**
 * The listener's persistence share if the next mood did not depend on the current one: the sum over
 * moods of (share of transitions leaving it) x (share arriving in it), from per-mood counts carried
 * on every row (window sums over the listener), not a join of the listener's from and to shares:
 * Trino inlines a CTE at every reference, and each join side computed the session order again.
 */
const independentPersistence = MOOD_ORDER.map((_, i) =>
  `coalesce(cast(from_count_${i} as double) / listener_transitions * (cast(to_count_${i} as double) / listener_transitions), 0)`).join('\n            + ');

export const PATTERN_TYPES = ['Mood Persistence', 'Mood Lift', 'Mood Dip', 'Energy Shift'] as const;

export default defineTable({
  layer: 'gold',
  category: 'cognitive',
  name: 'sequential_patterns',
  grainSentence: 'one row per listener and pair of mood categories (from, to) that occurs between consecutive plays of a session',
  grain: ['listener_id', 'from_mood', 'to_mood'],
  description:
    'How the mood of the music moves from one play to the next within a listening session (a session ends after a gap of ' +
    "more than 30 minutes). Each play's mood category comes from its valence and energy (Happy_Energetic, Happy_Calm, " +
    'Sad_Energetic, Sad_Calm, Neutral; thresholds 0.6 and 0.4 as in top_tracks_by_mood). For every pair of consecutive plays ' +
    'of a session that both have features: transition_count, and transition_probability = the share of the transitions ' +
    "leaving from_mood that go to to_mood (the listener's rows of one from_mood sum to 1). pattern_type: 'Mood Persistence' " +
    "(same category), 'Mood Lift' (towards higher valence: Sad to Neutral or Happy, Neutral to Happy), 'Mood Dip' (towards " +
    "lower valence), 'Energy Shift' (same valence side, other energy: Happy_Energetic to Happy_Calm and the like). A pair " +
    'with a play without features in between is not a transition. Beside each probability, independent_probability is its value if ' +
    "the next mood did not depend on the current one; beside the listener's persistence_share (transitions that keep the mood), " +
    'independent_persistence_share is its value under independence: moods that merely repeat because one mood dominates the mix ' +
    'show persistence_share close to it.' + ' ' + STREAMS_ONLY_SENTENCE,
  columns: [
    { name: 'listener_id', type: 'VARCHAR', description: 'Pseudonymous id of the listener' },
    { name: 'from_mood', type: 'VARCHAR', description: 'Mood category of the earlier play' },
    { name: 'to_mood', type: 'VARCHAR', description: 'Mood category of the next play of the same session' },
    { name: 'transition_count', type: 'BIGINT', description: 'Pairs of consecutive plays, both streams with features, going from from_mood to to_mood' },
    { name: 'transition_probability', type: 'DOUBLE', description: 'transition_count divided by all transitions of the listener leaving from_mood, 3 decimals' },
    { name: 'independent_probability', type: 'DOUBLE', description: "What transition_probability would be if the next play's mood did not depend on the current one: to_mood's share of all the listener's transition destinations, 3 decimals" },
    { name: 'persistence_share', type: 'DOUBLE', description: "Share of all the listener's transitions that stay in the same mood category (Mood Persistence), repeated on each of the listener's rows, 3 decimals" },
    { name: 'independent_persistence_share', type: 'DOUBLE', description: "persistence_share expected if consecutive moods were independent: the sum over moods of (share of transitions leaving it) x (share arriving in it), repeated on each of the listener's rows, 3 decimals. A persistence_share near it says the listener's moods do not persist beyond what their mix gives" },
    { name: 'pattern_type', type: 'VARCHAR', description: `${PATTERN_TYPES.join(', ')} (see the table description)` },
    { name: 'behavioral_insight', type: 'VARCHAR', description: 'What the transition says about listening habits, in our own words (one text per pattern type)' },
    { name: 'synthetic_share', type: 'DOUBLE', description: 'Among the plays of the counted pairs (each pair contributes its two plays), the fraction whose features are synthetic' },
  ],
  inputs: ['silver.listening_with_features'],
  sql: `
with events as (
    select * from silver.listening_with_features
),

with_previous as (
    select
        listener_id,
        feature_source,
        ${HAS_FEATURES} as has_features,
        ${moodCategory()} as to_mood,
        lag(${HAS_FEATURES}) over session_order as previous_has_features,
        lag(feature_source) over session_order as previous_feature_source,
        lag(${moodCategory()}) over session_order as from_mood
    from events
    window session_order as (partition by listener_id, session_id order by session_position, played_at, event_id)
),

transitions as (
    select
        listener_id, from_mood, to_mood,
        ((feature_source = 'synthetic')::integer + (previous_feature_source = 'synthetic')::integer)::double / 2 as pair_synthetic_share
    from with_previous
    where has_features and previous_has_features and from_mood is not null and to_mood is not null
),

counted as (
    select listener_id, from_mood, to_mood, count(*)::bigint as transition_count, avg(pair_synthetic_share)::double as synthetic_share
    from transitions
    group by listener_id, from_mood, to_mood
),

marginals as (
    select
        *,
        sum(transition_count) over (partition by listener_id) as listener_transitions,
        cast(sum(transition_count) over (partition by listener_id, to_mood) as double) / sum(transition_count) over (partition by listener_id) as to_share,
        sum(case when from_mood = to_mood then transition_count else 0 end) over (partition by listener_id) as persistent_transitions,
        ${MOOD_ORDER.map((m, i) => `sum(case when from_mood = '${m}' then transition_count end) over (partition by listener_id) as from_count_${i},
        sum(case when to_mood = '${m}' then transition_count end) over (partition by listener_id) as to_count_${i}`).join(',\n        ')}
    from counted
),

typed as (
    select
        m.*,
        round(transition_count::double / sum(transition_count) over (partition by m.listener_id, from_mood), 3)::double as transition_probability,
        round(to_share, 3)::double as independent_probability,
        round(persistent_transitions::double / listener_transitions, 3)::double as persistence_share,
        round(${independentPersistence}, 3)::double as independent_persistence_share,
        case
            when from_mood = to_mood then '${PATTERN_TYPES[0]}'
            when ${level('to_mood')} > ${level('from_mood')} then '${PATTERN_TYPES[1]}'
            when ${level('to_mood')} < ${level('from_mood')} then '${PATTERN_TYPES[2]}'
            else '${PATTERN_TYPES[3]}'
        end as pattern_type
    from marginals m
)

select
    listener_id, from_mood, to_mood, transition_count, transition_probability, independent_probability,
    persistence_share, independent_persistence_share, pattern_type,
    case pattern_type
        when '${PATTERN_TYPES[0]}' then 'Tends to stay with music of the same character from one track to the next'
        when '${PATTERN_TYPES[1]}' then 'Moves on to brighter, more positive-sounding music'
        when '${PATTERN_TYPES[2]}' then 'Moves on to darker, less positive-sounding music'
        else 'Keeps the tone but changes the intensity of the music'
    end as behavioral_insight,
    synthetic_share
from typed`,
  orderBy: `listener_id, ${moodOrder('from_mood')}, ${moodOrder('to_mood')}`,
});
