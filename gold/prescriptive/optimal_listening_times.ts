import { defineTable } from '../../lib/table-spec.ts';
import { MOOD_HIGH, MOOD_LOW, rounded, syntheticShare, PLAYS_SENTENCE } from '../shared/feature-sql.ts';

/** State of an hour by its predicted valence and energy (3 decimals), with one activity and one tip each (our wording). */
export const HOUR_STATES = [
  { name: 'Happy & Energetic', when: `predicted_valence >= ${MOOD_HIGH} and avg_energy >= ${MOOD_HIGH}`,
    activity: 'Exercise, chores or anything that benefits from momentum',
    tip: 'Your music at this hour tends to be upbeat and lively: a good slot for active plans' },
  { name: 'Happy & Calm', when: `predicted_valence >= ${MOOD_HIGH} and avg_energy < ${MOOD_LOW}`,
    activity: 'Reading, cooking or a relaxed conversation',
    tip: 'Your music at this hour tends to be pleasant and unhurried: a good slot for easy-going time' },
  { name: 'Intense & Focused', when: `predicted_valence < ${MOOD_LOW} and avg_energy >= ${MOOD_HIGH}`,
    activity: 'Focused work or a demanding workout',
    tip: 'Your music at this hour tends to be intense: if you want a lighter tone, a few brighter tracks can balance it' },
  { name: 'Reflective & Calm', when: `predicted_valence < ${MOOD_LOW} and avg_energy < ${MOOD_LOW}`,
    activity: 'Journaling, a quiet walk or winding down',
    tip: 'Your music at this hour tends to be quiet and sombre: a calm slot; brighter favourites are there if you want a lift' },
  { name: 'Neutral', when: 'true',
    activity: 'Routine tasks, commuting or open-ended listening',
    tip: 'Your music at this hour has no strong lean: a flexible slot for whatever you choose' },
] as const;

const pick = (field: 'name' | 'activity' | 'tip') =>
  `case\n${HOUR_STATES.map((s) => `            when ${s.when} then '${s[field].replaceAll("'", "''")}'`).join('\n')}\n        end`;

export default defineTable({
  layer: 'gold',
  category: 'prescriptive',
  name: 'optimal_listening_times',
  grainSentence: 'one row per listener and local hour of day with both a valence prediction and an energy forecast',
  grain: ['listener_id', 'hour_of_day'],
  description:
    "What the models expect the listener's music to sound like at each local hour. predicted_valence averages the valence " +
    'predictions of mood_predictions (random forest from the other audio features) over the plays of the hour that have one ' +
    '(train, test and apply rows alike: this describes hours, it is not an evaluation; see model_performance_metrics); ' +
    "avg_energy averages the energy forecasts of energy_forecasts (the listener's hour-and-weekend regression) over the plays " +
    "of the hour. mood_state by the 3-decimal values: both >= 0.6 'Happy & Energetic'; valence >= 0.6 and energy < 0.4 'Happy & " +
    "Calm'; valence < 0.4 and energy >= 0.6 'Intense & Focused'; both < 0.4 'Reflective & Calm'; otherwise 'Neutral'. Hours " +
    'missing either prediction are omitted (plays without features have no valence prediction; listeners without an energy ' +
    'model have no forecasts). Suggestions about listening habits, not health advice.' + ' ' + PLAYS_SENTENCE,
  columns: [
    { name: 'listener_id', type: 'VARCHAR', description: 'Pseudonymous id of the listener' },
    { name: 'hour_of_day', type: 'INTEGER', description: 'Local hour 0-23' },
    { name: 'predicted_valence', type: 'DOUBLE', description: 'Average predicted valence (0-1) of the plays of this hour, from mood_predictions, 3 decimals' },
    { name: 'avg_energy', type: 'DOUBLE', description: 'Average forecast energy (0-1) of the plays of this hour, from energy_forecasts, 3 decimals' },
    { name: 'valence_predictions', type: 'BIGINT', description: 'Plays of this hour with a valence prediction' },
    { name: 'energy_forecasts', type: 'BIGINT', description: 'Plays of this hour with an energy forecast' },
    { name: 'mood_state', type: 'VARCHAR', description: HOUR_STATES.map((s) => s.name).join(', ') + ' (see the table description)' },
    { name: 'recommended_activity', type: 'VARCHAR', description: 'An activity that suits the state, in our own words (one text per state)' },
    { name: 'wellbeing_tip', type: 'VARCHAR', description: 'A note about listening habits for the state, in our own words (one text per state); not health advice' },
    { name: 'synthetic_share', type: 'DOUBLE', description: 'Fraction of the plays with a valence prediction whose audio features (the model inputs) are synthetic' },
  ],
  inputs: ['gold.mood_predictions', 'gold.energy_forecasts'],
  sql: `
with valence_predictions as (
    select * from gold.mood_predictions
),

forecasts as (
    select * from gold.energy_forecasts
),

valence_by_hour as (
    select
        listener_id,
        hour_of_day,
        ${rounded('avg(predicted_valence)')} as predicted_valence,
        count(*)::bigint as valence_predictions,
        ${syntheticShare('feature_source', 'true')} as synthetic_share
    from valence_predictions
    where predicted_valence is not null
    group by listener_id, hour_of_day
),

energy_by_hour as (
    select listener_id, hour_of_day, ${rounded('avg(predicted_energy)')} as avg_energy, count(*)::bigint as energy_forecasts
    from forecasts
    where predicted_energy is not null
    group by listener_id, hour_of_day
),

hours as (
    select *
    from valence_by_hour
    join energy_by_hour using (listener_id, hour_of_day)
)

select
    listener_id, hour_of_day::integer as hour_of_day, predicted_valence, avg_energy, valence_predictions, energy_forecasts,
    ${pick('name')} as mood_state,
    ${pick('activity')} as recommended_activity,
    ${pick('tip')} as wellbeing_tip,
    synthetic_share
from hours`,
  orderBy: 'listener_id, hour_of_day',
});
