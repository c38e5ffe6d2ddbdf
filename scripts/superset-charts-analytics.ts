// Built-in dashboards on the descriptive and diagnostic gold tables (issue texts' names).
import type { DashboardSpec } from './superset-charts.ts';
import { avg, FEATURED, sum, SYNTHETIC_NOTE, syntheticShare, weightedAvg } from './superset-metrics.ts';

const HOUR_W = FEATURED('play_count');
const DAY_W = FEATURED('total_plays');
const WEEKDAY = { label: 'weekday', sql: "CONCAT(CAST(day_of_week AS VARCHAR), ' ', day_name)" };
const PART_OF_DAY = { label: 'part of day', sql: "CONCAT(CAST(part_of_day_order AS VARCHAR), ' ', part_of_day)" };

export const OVERVIEW: DashboardSpec = {
  key: 'overview',
  title: 'Listening overview',
  slug: 'listening-overview',
  intro: `## Listening overview\nHow much was played, where the audio features come from, and the most played tracks. ${SYNTHETIC_NOTE}`,
  charts: [
    { key: 'overview-total-plays', countsOnly: true, title: 'Total plays', table: 'gold.temporal_trends', width: 3,
      description: 'All plays of the selected listeners.',
      chart: { kind: 'big_number', metric: sum('plays', 'total_plays'), subheader: 'plays' } },
    { key: 'overview-synthetic-share', title: 'Plays with synthetic features', table: 'gold.feature_source_coverage', width: 3,
      description: 'Fraction of the plays with features whose features were generated rather than measured.',
      chart: { kind: 'big_number', subheader: 'synthetic share of plays with features', format: '.2%',
        metric: { label: 'synthetic share', sql: "CAST(SUM(CASE WHEN feature_source = 'synthetic' THEN record_count ELSE 0 END) AS DOUBLE) / NULLIF(SUM(CASE WHEN feature_source <> 'none' THEN record_count END), 0)" } } },
    { key: 'overview-volume', countsOnly: true, title: 'Listening volume per day', table: 'gold.temporal_trends',
      description: 'Plays and minutes played per local calendar day.',
      chart: { kind: 'line', x: 'date_local', temporal: true, metrics: [sum('plays', 'total_plays'), { label: 'minutes played', sql: 'ROUND(SUM(minutes_played), 1)' }] } },
    { key: 'overview-coverage', countsOnly: true, title: 'Feature source coverage', table: 'gold.feature_source_coverage', width: 4,
      description: 'Plays by where their audio features come from: Spotify API, Kaggle data set, synthetic, or none.',
      chart: { kind: 'pie', groupby: ['feature_source'], metric: sum('plays', 'record_count') } },
    { key: 'overview-top-tracks', title: 'Top tracks', table: 'gold.top_tracks_by_mood', width: 8,
      description: 'The most played tracks with their mood category (from features) and the synthetic share of those features.',
      chart: { kind: 'table', groupby: ['track_name', 'artist_name', 'mood_category'], rowLimit: 25,
        metrics: [sum('plays', 'play_count'), avg('valence', 'valence'), avg('energy', 'energy'), syntheticShare()] } },
  ],
};

export const DESCRIPTIVE: DashboardSpec = {
  key: 'descriptive',
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

export const DIAGNOSTIC: DashboardSpec = {
  key: 'diagnostic',
  title: 'Diagnostic',
  slug: 'diagnostic',
  intro: `## Diagnostic analytics\nWhy the mood of the listening changes: correlations between features, with the hour of day, weekends against weekdays, parts of the day, and how the mood shifts between consecutive plays. ${SYNTHETIC_NOTE}`,
  charts: [
    { key: 'diagnostic-feature-correlations', title: 'Feature correlations', table: 'gold.feature_correlation_matrix', syntheticShownBy: 'diagnostic-correlation-table',
      description: 'Pearson correlation of every pair of audio features over the plays, as the full matrix (averaged over the selected listeners); red below 0, blue above, white at 0. The synthetic share is in the table beside it.',
      chart: { kind: 'heatmap', x: 'column_feature', y: 'row_feature', metric: avg('correlation', 'correlation'), diverging: [-1, 1] } },
    { key: 'diagnostic-correlation-table', title: 'Strongest feature correlations', table: 'gold.feature_correlations',
      description: 'Feature pairs with their correlation, strength label, sample size and synthetic share.',
      chart: { kind: 'raw', columns: ['listener_id', 'feature_1', 'feature_2', 'correlation', 'strength', 'sample_size', 'synthetic_share'],
        orderBy: [['correlation', false]] } },
    { key: 'diagnostic-mood-time', title: 'Mood and time of day', table: 'gold.mood_time_correlations',
      description: 'Average valence and energy per local hour, with the synthetic share of the features.',
      chart: { kind: 'line', x: 'hour_of_day', metrics: [weightedAvg('valence', 'avg_valence', 'sample_size'),
        weightedAvg('energy', 'avg_energy', 'sample_size'), syntheticShare('sample_size')] } },
    { key: 'diagnostic-circular-r', title: 'Correlation of mood with the hour (circular)', table: 'gold.mood_time_correlations',
      description: 'Circular-linear correlation of valence and energy with the hour of day, per listener.',
      chart: { kind: 'table', groupby: ['listener_id'], metrics: [avg('valence vs hour r', 'valence_hour_circular_r'),
        avg('energy vs hour r', 'energy_hour_circular_r'), syntheticShare('sample_size')] } },
    { key: 'diagnostic-weekend', title: 'Weekend vs weekday', table: 'gold.weekend_vs_weekday',
      description: 'Average mood features on weekend and weekday plays, with the synthetic share.',
      chart: { kind: 'bar', x: 'period', metrics: [weightedAvg('valence', 'avg_valence', FEATURED('total_plays')),
        weightedAvg('energy', 'avg_energy', FEATURED('total_plays')), weightedAvg('danceability', 'avg_danceability', FEATURED('total_plays')),
        syntheticShare(FEATURED('total_plays'))] } },
    { key: 'diagnostic-part-of-day', title: 'Mood drivers by part of day', table: 'gold.part_of_day_drivers',
      description: 'Average features per part of the day (morning to night), with the synthetic share.',
      chart: { kind: 'bar', x: PART_OF_DAY, metrics: [weightedAvg('valence', 'avg_valence', FEATURED('total_plays')),
        weightedAvg('energy', 'avg_energy', FEATURED('total_plays')), weightedAvg('instrumentalness', 'avg_instrumentalness', FEATURED('total_plays')),
        syntheticShare(FEATURED('total_plays'))] } },
    { key: 'diagnostic-mood-shifts', title: 'Mood shifts by hour of day', table: 'gold.mood_shift_patterns', width: 12,
      description: 'Shifts between consecutive plays of a session by size (bars) and the synthetic share of their features (line, right axis).',
      chart: { kind: 'mixed', x: 'hour_of_day', groupby: ['shift_magnitude'], metrics: [sum('shifts', 'shift_count')],
        metricsB: [syntheticShare('shift_count')] } },
  ],
};
