// The "Diagnostic" dashboard (gold/diagnostic): why the mood of the listening changes.
import type { DashboardSpec } from '../lib/dashboard-spec.ts';
import { avg, FEATURED, sum, SYNTHETIC_NOTE, syntheticShare, weightedAvg } from '../lib/metrics.ts';

const PART_OF_DAY = { label: 'part of day', sql: "CONCAT(CAST(part_of_day_order AS VARCHAR), ' ', part_of_day)" };

const dashboard: DashboardSpec = {
  key: 'diagnostic',
  categories: ['diagnostic'],
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

export default dashboard;
