import { defineTable } from '../../lib/table-spec.ts';
import { MOOD_HIGH, MOOD_LOW, avgOf, stddevOf, sqlVariables, syntheticShare, STREAMS_SENTENCE } from '../shared/feature-sql.ts';
import { CLUSTER_FEATURES, CLUSTER_SETTINGS as S, NO_STRUCTURE } from './kmeans-model.ts';
import { MEMBERS_TABLE, SCORES_TABLE, clusterListeners, dropClusterTables } from './cluster-job.ts';
import selection, { selectionSql } from './cluster_model_selection.ts';

/** Mood state of a cluster by its average valence and energy (3 decimals). */
export const MOOD_STATES = [
  { name: 'Energetic Joy', when: `avg_valence >= ${MOOD_HIGH} and avg_energy >= ${MOOD_HIGH}` },
  { name: 'Peaceful Contentment', when: `avg_valence >= ${MOOD_HIGH} and avg_energy < ${MOOD_LOW}` },
  { name: 'Intense Focus', when: `avg_valence < ${MOOD_LOW} and avg_energy >= ${MOOD_HIGH}` },
  { name: 'Melancholic Reflection', when: `avg_valence < ${MOOD_LOW} and avg_energy < ${MOOD_LOW}` },
  { name: 'Balanced Neutral', when: 'true' },
] as const;

const stateName = `case\n${MOOD_STATES.map((m) => `            when ${m.when} then '${m.name}'`).join('\n')}\n        end`;

/** A word for the level of a 0-1 average by the same thresholds. */
const level = (avg: string, high: string, mid: string, low: string) =>
  `case when ${avg} >= ${MOOD_HIGH} then '${high}' when ${avg} < ${MOOD_LOW} then '${low}' else '${mid}' end`;

/**
 * A non-negative double with one decimal (rounded to it) as DuckDB prints it ('42.9', '100.0'), built
 * from integers: Trino prints a double in scientific notation ('4.29E1').
 */
const oneDecimalText = (x: string) =>
  `cast(cast(floor(${x}) as bigint) as varchar) || '.' || cast(cast(round(${x} * 10) - 10 * floor(${x}) as bigint) as varchar)`;

const clustersSql = `
with members as (
    select * from temp.${MEMBERS_TABLE}
),

chosen as (
    select listener_id, cluster_structure from temp.${SCORES_TABLE} where chosen
),

events as (
    select * from silver.listening_with_features
),

per_cluster as (
    select
        m.listener_id,
        m.raw_cluster,
        count(*)::bigint as member_count,
        ${CLUSTER_FEATURES.map((f) => `${avgOf(`e.${f.name}`)} as avg_${f.name}`).join(',\n        ')},
        ${stddevOf('e.valence')} as valence_variability,
        ${stddevOf('e.energy')} as energy_variability,
        ${syntheticShare('e.feature_source')} as synthetic_share
    from members m
    join events e on e.listener_id = m.listener_id and e.event_id = m.event_id
    group by m.listener_id, m.raw_cluster
),

numbered as (
    select
        *,
        row_number() over (partition by listener_id order by member_count desc, avg_valence desc, avg_energy desc, raw_cluster)::integer as cluster_id,
        count(*) over (partition by listener_id)::integer as cluster_count,
        round(100e0 * member_count / sum(member_count) over (partition by listener_id), 1)::double as member_percent,
        ${stateName} as mood_state_name,
        'Music of ' || ${level('avg_valence', 'bright', 'moderate', 'sombre')} || ' mood and '
            || ${level('avg_energy', 'high', 'moderate', 'low')} || ' energy' as mood_phrase,
        concat_ws(', ',
            case when avg_danceability >= 0.6 then 'danceable' end,
            case when avg_acousticness >= 0.6 then 'mostly acoustic' end,
            case when avg_instrumentalness >= 0.5 then 'mostly instrumental' end) as traits
    from per_cluster
)

select
    n.listener_id, cluster_id, cluster_count, member_count, member_percent, avg_valence, avg_energy, avg_danceability, avg_acousticness,
    avg_instrumentalness, avg_tempo, avg_loudness, valence_variability, energy_variability, mood_state_name,
    mood_phrase || ' (' || ${oneDecimalText('member_percent')} || '% of the plays), around ' || round(avg_tempo)::integer::varchar || ' BPM'
        || case when traits <> '' then '; ' || traits else '' end as cluster_description,
    c.cluster_structure,
    synthetic_share
from numbered n
join chosen c on c.listener_id = n.listener_id`;

