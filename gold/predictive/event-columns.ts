// Columns every prediction table shares: the event's identity (so a prediction traces back to its
// silver row), its hour for aggregation, where its features came from and which split it was in.
import type { ColumnSpec } from '../../lib/table-spec.ts';

export const SPLIT_DESCRIPTION =
  "train = the model was fitted on this row (or on a track with identical features); test = not trained on and evaluated (metrics use these rows only); apply = predicted or listed only (no evaluation: no target, or not in either set)";

export const eventColumns: ColumnSpec[] = [
  { name: 'listener_id', type: 'VARCHAR', description: 'Pseudonymous id of the listener' },
  { name: 'event_id', type: 'VARCHAR', description: 'Listening event (silver.listening_with_features.event_id)' },
  { name: 'played_at', type: 'TIMESTAMP', description: 'End of playback, UTC' },
  { name: 'hour_of_day', type: 'INTEGER', description: "Local hour 0-23 of the play (the listener's time zone)" },
  { name: 'track_id', type: 'VARCHAR', description: 'Spotify track id (null for account-data plays without one)' },
  { name: 'track_name', type: 'VARCHAR', description: 'Track title as the source reported it' },
  { name: 'artist_name', type: 'VARCHAR', description: 'Main artist as the source reported it' },
  { name: 'feature_source', type: 'VARCHAR', description: "Where the play's audio features (and so its actual value) came from: spotify_api, kaggle (real), synthetic (generated, not a real target) or none" },
  { name: 'split', type: 'VARCHAR', description: SPLIT_DESCRIPTION },
  { name: 'evaluation_set', type: 'VARCHAR', description: 'For test rows, the evaluation set of model_performance_metrics the row counts in (real and synthetic targets are separate sets); null otherwise' },
];

export const EVENT_ORDER = 'listener_id, played_at, event_id';
