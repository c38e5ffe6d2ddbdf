// Simulates one listener's plays: sessions placed by daily and weekly rhythms in the listener's
// local time, consecutive plays inside a session, mood drifting with the hour of day.
import type { LibraryTrack, Show } from './library.ts';
import { makeRng, weightedIndex, zipfSampler, type Rng } from './rng.ts';
import { localToUtcMs } from './tz.ts';

export interface Play {
  startMs: number; endMs: number; msPlayed: number;
  track: LibraryTrack | null;
  episode: { show: string; id: string; name: string } | null;
  reasonStart: string; reasonEnd: string; skipped: boolean; shuffle: boolean; offline: boolean;
}

/** Relative play weight by local hour: quiet nights, a morning commute, busy evenings. */
export const WEEKDAY_HOURS = [3, 2, 1, 0.5, 0.5, 1, 3, 6, 7, 5, 4, 4, 5, 4, 4, 5, 6, 8, 10, 11, 11, 10, 8, 5];
/** Weekends start later and stay up longer. */
export const WEEKEND_HOURS = [6, 5, 3, 1.5, 0.7, 0.5, 0.7, 1.5, 3, 5, 7, 8, 8, 8, 7, 7, 7, 8, 9, 10, 11, 11, 9, 8];

export interface SimulationOptions {
  seed: string; timezone: string; events: number; startDate: string; days: number;
  library: readonly LibraryTrack[]; shows: readonly Show[]; podcastShare: number;
}

/** Target (energy, valence) by local hour: energy peaks mid-morning, valence mid-afternoon, both low at night. */
export function moodTarget(hour: number): { energy: number; valence: number } {
  return {
    energy: 0.5 + 0.28 * Math.cos((2 * Math.PI * (hour - 10)) / 24),
    valence: 0.48 + 0.3 * Math.cos((2 * Math.PI * (hour - 15)) / 24),
  };
}

function chooseTrack(rng: Rng, lib: readonly LibraryTrack[], zipf: (r: Rng) => number, hour: number): LibraryTrack {
  const target = moodTarget(hour);
  let best = lib[zipf(rng)];
  let bestDist = Infinity;
  for (let k = 0; k < 4; k++) {
    const t = k === 0 ? best : lib[zipf(rng)];
    const d = (t.energy - target.energy) ** 2 + (t.valence - target.valence) ** 2;
    if (d < bestDist) { best = t; bestDist = d; }
  }
  return best;
}

function poisson(rng: Rng, lambda: number): number {
  const l = Math.exp(-lambda);
  let k = 0;
  for (let p = rng(); p > l; p *= rng()) k++;
  return k;
}

/** Session start instants (UTC ms) of one local calendar day, in order. */
function daySessionStarts(rng: Rng, o: SimulationOptions, dayIndex: number, perDay: number): number[] {
  const [y, m, d] = o.startDate.split('-').map(Number);
  const date = new Date(Date.UTC(y, m - 1, d + dayIndex));
  const weekend = date.getUTCDay() === 0 || date.getUTCDay() === 6;
  const hours = weekend ? WEEKEND_HOURS : WEEKDAY_HOURS;
  const n = poisson(rng, perDay * (weekend ? 1.2 : 0.92));
  const starts: number[] = [];
  for (let i = 0; i < n; i++) {
    const hour = weightedIndex(rng, hours);
    starts.push(localToUtcMs(o.timezone, date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate(), hour, Math.floor(rng() * 60)));
  }
  return starts.sort((a, b) => a - b);
}

const FIRST_REASONS = ['clickrow', 'playbtn', 'appload', 'clickrow', 'remote'];

function musicSession(rng: Rng, o: SimulationOptions, zipf: (r: Rng) => number, start: number, len: number, localHour: (ms: number) => number): Play[] {
  const plays: Play[] = [];
  const shuffle = rng() < 0.7;
  const offline = rng() < 0.02;
  let t = start;
  let reasonStart = FIRST_REASONS[Math.floor(rng() * FIRST_REASONS.length)];
  for (let i = 0; i < len; i++) {
    const track = chooseTrack(rng, o.library, zipf, localHour(t));
    const last = i === len - 1;
    const skip = rng() < 0.18;
    const msPlayed = skip ? Math.round(4000 + rng() * track.durationMs * 0.4) : last && rng() < 0.5 ? Math.round(track.durationMs * rng()) : track.durationMs;
    const reasonEnd = skip ? (rng() < 0.92 ? 'fwdbtn' : 'backbtn') : last ? (rng() < 0.7 ? 'endplay' : 'logout') : 'trackdone';
    plays.push({ startMs: t, endMs: t + msPlayed, msPlayed, track, episode: null, reasonStart, reasonEnd, skipped: skip, shuffle, offline });
    t += msPlayed + (rng() < 0.9 ? Math.floor(rng() * 2500) : Math.floor(rng() * 240000));
    reasonStart = reasonEnd === 'endplay' || reasonEnd === 'logout' ? 'playbtn' : reasonEnd;
  }
  return plays;
}

function podcastPlay(rng: Rng, o: SimulationOptions, start: number, dayIndex: number): Play {
  const show = o.shows[Math.floor(rng() * o.shows.length)];
  const ep = show.episodes[Math.min(show.episodes.length - 1, Math.floor((dayIndex / Math.max(1, o.days)) * show.episodes.length))];
  const msPlayed = rng() < 0.6 ? ep.durationMs : Math.round(ep.durationMs * rng());
  return {
    startMs: start, endMs: start + msPlayed, msPlayed, track: null, episode: { show: show.name, id: ep.id, name: ep.name },
    reasonStart: 'clickrow', reasonEnd: msPlayed === ep.durationMs ? 'trackdone' : 'endplay', skipped: false, shuffle: false, offline: false,
  };
}

/** All plays of one listener in time order; exactly `o.events` of them. */
export function simulatePlays(o: SimulationOptions, localHour: (ms: number) => number): Play[] {
  const rng = makeRng(`${o.seed}:plays`);
  const zipf = zipfSampler(o.library.length, 1.05);
  const meanLen = 8;
  const podcastSessionShare = o.shows.length > 0 ? Math.min(0.5, o.podcastShare * meanLen) : 0;
  const perDay = o.events / o.days / (podcastSessionShare + (1 - podcastSessionShare) * (meanLen - 0.5));
  const plays: Play[] = [];
  let busyUntil = -Infinity;
  for (let day = 0; plays.length < o.events; day++) {
    for (let start of daySessionStarts(rng, o, day, perDay)) {
      if (plays.length >= o.events) break;
      start = Math.max(start, busyUntil + 31 * 60000 + Math.floor(rng() * 600000));
      const remaining = o.events - plays.length;
      const session = rng() < podcastSessionShare
        ? [podcastPlay(rng, o, start, day)]
        : musicSession(rng, o, zipf, start, Math.min(remaining, 1 + Math.floor(-Math.log(1 - rng()) * (meanLen - 1))), localHour);
      plays.push(...session);
      busyUntil = session[session.length - 1].endMs;
    }
  }
  return plays;
}
