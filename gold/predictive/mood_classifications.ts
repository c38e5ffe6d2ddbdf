import { defineTable } from '../../lib/table-spec.ts';
import { MODEL_STREAMS_SENTENCE } from '../shared/feature-sql.ts';
import { producedBy } from '../shared/produced-by.ts';
import { EVENT_ORDER, eventColumns } from './event-columns.ts';

export default defineTable({
  layer: 'gold',
  category: 'predictive',
  name: 'mood_classifications',
  grainSentence: 'one row per listener and listening event',
  grain: ['listener_id', 'event_id'],
  description:
    'Mood category (Happy_Energetic, Happy_Calm, Sad_Energetic, Sad_Calm, Neutral: valence and energy against the 0.6 / 0.4 thresholds) predicted for every listening event by a random-forest classifier trained on Kaggle catalog tracks. Valence and energy define the category and are not features; the features are danceability, loudness, speechiness, acousticness, instrumentalness, liveness, tempo, key, mode and time signature. Splits as in mood_predictions.' + ' ' + MODEL_STREAMS_SENTENCE,
  columns: [
    ...eventColumns,
    { name: 'actual_mood', type: 'VARCHAR', description: "Mood category of the play from its own valence and energy (null without features)" },
    { name: 'predicted_mood', type: 'VARCHAR', description: 'Mood category predicted without valence and energy (null without features)' },
    { name: 'model_name', type: 'VARCHAR', description: 'Model that made the prediction (mood_forest)' },
    { name: 'model_id', type: 'VARCHAR', description: 'Key of the trained model artifact under <data dir>/models/mood_forest/' },
  ],
  inputs: ['silver.listening_with_features', 'silver.catalog_tracks'],
  build: producedBy('model_performance_metrics'),
  orderBy: EVENT_ORDER,
});
