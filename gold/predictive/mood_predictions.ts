import { defineTable } from '../../lib/table-spec.ts';
import { MODEL_STREAMS_SENTENCE } from '../shared/feature-sql.ts';
import { producedBy } from '../shared/produced-by.ts';
import { EVENT_ORDER, eventColumns } from './event-columns.ts';

export default defineTable({
  layer: 'gold',
  category: 'predictive',
  name: 'mood_predictions',
  grainSentence: 'one row per listener and listening event',
  grain: ['listener_id', 'event_id'],
  description:
    'Valence predicted for every listening event by a random forest (ml-random-forest, 50 trees, depth 10) trained on Kaggle catalog tracks from the other audio features: danceability, energy, loudness, speechiness, acousticness, instrumentalness, liveness, tempo, key, mode and time signature. Plays whose track (or identical feature vector) was in the training set are split = train; the others with features are test; plays without features have no prediction. Read the metrics in model_performance_metrics before using the predictions.' + ' ' + MODEL_STREAMS_SENTENCE,
  columns: [
    ...eventColumns,
    { name: 'actual_valence', type: 'DOUBLE', description: 'Valence of the play from its feature source (null without features)' },
    { name: 'predicted_valence', type: 'DOUBLE', description: 'Valence predicted from the other audio features of the play (null without features)' },
    { name: 'model_name', type: 'VARCHAR', description: 'Model that made the prediction (valence_forest)' },
    { name: 'model_id', type: 'VARCHAR', description: 'Key of the trained model artifact under <data dir>/models/valence_forest/ (changes when the catalog or the settings change)' },
  ],
  inputs: ['silver.listening_with_features', 'silver.catalog_tracks'],
  build: producedBy('model_performance_metrics'),
  orderBy: EVENT_ORDER,
});
