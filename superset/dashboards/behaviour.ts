// The "Listening behaviour" dashboard: tables built from the real events only (streams, skips,
// sessions, discovery, diversity, genres), so its charts need no synthetic share.
import type { DashboardSpec } from '../lib/dashboard-spec.ts';
import { avg, sum, weightedAvg } from '../lib/metrics.ts';

const MONTH = 'month_local';

const dashboard: DashboardSpec = {
  key: 'behaviour',
  title: 'Listening behaviour',
  slug: 'listening-behaviour',
  intro: '## Listening behaviour\nWhat the plays themselves say, without any audio feature: streams (plays of at least 30 s), ' +
    'skips (only where the source reports them), discovery of new tracks and artists, diversity and genres, sessions, the daily rhythm, ' +
    "each listener's profile and place in the cohort, and recommendations with their honest evaluation. " +
    'Nothing here is synthetic: genres and popularity come from the Kaggle catalog where a track matched it.',
  charts: [
    { key: 'behaviour-streams-skips', countsOnly: true, title: 'Plays, streams and skips per month', table: 'gold.listener_monthly_behavior', width: 12,
      description: 'Plays and streams (>= 30 s) per local month (bars) and the skip rate over the plays whose skip status is known (line, right axis).',
      chart: { kind: 'mixed', x: MONTH, metrics: [sum('plays', 'plays'), sum('streams', 'streams')],
        metricsB: [{ label: 'skip rate', sql: 'CAST(SUM(skips) AS DOUBLE) / NULLIF(SUM(skip_known_plays), 0)' }] } },
    { key: 'behaviour-discovery', countsOnly: true, title: 'Discovery and diversity per month', table: 'gold.listener_monthly_behavior',
      description: "Share of the month's tracks that were new to the listener, the share of repeat plays, and the artist entropy in bits (right axis), weighted by plays.",
      chart: { kind: 'mixed', x: MONTH, metrics: [weightedAvg('new track share', 'new_track_share', 'distinct_tracks'), weightedAvg('repeat share', 'repeat_share', 'plays')],
        metricsB: [weightedAvg('artist entropy (bits)', 'artist_entropy_bits', 'plays')] } },
    { key: 'behaviour-top-artists', countsOnly: true, title: 'Top artists', table: 'gold.top_artists',
      description: "Each listener's most played artists: plays, streams (>= 30 s), minutes and share of the listener's plays.",
      chart: { kind: 'raw', where: 'rank <= 20', columns: ['listener_id', 'rank', 'artist_name', 'plays', 'streams', 'minutes_played', 'share_of_plays'],
        orderBy: [['listener_id', true], ['rank', true]] } },
    { key: 'behaviour-genres', countsOnly: true, title: 'Genre mix', table: 'gold.genre_mix',
      description: 'Plays per Kaggle genre of the matched tracks (only plays that matched the catalog; see the coverage in the table).',
      chart: { kind: 'pie', groupby: ['genre'], metric: sum('plays', 'plays') } },
    { key: 'behaviour-sessions', countsOnly: true, title: 'Sessions per month and their length', table: 'gold.listener_monthly_behavior',
      description: 'Listening sessions started per local month (bars) and the median session length in minutes (line, right axis; months weighted by sessions).',
      chart: { kind: 'mixed', x: MONTH, metrics: [sum('sessions', 'sessions')],
        metricsB: [weightedAvg('median session minutes', 'median_session_minutes', 'sessions'), weightedAvg('median session plays', 'median_session_plays', 'sessions')] } },
    { key: 'behaviour-circadian', countsOnly: true, title: 'Daily rhythm with its 95 % interval', table: 'gold.circadian_profile', width: 12,
      description: "Share of each listener's plays per local hour, with the 95 % interval from a bootstrap over local days (ci low and ci high bound the band).",
      chart: { kind: 'line', x: 'hour_of_day', groupby: ['listener_id'],
        metrics: [avg('share of plays', 'share_of_plays'), avg('ci low', 'share_ci_low'), avg('ci high', 'share_ci_high')] } },
    { key: 'behaviour-profiles', countsOnly: true, title: 'Listener profiles and personalities', table: 'gold.listener_profiles', width: 12,
      description: 'One row per listener: volume, regularity, night and weekend shares, diversity, exploration, skips, popularity (with its coverage), the personality and the five scores it was chosen from.',
      chart: { kind: 'raw', orderBy: [['listener_id', true]],
        columns: ['listener_id', 'personality', 'mainstream_explorer_score', 'underground_hunter_score', 'music_addict_score', 'night_owl_score',
          'casual_listener_score', 'plays', 'days_active', 'plays_per_active_day', 'night_share', 'weekend_share', 'artist_entropy_bits',
          'new_artist_share', 'skip_rate', 'mean_popularity', 'popularity_coverage'] } },
    { key: 'behaviour-cohort', countsOnly: true, title: 'Position in the cohort', table: 'gold.cohort_comparison', width: 12,
      description: "Each listener's percentile among the listeners of the lake on every profile metric (50 = the median listener; a listener alone sits at 50).",
      chart: { kind: 'bar', x: 'metric', groupby: ['listener_id'], metrics: [avg('percentile in cohort', 'percentile_in_cohort', 1)] } },
    { key: 'behaviour-recommendations', countsOnly: true, title: 'Recommended tracks', table: 'gold.track_recommendations',
      description: 'Top tracks each listener has not played yet, from co-listening with the other listeners and their own artists and genres (empty with a single listener).',
      chart: { kind: 'raw', orderBy: [['listener_id', true], ['rank', true]], rowLimit: 200,
        columns: ['listener_id', 'rank', 'track_name', 'artist_name', 'score', 'co_listening_score', 'artist_affinity', 'genre_affinity', 'reason'] } },
    { key: 'behaviour-recommendation-evaluation', countsOnly: true, title: 'Do the recommendations beat the most popular tracks?', table: 'gold.recommendation_evaluation',
      description: "Hit rate at 10 and 20 on the listeners' first listens after the cut-off, against a most-popular baseline fitted on the same window; diff with its 95 % interval and verdict.",
      chart: { kind: 'raw', orderBy: [['model', true], ['k', true]],
        columns: ['model', 'k', 'hit_rate', 'baseline_hit_rate', 'diff', 'diff_ci_low', 'diff_ci_high', 'verdict', 'evaluable_listeners', 'cutoff_date'] } },
  ],
};

export default dashboard;
