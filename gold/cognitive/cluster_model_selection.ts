import { defineTable } from '../../lib/table-spec.ts';
import { syntheticShare, STREAMS_SENTENCE } from '../shared/feature-sql.ts';
import { producedBy } from '../shared/produced-by.ts';
import { CLUSTER_SETTINGS as S, NO_STRUCTURE, STRUCTURE } from './kmeans-model.ts';
import { MEMBERS_TABLE, SCORES_TABLE } from './cluster-job.ts';

export const selectionSql = `
with scores as (
    select * from temp.${SCORES_TABLE}
),

members as (
    select * from temp.${MEMBERS_TABLE}
),

events as (
    select * from silver.listening_with_features
),

sample_share as (
    select m.listener_id, ${syntheticShare('e.feature_source')} as synthetic_share
    from members m
    join events e on e.listener_id = m.listener_id and e.event_id = m.event_id
    where m.in_sample
    group by m.listener_id
)

select
    s.listener_id, s.k, s.silhouette, s.null_silhouette, s.cluster_structure, s.within_cluster_sum_of_squares, s.stability, s.chosen,
    s.sample_size, s.seed, s.runs, sh.synthetic_share
from scores s
join sample_share sh on sh.listener_id = s.listener_id`;

export default defineTable({
  layer: 'gold',
  category: 'cognitive',
  name: 'cluster_model_selection',
  grainSentence: 'one row per listener and number of clusters k tried (2 to 8)',
  grain: ['listener_id', 'k'],
  description:
    "How the number of mood clusters of mood_state_clusters was chosen, per listener. Each k from 2 to 8 is run with k-means " +
    `(ml-kmeans, k-means++ starts) ${S.runs} times with seeds ${S.seed} to ${S.seed + S.runs - 1} on a seeded sample of up to ` +
    `${S.sampleSize} of the listener's plays (sample seed ${S.seed}), on the standardised features described in mood_state_clusters. ` +
    'Of the runs of a k, the one with the lowest within-cluster sum of squares is kept (as k-means with several starts does); ' +
    'silhouette is its mean silhouette coefficient on the sample (-1 to 1, higher = better separated clusters), and the k with ' +
    'the highest silhouette is chosen (3 decimals; ties go to the smaller k). stability is the spread (max - min) of the ' +
    'silhouette across the seeded runs: 0 means every start found equally good clusters, a large value that the clusters ' +
    'depend on the start. k is capped at the number of distinct plays in the sample minus one. null_silhouette is a null ' +
    'reference: the same k scored the same way on the sample with every feature column shuffled independently (seed ' +
    `${S.seed}), which keeps each feature's distribution but destroys any joint structure; cluster_structure says ` +
    `'${NO_STRUCTURE}' when the real silhouette does not exceed it. The plays are put in a canonical order (by their feature ` +
    "values) before sampling, so the choice depends on the plays only, never on the listener's pseudonym." + ' ' + STREAMS_SENTENCE,
  columns: [
    { name: 'listener_id', type: 'VARCHAR', description: 'Pseudonymous id of the listener' },
    { name: 'k', type: 'INTEGER', description: 'Number of clusters tried' },
    { name: 'silhouette', type: 'DOUBLE', description: 'Mean silhouette coefficient on the sample of the kept run (lowest WCSS of the seeded runs), 3 decimals' },
    { name: 'null_silhouette', type: 'DOUBLE', description: 'Silhouette of the same k on the sample with each feature column shuffled independently (seeded), scored like silhouette, 3 decimals: what a silhouette this high is worth without any cluster structure' },
    { name: 'cluster_structure', type: 'VARCHAR', description: `'${NO_STRUCTURE}' when silhouette does not exceed null_silhouette, else '${STRUCTURE}'` },
    { name: 'within_cluster_sum_of_squares', type: 'DOUBLE', description: 'Within-cluster sum of squared distances (standardised units) on the sample of the kept run, 3 decimals' },
    { name: 'stability', type: 'DOUBLE', description: 'Spread of the silhouette across the seeded runs: max minus min, 3 decimals (0 = every run equally good)' },
    { name: 'chosen', type: 'BOOLEAN', description: 'True for the k used in mood_state_clusters (highest silhouette)' },
    { name: 'sample_size', type: 'INTEGER', description: 'Streams in the seeded sample the scores are computed on' },
    { name: 'seed', type: 'INTEGER', description: 'Seed of the sample and of the first run (the runs use seed, seed + 1, …)' },
    { name: 'runs', type: 'INTEGER', description: 'Seeded k-means runs per k' },
    { name: 'synthetic_share', type: 'DOUBLE', description: 'Fraction of the sampled plays whose features are synthetic' },
  ],
  inputs: ['silver.listening_with_features'],
  build: producedBy('mood_state_clusters'),
  orderBy: 'listener_id, k',
});
