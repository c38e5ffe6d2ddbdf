import { defineTable } from '../../lib/table-spec.ts';
import { MOOD_HIGH, MOOD_LOW, avgOf, rowsWithoutFeatures, stddevOf, syntheticShare, STREAMS_SENTENCE } from '../shared/feature-sql.ts';

/** Archetype by the overall averages: label, description, suggestion (our wording). */
export const ARCHETYPES = [
  { name: 'Energetic Optimist', when: `overall_valence >= ${MOOD_HIGH} and overall_energy >= ${MOOD_HIGH}`,
    description: 'Mostly plays bright, high-energy music',
    tip: 'Your upbeat favourites are a resource: keep a few calmer tracks at hand for winding down in the evening' },
  { name: 'Peaceful Relaxer', when: `overall_valence >= ${MOOD_HIGH} and overall_energy < ${MOOD_LOW}`,
    description: 'Mostly plays pleasant, gentle, low-energy music',
    tip: 'Your calm favourites suit quiet moments: a few livelier tracks can help when you need to get going' },
  { name: 'Intense Focuser', when: `overall_valence < ${MOOD_LOW} and overall_energy >= ${MOOD_HIGH}`,
    description: 'Mostly plays intense, driving music that is low in musical positiveness',
    tip: 'Intense music can suit concentrated work: mixing in some brighter tracks adds variety to long sessions' },
  { name: 'Contemplative Thinker', when: `overall_valence < ${MOOD_LOW} and overall_energy < ${MOOD_LOW}`,
    description: 'Mostly plays quiet, subdued, reflective music',
    tip: 'Reflective music has its place: a playlist of brighter favourites is there for when you want a change of tone' },
  { name: 'Balanced Explorer', when: 'true',
    description: 'Plays music across moods and intensities with no strong lean',
    tip: 'A varied mix: the suggested playlists can help pick music for a particular moment' },
] as const;

const pick = (field: 'name' | 'description' | 'tip') =>
  `case when overall_valence is null or overall_energy is null then null\n${ARCHETYPES.map((a) => `            when ${a.when} then '${a[field]}'`).join('\n')}\n        end`;

export default defineTable({
  layer: 'gold',
  category: 'cognitive',
  name: 'behavioral_segments',
  grainSentence: 'one row per listener',
  grain: ['listener_id'],
  description:
    "A listener's overall listening profile: averages and spread of the audio features over all their streams with features, " +
    'and a listening archetype from the overall valence and energy (3 decimals): both >= 0.6 Energetic Optimist; valence ' +
    '>= 0.6 and energy < 0.4 Peaceful Relaxer; valence < 0.4 and energy >= 0.6 Intense Focuser; both < 0.4 Contemplative ' +
    'Thinker; otherwise Balanced Explorer; null when no play has features. Describes music taste and listening habits, not ' +
    'personality or health.' + ' ' + STREAMS_SENTENCE,
  columns: [
    { name: 'listener_id', type: 'VARCHAR', description: 'Pseudonymous id of the listener' },
    { name: 'overall_valence', type: 'DOUBLE', description: "Average valence (0-1) over the listener's streams with features, 3 decimals" },
    { name: 'overall_energy', type: 'DOUBLE', description: 'Average energy (0-1), 3 decimals' },
    { name: 'overall_danceability', type: 'DOUBLE', description: 'Average danceability (0-1), 3 decimals' },
    { name: 'overall_acousticness', type: 'DOUBLE', description: 'Average acousticness (0-1), 3 decimals' },
    { name: 'mood_variability', type: 'DOUBLE', description: 'Sample standard deviation of valence, 3 decimals' },
    { name: 'energy_variability', type: 'DOUBLE', description: 'Sample standard deviation of energy, 3 decimals' },
    { name: 'total_listens', type: 'BIGINT', description: 'All plays of the listener, with or without features' },
    { name: 'rows_without_features', type: 'BIGINT', description: 'Plays without audio features (not in the averages)' },
    { name: 'listening_archetype', type: 'VARCHAR', description: `${ARCHETYPES.map((a) => a.name).join(', ')} (see the table description)` },
    { name: 'archetype_description', type: 'VARCHAR', description: 'What the archetype means, in our own words' },
    { name: 'wellbeing_recommendation', type: 'VARCHAR', description: 'A suggestion about listening habits for the archetype, in our own words; not health advice' },
    { name: 'synthetic_share', type: 'DOUBLE', description: "Fraction of the listener's streams with features whose features are synthetic" },
  ],
  inputs: ['silver.listening_with_features'],
  sql: `
with events as (
    select * from silver.listening_with_features
),

profiles as (
    select
        listener_id,
        ${avgOf('valence')} as overall_valence,
        ${avgOf('energy')} as overall_energy,
        ${avgOf('danceability')} as overall_danceability,
        ${avgOf('acousticness')} as overall_acousticness,
        ${stddevOf('valence')} as mood_variability,
        ${stddevOf('energy')} as energy_variability,
        count(*)::bigint as total_listens,
        ${rowsWithoutFeatures()} as rows_without_features,
        ${syntheticShare()} as synthetic_share
    from events
    group by listener_id
)

select
    listener_id, overall_valence, overall_energy, overall_danceability, overall_acousticness, mood_variability,
    energy_variability, total_listens, rows_without_features,
    ${pick('name')} as listening_archetype,
    ${pick('description')} as archetype_description,
    ${pick('tip')} as wellbeing_recommendation,
    synthetic_share
from profiles`,
  orderBy: 'listener_id',
});
