// The "Listening behaviour" dashboard: tables built from the real events only (streams, skips,
// sessions, discovery, diversity, genres), so its charts need no synthetic share.
import type { DashboardSpec } from './superset-charts.ts';
import { sum, weightedAvg } from './superset-metrics.ts';

const MONTH = 'month_local';

export const BEHAVIOUR: DashboardSpec = {
  key: 'behaviour',
  title: 'Listening behaviour',
  slug: 'listening-behaviour',
  intro: '## Listening behaviour\nWhat the plays themselves say, without any audio feature: streams (plays of at least 30 s), ' +
    'skips (only where the source reports them), discovery of new tracks and artists, diversity and genres. ' +
    'Nothing here is synthetic: genres come from the Kaggle catalog where a track matched it.',
  charts: [
    { key: 'behaviour-streams-skips', countsOnly: true, title: 'Plays, streams and skips per month', table: 'gold.listener_monthly_behavior', width: 12,
      description: 'Plays and streams (>= 30 s) per local month (bars) and the skip rate over the plays whose skip status is known (line, right axis).',
      chart: { kind: 'mixed', x: MONTH, metrics: [sum('plays', 'plays'), sum('streams', 'streams')],
        metricsB: [{ label: 'skip rate', sql: 'CAST(SUM(skips) AS DOUBLE) / NULLIF(SUM(skip_known_plays), 0)' }] } },
    { key: 'behaviour-discovery', countsOnly: true, title: 'Discovery and diversity per month', table: 'gold.listener_monthly_behavior',
      description: "Share of the month's tracks that were new to the listener, the share of repeat plays, and the artist entropy in bits (right axis), weighted by plays.",
      chart: { kind: 'mixed', x: MONTH, metrics: [weightedAvg('new track share', 'new_track_share', 'distinct_tracks'), weightedAvg('repeat share', 'repeat_share', 'plays')],
        metricsB: [weightedAvg('artist entropy (bits)', 'artist_entropy_bits', 'plays')] } },
    { key: 'behaviour-genres', countsOnly: true, title: 'Genre mix', table: 'gold.genre_mix',
      description: 'Plays per Kaggle genre of the matched tracks (only plays that matched the catalog; see the coverage in the table).',
      chart: { kind: 'pie', groupby: ['genre'], metric: sum('plays', 'plays') } },
  ],
};
