// The "Cognitive" dashboard (gold/cognitive): structure found in the listening.
import type { DashboardSpec } from '../lib/dashboard-spec.ts';
import { avg, sum, SYNTHETIC_NOTE, syntheticShare, weightedAvg } from '../lib/metrics.ts';

const dashboard: DashboardSpec = {
  key: 'cognitive',
  categories: ['cognitive'],
  title: 'Cognitive',
  slug: 'cognitive',
  intro: `## Cognitive analytics\nStructure found in the listening: mood clusters (k-means), how k was chosen, unusual hours, mood transitions and the listener's archetype. ${SYNTHETIC_NOTE}`,
  charts: [
    { key: 'cognitive-clusters', title: 'Mood state clusters', table: 'gold.mood_state_clusters',
      description: 'Plays per cluster, named by its average valence and energy, with the synthetic share.',
      chart: { kind: 'table', groupby: ['mood_state_name'], metrics: [sum('plays', 'member_count'), weightedAvg('valence', 'avg_valence', 'member_count'),
        weightedAvg('energy', 'avg_energy', 'member_count'), syntheticShare('member_count')] } },
    { key: 'cognitive-model-selection', title: 'Choosing k (silhouette)', table: 'gold.cluster_model_selection',
      description: 'Silhouette score and its spread across seeds for each number of clusters k.',
      chart: { kind: 'line', x: 'k', metrics: [avg('silhouette', 'silhouette'), avg('stability', 'stability'), syntheticShare()] } },
    { key: 'cognitive-anomalies', title: 'Listening anomalies by hour', table: 'gold.listening_anomalies', width: 12,
      description: 'Hours with plays far from the hour\'s usual valence or energy.',
      chart: { kind: 'raw', columns: ['listener_id', 'hour_of_day', 'anomaly_count', 'anomaly_severity', 'interpretation', 'synthetic_share'],
        orderBy: [['listener_id', true], ['hour_of_day', true]] } },
    { key: 'cognitive-transitions', title: 'Mood transitions', table: 'gold.sequential_patterns', syntheticShownBy: 'cognitive-patterns',
      description: 'Probability of moving from one mood category (x) to the next (y) within a session; the synthetic share is in the table beside it.',
      chart: { kind: 'heatmap', x: { label: 'from mood', sql: "CONCAT('from: ', from_mood)" }, y: { label: 'to mood', sql: "CONCAT('to: ', to_mood)" },
        metric: avg('probability', 'transition_probability') } },
    { key: 'cognitive-patterns', title: 'Transition patterns', table: 'gold.sequential_patterns',
      description: 'Mood transitions by pattern type, with the synthetic share of the features behind them.',
      chart: { kind: 'table', groupby: ['pattern_type'], metrics: [sum('transitions', 'transition_count'), syntheticShare('transition_count')] } },
    { key: 'cognitive-segments', title: 'Listener archetypes', table: 'gold.behavioral_segments', width: 12,
      description: 'Each listener\'s archetype with the overall features behind it.',
      chart: { kind: 'raw', columns: ['listener_id', 'listening_archetype', 'overall_valence', 'overall_energy', 'mood_variability', 'total_listens', 'synthetic_share'],
        orderBy: [['listener_id', true]] } },
  ],
};

export default dashboard;
