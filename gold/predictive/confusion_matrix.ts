import { defineTable } from '../../lib/table-spec.ts';
import { MODEL_STREAMS_SENTENCE } from '../shared/feature-sql.ts';
import { producedBy } from '../shared/produced-by.ts';

export default defineTable({
  layer: 'gold',
  category: 'predictive',
  name: 'confusion_matrix',
  grainSentence: 'one row per listener (null for the catalog hold-out), model, evaluation set, actual and predicted class',
  grain: ['listener_id', 'model_name', 'evaluation_set', 'actual', 'predicted'],
  description:
    "Counts of actual against predicted mood category for the mood classifier on test rows only: the held-out catalog tracks (listener_id null) and, per listener, the plays not trained on, with real and synthetic targets in separate evaluation sets. Every pair of the five categories has a row, zeros included." + ' ' + MODEL_STREAMS_SENTENCE,
  columns: [
    { name: 'listener_id', type: 'VARCHAR', description: 'Listener of a listener-events set; null for catalog_holdout' },
    { name: 'model_name', type: 'VARCHAR', description: 'Classifier (mood_forest)' },
    { name: 'evaluation_set', type: 'VARCHAR', description: 'catalog_holdout, listener_events (real targets) or listener_events_synthetic' },
    { name: 'actual', type: 'VARCHAR', description: 'Actual mood category' },
    { name: 'predicted', type: 'VARCHAR', description: 'Predicted mood category' },
    { name: 'count', type: 'BIGINT', description: 'Test rows with this actual and predicted category' },
    { name: 'model_id', type: 'VARCHAR', description: 'Key of the model artifact' },
  ],
  inputs: ['silver.listening_with_features', 'silver.catalog_tracks'],
  build: producedBy('model_performance_metrics'),
  orderBy: 'model_name, evaluation_set, listener_id, actual, predicted',
});
