// The "Predictive" dashboard (gold/predictive): models against their baselines. Column names follow the
// issue texts; a chart reading a column its table's declaration does not have is skipped by the generator
// with a warning.
import type { DashboardSpec } from '../lib/dashboard-spec.ts';
import { avg, sum, SYNTHETIC_FROM_SOURCE } from '../lib/metrics.ts';

const dashboard: DashboardSpec = {
  key: 'predictive',
  categories: ['predictive'],
  title: 'Predictive',
  slug: 'predictive',
  intro: '## Predictive analytics\nModels that predict valence, energy and the mood category. Every metric is computed on rows the model did not train on and is shown next to a baseline computed from the training data only; a model that does not beat its baseline has learnt nothing useful. ' +
    'Rows whose target comes from synthetic features form their own evaluation sets (`*_synthetic`); **synthetic target share** and **synthetic share** say how much of what a chart shows is generated.',
  charts: [
    { key: 'predictive-headline', title: 'Catalog hold-out: models against baselines', table: 'gold.model_performance_metrics', width: 12,
      description: 'R², accuracy and macro-F1 of the catalog models on held-out Kaggle tracks (never trained on) next to the training-data baseline, with the 95 % interval of the improvement (track-clustered bootstrap). One row per model and metric: nothing is averaged.',
      chart: { kind: 'raw', where: "evaluation_set = 'catalog_holdout' AND metric_name IN ('r2', 'accuracy', 'macro_f1')",
        columns: ['model_name', 'metric_name', 'metric_value', 'baseline_value', 'diff_ci_low', 'diff_ci_high', 'verdict', 'n_tracks', 'cv_mean', 'cv_std'],
        orderBy: [['model_name', true], ['metric_name', true]] } },
    { key: 'predictive-listener-results', title: 'Per-listener results with intervals', table: 'gold.model_performance_metrics', width: 12,
      description: "Each listener's later plays (real targets): the model's metric, the baseline's, the 95 % interval of the improvement from a bootstrap over tracks, the verdict, and how many plays and distinct tracks it rests on. Listeners are never averaged together: one outlier would swamp the others.",
      chart: { kind: 'raw', where: "scope = 'listener' AND metric_name IN ('r2', 'rmse', 'accuracy', 'macro_f1') AND evaluation_set IN ('listener_events', 'time_holdout')",
        columns: ['listener_id', 'model_name', 'evaluation_set', 'metric_name', 'metric_value', 'baseline_value', 'diff_ci_low', 'diff_ci_high', 'verdict', 'n_plays', 'n_tracks'],
        orderBy: [['listener_id', true], ['model_name', true], ['metric_name', true]] } },
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
      chart: { kind: 'heatmap', x: { label: 'actual mood', sql: "CONCAT('actual: ', actual)" }, y: { label: 'predicted mood', sql: "CONCAT('predicted: ', predicted)" },
        where: "evaluation_set = 'listener_events'", metric: sum('plays', '"count"') } },
    { key: 'predictive-classifications', title: 'Mood classification by evaluation set', table: 'gold.mood_classifications',
      description: 'Test plays per evaluation set and predicted mood: how many, the share predicted right, and the synthetic share of their features.',
      chart: { kind: 'table', groupby: ['evaluation_set', 'predicted_mood'], where: "split = 'test'",
        metrics: [{ label: 'plays', sql: 'COUNT(*)' }, { label: 'share correct', sql: 'ROUND(AVG(CASE WHEN actual_mood = predicted_mood THEN 1e0 ELSE 0e0 END), 3)' }, SYNTHETIC_FROM_SOURCE] } },
    { key: 'predictive-importance', title: 'Feature importance', table: 'gold.feature_importance', width: 12,
      description: 'How much each input feature contributes to each model.',
      chart: { kind: 'bar', x: 'feature', groupby: ['model_name'], metrics: [avg('importance', 'importance')], byValue: true } },
  ],
};

export default dashboard;
