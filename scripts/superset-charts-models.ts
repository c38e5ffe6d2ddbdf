// Built-in dashboards on the predictive, prescriptive and cognitive gold tables, and on the ops
// tables. Column names follow the issue texts; a chart reading a column its table's declaration
// does not have is skipped by scripts/superset-assets.ts with a warning.
import type { DashboardSpec } from './superset-charts.ts';
import { avg, sum, SYNTHETIC_FROM_SOURCE, SYNTHETIC_NOTE, syntheticShare, weightedAvg } from './superset-metrics.ts';

const MODEL_METRIC = { label: 'model and metric', sql: "CONCAT(model_name, ' ', metric_name)" };

export const PREDICTIVE: DashboardSpec = {
  key: 'predictive',
  title: 'Predictive',
  slug: 'predictive',
  intro: '## Predictive analytics\nModels that predict valence, energy and the mood category. Every metric is computed on rows the model did not train on and is shown next to a baseline computed from the training data only; a model that does not beat its baseline has learnt nothing useful. ' +
    'Rows whose target comes from synthetic features form their own evaluation sets (`*_synthetic`); **synthetic target share** and **synthetic share** say how much of what a chart shows is generated.',
  charts: [
    { key: 'predictive-headline', title: 'Headline metrics against baselines', table: 'gold.model_performance_metrics',
      description: 'R², accuracy and macro-F1 on later listener plays (real targets) next to the training-data baseline.',
      chart: { kind: 'bar', x: MODEL_METRIC, where: "evaluation_set = 'listener_events' AND metric_name IN ('r2', 'accuracy', 'macro_f1')",
        metrics: [avg('model', 'metric_value'), avg('baseline', 'baseline_value'), avg('synthetic target share', 'synthetic_target_share')] } },
    { key: 'predictive-metrics', title: 'All model metrics', table: 'gold.model_performance_metrics',
      description: 'Every metric of every model and evaluation set with its baseline and synthetic target share.',
      chart: { kind: 'table', groupby: ['model_name', 'evaluation_set', 'metric_name'], rowLimit: 500,
        metrics: [avg('model', 'metric_value'), avg('baseline', 'baseline_value'), avg('synthetic target share', 'synthetic_target_share')] } },
    { key: 'predictive-valence', title: 'Predicted vs actual valence', table: 'gold.mood_predictions',
      description: 'Test plays grouped by actual valence (0.1 wide bins): the average prediction against the actual value.',
      chart: { kind: 'line', x: { label: 'actual valence bin', sql: 'ROUND(actual_valence, 1)' }, where: "split = 'test'",
        metrics: [avg('predicted', 'predicted_valence'), avg('actual', 'actual_valence'), SYNTHETIC_FROM_SOURCE] } },
    { key: 'predictive-energy', title: 'Predicted vs actual energy', table: 'gold.energy_forecasts',
      description: 'Test plays grouped by actual energy (0.1 wide bins): the average forecast against the actual value and the baseline.',
      chart: { kind: 'line', x: { label: 'actual energy bin', sql: 'ROUND(actual_energy, 1)' }, where: "split = 'test'",
        metrics: [avg('predicted', 'predicted_energy'), avg('actual', 'actual_energy'), avg('baseline', 'baseline_energy'), SYNTHETIC_FROM_SOURCE] } },
    { key: 'predictive-confusion', title: 'Mood classifier confusion matrix', table: 'gold.confusion_matrix',
      description: 'Later listener plays with real targets by actual (x) and predicted (y) mood category.',
      chart: { kind: 'heatmap', x: 'actual', y: 'predicted', where: "evaluation_set = 'listener_events'", metric: sum('plays', '"count"') } },
    { key: 'predictive-classifications', title: 'Mood classification by evaluation set', table: 'gold.mood_classifications',
      description: 'Test plays per evaluation set and predicted mood: how many, the share predicted right, and the synthetic share of their features.',
      chart: { kind: 'table', groupby: ['evaluation_set', 'predicted_mood'], where: "split = 'test'",
        metrics: [{ label: 'plays', sql: 'COUNT(*)' }, { label: 'share correct', sql: 'ROUND(AVG(CASE WHEN actual_mood = predicted_mood THEN 1e0 ELSE 0e0 END), 3)' }, SYNTHETIC_FROM_SOURCE] } },
    { key: 'predictive-importance', title: 'Feature importance', table: 'gold.feature_importance', width: 12,
      description: 'How much each input feature contributes to each model.',
      chart: { kind: 'bar', x: 'feature', groupby: ['model_name'], metrics: [avg('importance', 'importance')] } },
  ],
};

