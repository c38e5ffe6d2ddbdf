import { defineTable } from '../../lib/table-spec.ts';
import { MODEL_STREAMS_SENTENCE } from '../shared/feature-sql.ts';
import { producedBy } from '../shared/produced-by.ts';
import { EVENT_ORDER, eventColumns } from './event-columns.ts';

export default defineTable({
  layer: 'gold',
  category: 'predictive',
  name: 'energy_forecasts',
  grainSentence: 'one row per listener and listening event',
  grain: ['listener_id', 'event_id'],
  description:
    "Energy of every play forecast from its time alone: per listener, a linear regression (ml-regression) on two harmonics of the local hour (sin and cos of 2π·h/24 and 4π·h/24) and a weekend flag, trained on the listener's earlier plays with real energy (Spotify API or Kaggle) and tested on the latest 20 % of them (time-based split). baseline_energy is the stronger of two baselines computed from the same training plays only: the per-hour mean energy or the plain mean energy, whichever has the lower squared error on the latest 20 % of the training plays when fitted on the earlier ones (never chosen on test plays); model_performance_metrics.baseline_name says which. Listeners with fewer than 30 real training plays get no model (null forecasts). Synthetic energies are never trained on; later plays with them form a separate evaluation set." + ' ' + MODEL_STREAMS_SENTENCE,
  columns: [
    ...eventColumns.slice(0, 4),
    { name: 'is_weekend', type: 'BOOLEAN', description: 'Saturday or Sunday, local' },
    ...eventColumns.slice(4),
    { name: 'actual_energy', type: 'DOUBLE', description: 'Energy of the play from its feature source (null without features)' },
    { name: 'predicted_energy', type: 'DOUBLE', description: "Energy forecast from the local hour and the weekend by the listener's model (null when the listener has no model)" },
    { name: 'baseline_energy', type: 'DOUBLE', description: "Baseline forecast from the listener's training plays only: their mean energy in this local hour (their overall mean when the hour has none), or their overall mean, whichever was stronger on a validation slice of the training plays" },
    { name: 'model_name', type: 'VARCHAR', description: 'Model that made the forecast (energy_time_linear)' },
  ],
  inputs: ['silver.listening_with_features'],
  build: producedBy('model_performance_metrics'),
  orderBy: EVENT_ORDER,
});
