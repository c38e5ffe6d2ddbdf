import { defineTable } from '../../lib/table-spec.ts';
import { PLAYS_SENTENCE } from '../shared/feature-sql.ts';

export default defineTable({
  layer: 'gold',
  category: 'descriptive',
  name: 'feature_source_coverage',
  grainSentence: "one row per listener and feature source present in the listener's plays",
  grain: ['listener_id', 'feature_source'],
  description:
    "Where the audio features of a listener's plays come from: the Spotify API, the Kaggle tracks data set, synthetic generation, " +
    "or nowhere ('none'). Shows how much of every other gold table rests on real features." + ' ' + PLAYS_SENTENCE,
  columns: [
    { name: 'listener_id', type: 'VARCHAR', description: 'Pseudonymous id of the listener' },
    { name: 'feature_source', type: 'VARCHAR', description: 'spotify_api, kaggle, synthetic or none' },
    { name: 'record_count', type: 'BIGINT', description: 'Plays whose features come from this source' },
    { name: 'percentage', type: 'DOUBLE', description: "record_count as a percentage (0-100) of all the listener's plays, 2 decimals" },
    { name: 'synthetic_share', type: 'DOUBLE', description: "1 for the synthetic row, 0 for real sources, null for 'none' (the same rule as in every gold table)" },
  ],
  inputs: ['silver.listening_with_features'],
  sql: `
with events as (
    select listener_id, coalesce(feature_source, 'none') as feature_source
    from silver.listening_with_features
),

by_source as (
    select listener_id, feature_source, count(*)::bigint as record_count
    from events
    group by listener_id, feature_source
)

select
    listener_id,
    feature_source,
    record_count,
    round(100.0 * record_count::double / sum(record_count) over (partition by listener_id), 2)::double as percentage,
    (case when feature_source = 'none' then null when feature_source = 'synthetic' then 1.0 else 0.0 end)::double as synthetic_share
from by_source`,
  orderBy: "listener_id, case feature_source when 'spotify_api' then 1 when 'kaggle' then 2 when 'synthetic' then 3 when 'none' then 4 end nulls last, feature_source",
});
