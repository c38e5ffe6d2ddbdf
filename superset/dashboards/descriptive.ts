// The "Descriptive" dashboard (gold/descriptive): when and what the listener plays.
import type { DashboardSpec } from '../lib/dashboard-spec.ts';
import { FEATURED, sum, SYNTHETIC_NOTE, syntheticShare, weightedAvg } from '../lib/metrics.ts';

const HOUR_W = FEATURED('play_count');
const DAY_W = FEATURED('total_plays');
const WEEKDAY = { label: 'weekday', sql: "CONCAT(CAST(day_of_week AS VARCHAR), ' ', day_name)" };

const dashboard: DashboardSpec = {
  key: 'descriptive',
  categories: ['descriptive'],
  title: 'Descriptive',
  slug: 'descriptive',
  intro: `## Descriptive analytics\nWhen and what the listener plays: patterns by hour and weekday, daily trends, the distribution of audio features and the top tracks per mood. ${SYNTHETIC_NOTE}`,
  charts: [
    { key: 'descriptive-hour-weekday', countsOnly: true, title: 'Plays by hour and weekday', table: 'gold.listening_patterns_by_time',
      description: 'Number of plays for each local hour of day (x) and weekday (y).',
      chart: { kind: 'heatmap', x: 'hour_of_day', y: WEEKDAY, metric: sum('plays', 'play_count') } },
    { key: 'descriptive-mood-by-hour', title: 'Mood features by hour of day', table: 'gold.listening_patterns_by_time',
      description: 'Average valence, energy, danceability and acousticness of the plays in each local hour, with the synthetic share of their features.',
      chart: { kind: 'line', x: 'hour_of_day', metrics: [weightedAvg('valence', 'avg_valence', HOUR_W), weightedAvg('energy', 'avg_energy', HOUR_W),
        weightedAvg('danceability', 'avg_danceability', HOUR_W), weightedAvg('acousticness', 'avg_acousticness', HOUR_W), syntheticShare(HOUR_W)] } },
    { key: 'descriptive-daily-mood', title: 'Daily mood trend', table: 'gold.temporal_trends', width: 12,
      description: 'Average valence and energy per local day, with the synthetic share of the features.',
      chart: { kind: 'line', x: 'date_local', temporal: true,
        metrics: [weightedAvg('valence', 'avg_valence', DAY_W), weightedAvg('energy', 'avg_energy', DAY_W), syntheticShare(DAY_W)] } },
    { key: 'descriptive-distributions', title: 'Audio feature distributions', table: 'gold.audio_feature_distributions', width: 12,
      description: "Mean, spread and quartiles of each audio feature over the listener's plays.",
      chart: { kind: 'raw', columns: ['listener_id', 'feature_name', 'mean', 'std_dev', 'min', 'p25', 'median', 'p75', 'max', 'sample_size', 'synthetic_share'],
        orderBy: [['listener_id', true], ['feature_name', true]] } },
    { key: 'descriptive-top-by-mood', title: 'Top 10 tracks per mood category', table: 'gold.top_tracks_by_mood', width: 12,
      description: 'The ten most played tracks of each mood category, with their features and synthetic share.',
      chart: { kind: 'raw', where: 'rank_in_category <= 10',
        columns: ['listener_id', 'mood_category', 'rank_in_category', 'track_name', 'artist_name', 'play_count', 'valence', 'energy', 'danceability', 'tempo', 'synthetic_share'],
        orderBy: [['listener_id', true], ['mood_category', true], ['rank_in_category', true]] } },
  ],
};

export default dashboard;
