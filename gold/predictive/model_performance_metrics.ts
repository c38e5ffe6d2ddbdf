// The predictive job is declared here: it trains (or reuses) the models and writes all six tables of
// gold/predictive; the other five declare build: producedBy('model_performance_metrics').
import { defineTable } from '../../lib/table-spec.ts';
import { MODEL_STREAMS_SENTENCE } from '../shared/feature-sql.ts';
import { runPredictiveJob } from './predictive-job.ts';

const text = (name: string, description: string) => ({ name, type: 'VARCHAR', description });
const num = (name: string, description: string) => ({ name, type: 'DOUBLE', description });

export default defineTable({
  layer: 'gold',
  category: 'predictive',
  name: 'model_performance_metrics',
  grainSentence: 'one row per listener (null for catalog-level sets), model, evaluation set and metric',
  grain: ['listener_id', 'model_name', 'evaluation_set', 'metric_name'],
  description:
    'Test metrics of every predictive model beside a baseline computed from the training data only and scored on the same test rows (train mean, train majority class; for energy the stronger of the per-hour and the plain training mean, chosen on a validation slice of the training plays), with a 95 % interval of the improvement over the baseline from a cluster bootstrap (1,000 seeded resamples of whole tracks, or of feature vectors on the catalog hold-out, since plays of one track share their error) and a verdict from it. No metric uses a row the model was trained on. Sets: catalog_holdout (held-out Kaggle tracks, with grouped 5-fold CV mean and std), listener_events / time_holdout (plays with real targets) and *_synthetic (plays whose target is synthetic, synthetic_target_share = 1, never mixed in).' + ' ' + MODEL_STREAMS_SENTENCE,
  columns: [
    text('listener_id', 'Listener of a listener-level set; null for catalog-level sets (catalog_holdout)'),
    text('model_name', 'valence_forest (mood_predictions), mood_forest (mood_classifications) or energy_time_linear (energy_forecasts)'),
    text('evaluation_set', 'catalog_holdout, listener_events, listener_events_synthetic, time_holdout or time_holdout_synthetic'),
    text('model_type', 'Algorithm and library'),
    text('target', 'Predicted column (valence, mood, energy)'),
    text('features', 'Features of the model, comma-separated'),
    text('train_source', 'What the model was trained on'),
    text('test_source', 'What the metric was computed on'),
    { name: 'train_rows', type: 'BIGINT', description: 'Training rows of the model' },
    { name: 'test_rows', type: 'BIGINT', description: 'Test rows behind the metric' },
    { name: 'n_plays', type: 'BIGINT', description: 'Plays in the evaluation set (listener sets); null for catalog_holdout, which holds catalog tracks, not plays' },
    { name: 'n_tracks', type: 'BIGINT', description: 'Distinct tracks in the evaluation set (catalog_holdout: held-out catalog tracks): the clusters the interval resamples (catalog: feature vectors)' },
    text('metric_name', 'rmse, mae, r2 (regression); accuracy, macro_f1, precision_<class>, recall_<class> (classification)'),
    num('metric_value', 'Value of the metric for the model on the test rows'),
    num('baseline_value', 'Value of the same metric for the baseline on the same test rows'),
    num('cv_mean', 'Mean of the metric over the grouped cross-validation folds (catalog_holdout rows only)'),
    num('cv_std', 'Sample standard deviation of the metric over the folds (catalog_holdout rows only)'),
    num('synthetic_target_share', 'Share of the test rows whose target is synthetic: 0 or 1, since real and synthetic targets are separate sets'),
    { name: 'seed', type: 'INTEGER', description: 'Seed of the splits and forests (null for the time model, which has no randomness)' },
    num('training_seconds', 'Wall time of fitting the final model, seconds (as recorded when it was trained)'),
    { name: 'trained_at', type: 'TIMESTAMP', description: 'When the model was trained (UTC); a reused catalog model keeps its time' },
    text('baseline_name', 'What the baseline predicts'),
    num('diff_ci_low', 'Lower end of the 95 % cluster-bootstrap interval of the improvement over the baseline, oriented so that positive = model better: baseline minus model for rmse and mae (lower is better), model minus baseline for r2, accuracy and macro_f1 (higher is better). Null for per-class rows and with fewer than 5 tracks'),
    num('diff_ci_high', 'Upper end of the same interval (positive = model better; see diff_ci_low)'),
    text('verdict', 'better (the whole interval is above 0), worse (below 0) or inconclusive (it contains 0, or fewer than 5 tracks; macro_f1 is better only when accuracy is better too, since a constant majority class is no bar for macro-F1); null for per-class rows (precision_*, recall_*), which compare nothing'),
    { name: 'beats_baseline', type: 'BOOLEAN', description: "verdict = 'better' (kept for existing charts); null for per-class rows" },
    text('scope', 'catalog (model-level set) or listener'),
    text('model_id', 'Key of the catalog model artifact; null for the time model'),
  ],
  inputs: ['silver.listening_with_features', 'silver.catalog_tracks'],
  build: runPredictiveJob,
  orderBy: 'model_name, evaluation_set, listener_id, metric_name',
});