export const PRESCRIPTIVE: DashboardSpec = {
  key: 'prescriptive',
  title: 'Prescriptive',
  slug: 'prescriptive',
  intro: `## Prescriptive analytics\nSuggestions drawn from the listening habits: tracks that lift the mood, good hours for some activities, playlists and hours that may call for a change. These are habits, not clinical advice. ${SYNTHETIC_NOTE}`,
  charts: [
    { key: 'prescriptive-optimal-times', title: 'Predicted mood by hour of day', table: 'gold.optimal_listening_times', width: 12,
      description: 'Predicted valence and average energy per hour, with the synthetic share.',
      chart: { kind: 'line', x: 'hour_of_day', metrics: [avg('predicted valence', 'predicted_valence'), avg('energy', 'avg_energy'), syntheticShare()] } },
    { key: 'prescriptive-activities', title: 'Recommended activity by hour', table: 'gold.optimal_listening_times', width: 12,
      description: 'The mood state of each hour with an activity and a tip.',
      chart: { kind: 'raw', columns: ['listener_id', 'hour_of_day', 'mood_state', 'recommended_activity', 'wellbeing_tip', 'synthetic_share'],
        orderBy: [['listener_id', true], ['hour_of_day', true]] } },
    { key: 'prescriptive-mood-tracks', title: 'Mood improvement tracks', table: 'gold.mood_improvement_recommendations', width: 12,
      description: 'Often played high-valence tracks and why they are suggested.',
      chart: { kind: 'raw', columns: ['listener_id', 'track_name', 'artist_name', 'avg_valence', 'avg_energy', 'avg_danceability', 'play_count', 'recommendation_reason', 'feature_source', 'synthetic_share'],
        orderBy: [['listener_id', true], ['avg_valence', false]] } },
    { key: 'prescriptive-playlists', title: 'Personalised playlists', table: 'gold.personalized_playlist_suggestions', width: 12,
      description: 'Four playlists built from the listener\'s own tracks.',
      chart: { kind: 'raw', columns: ['listener_id', 'playlist_name', 'position', 'track_name', 'artist_name', 'play_count', 'synthetic_share'],
        orderBy: [['listener_id', true], ['playlist_name', true], ['position', true]] } },
    { key: 'prescriptive-triggers', title: 'Mood intervention triggers', table: 'gold.mood_intervention_triggers', width: 12,
      description: 'Hours whose average valence is low, with a suggestion.',
      chart: { kind: 'raw', columns: ['listener_id', 'hour_of_day', 'avg_valence', 'avg_energy', 'low_mood_count', 'total_plays', 'intervention_needed', 'suggested_intervention', 'synthetic_share'],
        orderBy: [['listener_id', true], ['hour_of_day', true]] } },
  ],
};

export const COGNITIVE: DashboardSpec = {
  key: 'cognitive',
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
      chart: { kind: 'heatmap', x: 'from_mood', y: 'to_mood', metric: avg('probability', 'transition_probability') } },
    { key: 'cognitive-patterns', title: 'Transition patterns', table: 'gold.sequential_patterns',
      description: 'Mood transitions by pattern type, with the synthetic share of the features behind them.',
      chart: { kind: 'table', groupby: ['pattern_type'], metrics: [sum('transitions', 'transition_count'), syntheticShare('transition_count')] } },
    { key: 'cognitive-segments', title: 'Listener archetypes', table: 'gold.behavioral_segments', width: 12,
      description: 'Each listener\'s archetype with the overall features behind it.',
      chart: { kind: 'raw', columns: ['listener_id', 'listening_archetype', 'overall_valence', 'overall_energy', 'mood_variability', 'total_listens', 'synthetic_share'],
        orderBy: [['listener_id', true]] } },
  ],
};

export const OPERATIONS: DashboardSpec = {
  key: 'operations',
  title: 'Operations',
  slug: 'operations',
  intro: '## Operations\nPipeline runs and data-quality checks of the scheduler and manual runs. These tables are not per listener, so this dashboard has no listener filter.',
  charts: [
    { key: 'operations-runs', title: 'Pipeline runs', table: 'ops.pipeline_runs', width: 12,
      description: 'Recent runs with their trigger, status and error.',
      chart: { kind: 'raw', columns: ['run_id', 'trigger', 'started_at', 'finished_at', 'duration_ms', 'status', 'rows_written', 'quality_errors', 'quality_warnings', 'error'],
        orderBy: [['started_at', false]], rowLimit: 200 } },
    { key: 'operations-checks', title: 'Data-quality checks', table: 'ops.data_quality_checks', width: 12,
      description: 'Check results by status and level.',
      chart: { kind: 'table', groupby: ['check_name', 'level', 'status'], metrics: [{ label: 'checks', sql: 'COUNT(*)' }] } },
  ],
};
