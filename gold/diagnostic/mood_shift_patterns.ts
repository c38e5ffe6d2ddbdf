import { defineTable } from '../../lib/table-spec.ts';
import { HAS_FEATURES, exactAvg, rounded, STREAMS_ONLY_SENTENCE } from '../shared/feature-sql.ts';

export const STABLE_WITHIN = 0.2;
export const MAJOR_ABOVE = 0.5;

export default defineTable({
  layer: 'gold',
  category: 'diagnostic',
  name: 'mood_shift_patterns',
  grainSentence: 'one row per listener, local hour of day and shift magnitude that occurs',
  grain: ['listener_id', 'hour_of_day', 'shift_magnitude'],
  description:
    'How much the mood of the music changes from one play to the next within a listening session (a session ends after a gap of ' +
    'more than 30 minutes). For each pair of consecutive plays of a session that both have features: valence_change and ' +
    `energy_change (later minus earlier); the shift is Stable if both changes are within +-${STABLE_WITHIN}, Major_Shift if either ` +
    `exceeds ${MAJOR_ABOVE} in absolute value, else Minor_Shift (changes are compared after rounding to 6 decimals, so that 0.8 - 0.6 ` +
    'counts as 0.2). Pairs are counted at the hour of the later play. Pairs where either play lacks features are left out.' + ' ' + STREAMS_ONLY_SENTENCE,
  columns: [
    { name: 'listener_id', type: 'VARCHAR', description: 'Pseudonymous id of the listener' },
    { name: 'hour_of_day', type: 'INTEGER', description: "Local hour 0-23 of the later play of each pair" },
    { name: 'shift_magnitude', type: 'VARCHAR', description: `Stable (both changes within +-${STABLE_WITHIN}), Major_Shift (a change beyond +-${MAJOR_ABOVE}) or Minor_Shift` },
    { name: 'shift_count', type: 'BIGINT', description: 'Pairs of consecutive plays with this magnitude at this hour' },
    { name: 'avg_valence_change', type: 'DOUBLE', description: 'Average signed change of valence (later minus earlier play), 3 decimals' },
    { name: 'avg_energy_change', type: 'DOUBLE', description: 'Average signed change of energy (later minus earlier play), 3 decimals' },
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
        hour_of_day,
        feature_source,
        valence,
        energy,
        ${HAS_FEATURES} as has_features,
        lag(${HAS_FEATURES}) over session_order as previous_has_features,
        lag(feature_source) over session_order as previous_feature_source,
        valence - lag(valence) over session_order as valence_change,
        energy - lag(energy) over session_order as energy_change
    from events
    window session_order as (partition by listener_id, session_id order by session_position, played_at, event_id)
),

shifts as (
    select
        *,
        case
            when abs(round(valence_change, 6)) > ${MAJOR_ABOVE} or abs(round(energy_change, 6)) > ${MAJOR_ABOVE} then 'Major_Shift'
            when abs(round(valence_change, 6)) <= ${STABLE_WITHIN} and abs(round(energy_change, 6)) <= ${STABLE_WITHIN} then 'Stable'
            else 'Minor_Shift'
        end as shift_magnitude,
        ((feature_source = 'synthetic')::integer + (previous_feature_source = 'synthetic')::integer)::double / 2 as pair_synthetic_share
    from with_previous
    where has_features and previous_has_features and valence_change is not null and energy_change is not null
),

by_hour_and_magnitude as (
    select
        listener_id,
        hour_of_day,
        shift_magnitude,
        count(*)::bigint as shift_count,
        ${rounded(exactAvg('valence_change'))} as avg_valence_change,
        ${rounded(exactAvg('energy_change'))} as avg_energy_change,
        avg(pair_synthetic_share)::double as synthetic_share
    from shifts
    group by listener_id, hour_of_day, shift_magnitude
)

select
    listener_id, hour_of_day::integer as hour_of_day, shift_magnitude, shift_count,
    avg_valence_change, avg_energy_change, synthetic_share
from by_hour_and_magnitude`,
  orderBy: "listener_id, hour_of_day, case shift_magnitude when 'Stable' then 1 when 'Minor_Shift' then 2 when 'Major_Shift' then 3 end",
});
