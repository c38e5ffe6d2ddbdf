// Deterministic silver rows for tests that need "realistic enough" input for every gold table at
// once (listener isolation, recomputation): several sessions, all hours and weekdays, a mix of
// feature sources including plays without features, repeated tracks.
import type { Row } from './fixture-runner.ts';
import { mulberry32 } from '../../lib/ml/rng.ts';

const SOURCES = ['kaggle', 'synthetic', 'spotify_api', 'kaggle', 'none', 'kaggle', 'synthetic'];
const DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

function partOfDay(hour: number): string {
  if (hour >= 6 && hour <= 11) return 'morning';
  if (hour >= 12 && hour <= 17) return 'afternoon';
  if (hour >= 18 && hour <= 22) return 'evening';
  return 'night';
}

export function sampleEvents(listenerId: string, count: number, seed: number): Row[] {
  const rand = mulberry32(seed);
  const rows: Row[] = [];
  let t = Date.UTC(2024, 0, 1, 0, 0, 0) + seed * 3_600_000;
  for (let i = 0; i < count; i++) {
    t += (i % 5 === 0 ? 3 * 3_600_000 : 200_000) + Math.floor(rand() * 100_000);
    const at = new Date(t);
    const hour = at.getUTCHours();
    const dow = ((at.getUTCDay() + 6) % 7) + 1;
    const source = SOURCES[Math.floor(rand() * SOURCES.length)];
    const track = Math.floor(rand() * 9);
    const has = source !== 'none';
    const f = (lo: number, hi: number) => (has ? Math.round((lo + rand() * (hi - lo)) * 1000) / 1000 : null);
    rows.push({
      listener_id: listenerId,
      event_id: `${listenerId}-${i}`,
      played_at: at.toISOString().replace('T', ' ').slice(0, 19),
      played_at_local: at.toISOString().replace('T', ' ').slice(0, 19),
      timezone: 'UTC',
      date_local: at.toISOString().slice(0, 10),
      hour_of_day: hour,
      day_of_week: dow,
      day_name: DAYS[dow - 1],
      is_weekend: dow >= 6,
      part_of_day: partOfDay(hour),
      session_id: `${listenerId}-s${Math.floor(i / 5)}`,
      session_position: (i % 5) + 1,
      play_seq: i + 1,
      track_id: track === 8 ? null : `track${listenerId}${track % 4}${track}`,
      track_name: `Song ${track}`,
      artist_name: `Artist ${track % 3}`,
      ms_played: 60_000 + Math.floor(rand() * 180_000),
      feature_source: source,
      feature_match: has ? 'track_id' : 'none',
      valence: f(0, 1), energy: f(0, 1), danceability: f(0, 1), acousticness: f(0, 1),
      instrumentalness: f(0, 1), speechiness: f(0, 0.5), liveness: f(0, 1), loudness: f(-30, -2), tempo: f(60, 180),
    });
  }
  return rows;
}
