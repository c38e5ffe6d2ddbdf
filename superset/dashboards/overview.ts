// The "Listening overview" dashboard: how much was played, where the audio features come from, the top tracks.
import type { DashboardSpec } from '../lib/dashboard-spec.ts';
import { avg, sum, SYNTHETIC_NOTE, syntheticShare } from '../lib/metrics.ts';

const dashboard: DashboardSpec = {
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

export default dashboard;
