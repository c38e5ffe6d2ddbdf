// Listening histories for N listeners in the Spotify export formats. One listener is simulated and
// written at a time, so memory is bounded by one listener's history whatever N is.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { readCatalogTracks, type CatalogTrack } from './catalog-reader.ts';
import { writeExport, type ExportFormat, type ListenerIdentity } from './export-writers.ts';
import { buildLibrary, buildShows } from './library.ts';
import { makeRng, randInt } from './rng.ts';
import { simulatePlays } from './sessions.ts';
import { zoneOffsetMs } from './tz.ts';

export type { ExportFormat } from './export-writers.ts';

export interface HistoriesOptions {
  dir: string;
  listeners: number;
  eventsPerListener: number;
  seed?: string | number;
  /** The catalog the plays draw from: a Kaggle-format CSV path or tracks already read. */
  catalog: string | readonly CatalogTrack[];
  /** Cycled over listeners; default all three. */
  formats?: readonly ExportFormat[];
  /** IANA zones cycled over listeners. */
  timezones?: readonly string[];
  /** Listener ids; default `listener-0001`, … */
  listenerIds?: readonly string[];
  /** First local day of the histories (YYYY-MM-DD); default 2024-09-01. */
  startDate?: string;
  /** Days the plays spread over; default scales with events (20 a day, 28 to 730 days). */
  days?: number;
  /** Share of each listener's library that is not in the catalog (needs synthetic features); favourites
   *  are catalog tracks, so the share of plays is lower (about half). Default 0.15. */
  notInCatalogShare?: number;
  /** Share of plays that are podcast episodes. Default 0.03. */
  podcastShare?: number;
}

export interface ListenerHistory {
  id: string; timezone: string; format: ExportFormat; files: string[];
  events: number; musicEvents: number; podcastEvents: number; notInCatalogEvents: number;
}

export const DEFAULT_TIMEZONES = ['Europe/Amsterdam', 'America/New_York', 'Asia/Tokyo', 'America/Sao_Paulo', 'Australia/Sydney', 'Europe/London', 'Asia/Kolkata', 'UTC'];
const COUNTRY: Record<string, string> = {
  'Europe/Amsterdam': 'NL', 'America/New_York': 'US', 'Asia/Tokyo': 'JP', 'America/Sao_Paulo': 'BR',
  'Australia/Sydney': 'AU', 'Europe/London': 'GB', 'Asia/Kolkata': 'IN',
};
const PLATFORMS: [string, string][] = [
  ['android', 'Android OS 12 API 31 (samsung, SM-G991B)'], ['ios', 'iOS 16.3 (iPhone14,5)'],
  ['windows', 'Windows 10 (10.0.19045; x64)'], ['osx', 'OS X 12.6.1 [x86 8]'],
];

/** Local hour of an instant, with the zone offset cached per UTC hour (DST moves on hour boundaries). */
function localHourFn(zone: string): (ms: number) => number {
  const cache = new Map<number, number>();
  return (ms) => {
    const h = Math.floor(ms / 3_600_000);
    let off = cache.get(h);
    if (off === undefined) { off = zoneOffsetMs(zone, h * 3_600_000); cache.set(h, off); }
    return ((Math.floor((ms + off) / 3_600_000) % 24) + 24) % 24;
  };
}

function identity(seed: string, id: string, zone: string): ListenerIdentity {
  const rng = makeRng(`${seed}:identity`);
  const [platform, legacyPlatform] = PLATFORMS[Math.floor(rng() * PLATFORMS.length)];
  return {
    id, country: COUNTRY[zone] ?? 'ZZ', platform, legacyPlatform,
    username: `user${randInt(rng, 10_000_000, 99_999_999)}`, ip: `192.168.${randInt(rng, 0, 255)}.${randInt(rng, 1, 254)}`,
  };
}

export async function generateHistories(o: HistoriesOptions): Promise<ListenerHistory[]> {
  const seed = String(o.seed ?? 'lakehouse');
  const catalog = typeof o.catalog === 'string' ? await readCatalogTracks(o.catalog) : o.catalog;
  if (catalog.length === 0) throw new Error('generateHistories: the catalog has no valid tracks');
  const formats = o.formats ?? ['extended', 'legacy', 'account'];
  const zones = o.timezones ?? DEFAULT_TIMEZONES;
  const days = o.days ?? Math.max(28, Math.min(730, Math.round(o.eventsPerListener / 20)));
  const notInCatalog = o.notInCatalogShare ?? 0.15;
  const out: ListenerHistory[] = [];
  for (let i = 0; i < o.listeners; i++) {
    const id = o.listenerIds?.[i] ?? `listener-${String(i + 1).padStart(4, '0')}`;
    const lseed = `${seed}:listener:${id}`;
    const timezone = zones[i % zones.length];
    const format = formats[i % formats.length];
    const librarySize = Math.max(60, Math.min(4000, Math.round(o.eventsPerListener / 4)));
    const plays = simulatePlays({
      seed: lseed, timezone, events: o.eventsPerListener, startDate: o.startDate ?? '2024-09-01', days,
      library: buildLibrary(lseed, catalog, librarySize, notInCatalog), shows: buildShows(lseed, 2),
      podcastShare: o.podcastShare ?? 0.03,
    }, localHourFn(timezone));
    const dir = join(o.dir, id);
    mkdirSync(dir, { recursive: true });
    const files = writeExport(format, dir, plays, { ...identity(lseed, id, timezone), timezone }, lseed);
    const music = plays.filter((p) => p.track);
    out.push({
      id, timezone, format, files, events: plays.length, musicEvents: music.length,
      podcastEvents: plays.length - music.length, notInCatalogEvents: music.filter((p) => !p.track!.inCatalog).length,
    });
  }
  return out;
}
