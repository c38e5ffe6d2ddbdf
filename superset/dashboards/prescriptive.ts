// The "Prescriptive" dashboard (gold/prescriptive): suggestions drawn from the listening habits.
import type { DashboardSpec } from '../lib/dashboard-spec.ts';
import { avg, SYNTHETIC_NOTE, syntheticShare } from '../lib/metrics.ts';

const dashboard: DashboardSpec = {
  key: 'prescriptive',
  categories: ['prescriptive'],
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

export default dashboard;