export default defineTable({
  layer: 'gold',
  category: 'cognitive',
  name: 'mood_state_clusters',
  grainSentence: 'one row per listener and mood cluster of their plays',
  grain: ['listener_id', 'cluster_id'],
  description:
    "Groups of a listener's plays that sound alike, found with k-means (ml-kmeans) separately for each listener. Features: " +
    `${CLUSTER_FEATURES.map((f) => f.name).join(', ')}; each is scaled to [0, 1] by a fixed range (tempo 0-250 BPM, loudness ` +
    "-60-0 dB, the others 0-1; values outside are clipped), then standardised over the listener's plays so that every feature " +
    'weighs the same. The number of clusters k (2 to 8) is chosen by silhouette on a seeded sample (see cluster_model_selection); ' +
    'the kept run of the chosen k is the model, and every play is assigned to its nearest centroid. Clusters are numbered by ' +
    'size (then average valence). ' +
    "mood_state_name by the cluster's average valence and energy (3 decimals): both >= 0.6 Energetic Joy; valence >= 0.6 and " +
    'energy < 0.4 Peaceful Contentment; valence < 0.4 and energy >= 0.6 Intense Focus; both < 0.4 Melancholic Reflection; ' +
    `otherwise Balanced Neutral. Listeners with fewer than ${S.minPlays} plays with all seven features get no clusters. ` +
    `cluster_structure says '${NO_STRUCTURE}' when the chosen k separates the plays no better than it separates shuffled features. ` +
    'The clusters describe the music, not the listener\'s state of mind.' + ' ' + STREAMS_SENTENCE,
  columns: [
    { name: 'listener_id', type: 'VARCHAR', description: 'Pseudonymous id of the listener' },
    { name: 'cluster_id', type: 'INTEGER', description: 'Cluster number, 1 = most plays (ties: higher average valence, then energy)' },
    { name: 'cluster_count', type: 'INTEGER', description: 'Number of clusters of the listener (the chosen k; fewer if a cluster ended empty)' },
    { name: 'member_count', type: 'BIGINT', description: 'Streams in the cluster' },
    { name: 'member_percent', type: 'DOUBLE', description: "member_count as a percentage of the listener's clustered plays, 1 decimal" },
    ...CLUSTER_FEATURES.map((f) => ({ name: `avg_${f.name}`, type: 'DOUBLE', description: `Average ${f.name} of the cluster's plays, ${f.name === 'tempo' ? '1 decimal' : '3 decimals'}` })),
    { name: 'valence_variability', type: 'DOUBLE', description: 'Sample standard deviation of valence within the cluster, 3 decimals' },
    { name: 'energy_variability', type: 'DOUBLE', description: 'Sample standard deviation of energy within the cluster, 3 decimals' },
    { name: 'mood_state_name', type: 'VARCHAR', description: `${MOOD_STATES.map((m) => m.name).join(', ')} (see the table description)` },
    { name: 'cluster_description', type: 'VARCHAR', description: 'The cluster in words: mood of the music, share of plays, tempo, notable traits' },
    { name: 'cluster_structure', type: 'VARCHAR', description: `From cluster_model_selection for the chosen k: '${NO_STRUCTURE}' when its silhouette does not exceed that of the same k on column-wise shuffled features, so the clusters are a partition of the plays rather than evidence of distinct groups` },
    { name: 'synthetic_share', type: 'DOUBLE', description: "Fraction of the cluster's plays whose features are synthetic" },
  ],
  inputs: ['silver.listening_with_features'],
  build: async (ctx, spec) => {
    try {
      await clusterListeners(ctx);
      // Both read the job's relations and the lake only: under --engine trino, Trino computes them.
      const portable = { portable: true, variables: sqlVariables(ctx.config) };
      await ctx.tx.write(spec, { sql: clustersSql, orderBy: spec.orderBy, inputs: spec.inputs, ...portable });
      await ctx.tx.write(selection, { sql: selectionSql, orderBy: selection.orderBy, inputs: selection.inputs, ...portable });
    } finally {
      await dropClusterTables(ctx);
    }
  },
  orderBy: 'listener_id, cluster_id',
});
