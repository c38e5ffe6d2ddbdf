import { defineTable } from '../../lib/table-spec.ts';
import { MODEL_STREAMS_SENTENCE } from '../shared/feature-sql.ts';
import { producedBy } from '../shared/produced-by.ts';

export default defineTable({
  layer: 'gold',
  category: 'predictive',
  name: 'feature_importance',
  grainSentence: 'one row per listener (null for catalog models), model and feature',
  grain: ['listener_id', 'model_name', 'feature'],
  description:
    "How much each feature matters to each model. Catalog forests: permutation importance on held-out catalog tracks (drop of R² or accuracy when the feature's column is shuffled; 3 seeded repeats), so it is measured on rows the model did not train on; zero or negative means the model does not use the feature usefully. Time model: |coefficient| times the feature's standard deviation over the listener's training plays." + ' ' + MODEL_STREAMS_SENTENCE,
  columns: [
    { name: 'listener_id', type: 'VARCHAR', description: 'Listener of a per-listener model; null for the catalog models (valence_forest, mood_forest)' },
    { name: 'model_name', type: 'VARCHAR', description: 'Model (valence_forest, mood_forest, energy_time_linear)' },
    { name: 'feature', type: 'VARCHAR', description: 'Feature name' },
    { name: 'importance', type: 'DOUBLE', description: 'Importance (see method); comparable within a model only' },
    { name: 'importance_std', type: 'DOUBLE', description: 'Standard deviation over the permutation repeats (null for coefficient importances)' },
    { name: 'rank', type: 'INTEGER', description: 'Rank within the model (and listener), 1 = most important' },
    { name: 'method', type: 'VARCHAR', description: 'permutation_r2_drop, permutation_accuracy_drop or abs_coefficient_x_std' },
    { name: 'evaluation_set', type: 'VARCHAR', description: 'Rows the importance was measured on (catalog_holdout, or train for coefficients)' },
    { name: 'model_id', type: 'VARCHAR', description: 'Key of the model artifact (catalog models); null for the time model' },
  ],
  inputs: ['silver.listening_with_features', 'silver.catalog_tracks'],
  build: producedBy('model_performance_metrics'),
  orderBy: 'model_name, listener_id, rank',
});
