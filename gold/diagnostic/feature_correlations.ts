import { defineTable } from '../../lib/table-spec.ts';
import { HAS_FEATURES, corrOf, rounded, syntheticShare, STREAMS_SENTENCE } from '../shared/feature-sql.ts';

export const CORRELATED_FEATURES = ['valence', 'energy', 'danceability', 'acousticness', 'instrumentalness', 'tempo', 'loudness'];

/** The 21 pairs (i < j) in the order of CORRELATED_FEATURES. */
export const FEATURE_PAIRS: [string, string][] = CORRELATED_FEATURES.flatMap((a, i) => CORRELATED_FEATURES.slice(i + 1).map((b): [string, string] => [a, b]));

// All 21 correlations come from one aggregate pass over the plays, as columns <a>__<b>__<statistic>;
// a cross join with the list of pairs then picks each pair's columns (plain CASE rather than structs
// and unnest, so that the same SQL runs on DuckDB and Trino).
const pairStats = FEATURE_PAIRS.map(([a, b]) => [
  `${rounded(corrOf(a, b))} as ${a}__${b}__correlation`,
  `count(*) filter (where ${a} is not null and ${b} is not null)::bigint as ${a}__${b}__sample_size`,
  `${syntheticShare(`case when ${a} is not null and ${b} is not null then feature_source end`)} as ${a}__${b}__synthetic_share`,
].join(',\n        ')).join(',\n        ');

const pairList = FEATURE_PAIRS.map(([a, b]) => `('${a}', '${b}')`).join(', ');

/** The statistic of the row's pair, picked from the wide row w. */
const pick = (s: string) =>
  `case p.feature_1 || '|' || p.feature_2 ${FEATURE_PAIRS.map(([a, b]) => `when '${a}|${b}' then w.${a}__${b}__${s}`).join(' ')} end`;

/** Sort key of a pair: its position in FEATURE_PAIRS. */
const pairOrder = `case feature_1 || '|' || feature_2 ${FEATURE_PAIRS.map(([a, b], i) => `when '${a}|${b}' then ${i + 1}`).join(' ')} end`;

export default defineTable({
  layer: 'gold',
  category: 'diagnostic',
  name: 'feature_correlations',
  grainSentence: 'one row per listener and pair of audio features (21 pairs of valence, energy, danceability, acousticness, instrumentalness, tempo, loudness)',
  grain: ['listener_id', 'feature_1', 'feature_2'],
  description:
    "Which audio features go together in a listener's music: the Pearson correlation over the listener's streams with features " +
    'for every pair of seven features, with its strength (|r| > 0.7 Strong, > 0.4 Moderate, else Weak). Every play counts, so ' +
    'often played tracks weigh more.' + ' ' + STREAMS_SENTENCE,
  columns: [
    { name: 'listener_id', type: 'VARCHAR', description: 'Pseudonymous id of the listener' },
    { name: 'feature_1', type: 'VARCHAR', description: 'First feature of the pair (earlier in: valence, energy, danceability, acousticness, instrumentalness, tempo, loudness)' },
    { name: 'feature_2', type: 'VARCHAR', description: 'Second feature of the pair' },
    { name: 'correlation', type: 'DOUBLE', description: 'Pearson correlation coefficient over the plays, 3 decimals; null when a feature is constant or fewer than two plays' },
    { name: 'strength', type: 'VARCHAR', description: 'Strong if |correlation| > 0.7, Moderate if > 0.4, else Weak (on the rounded value); null when correlation is null' },
    { name: 'sample_size', type: 'BIGINT', description: 'Streams with both features known' },
    { name: 'synthetic_share', type: 'DOUBLE', description: 'Among the plays in sample_size, the fraction whose features are synthetic (null when none)' },
  ],
  inputs: ['silver.listening_with_features'],
  sql: `
with events as (
    select * from silver.listening_with_features
),

featured as (
    select listener_id, feature_source, ms_played, ${CORRELATED_FEATURES.join(', ')}
    from events
    where ${HAS_FEATURES}
),

pairs_wide as (
    select
        listener_id,
        ${pairStats}
    from featured
    group by listener_id
),

pair_names(feature_1, feature_2) as (
    values ${pairList}
),

pairs as (
    select w.listener_id, p.feature_1, p.feature_2,
        ${pick('correlation')} as correlation,
        ${pick('sample_size')} as sample_size,
        ${pick('synthetic_share')} as synthetic_share
    from pairs_wide as w
    cross join pair_names as p
)

select
    listener_id,
    feature_1,
    feature_2,
    correlation,
    case
        when correlation is null then null
        when abs(correlation) > 0.7 then 'Strong'
        when abs(correlation) > 0.4 then 'Moderate'
        else 'Weak'
    end as strength,
    sample_size,
    synthetic_share
from pairs`,
  orderBy: `listener_id, ${pairOrder}`,
});
