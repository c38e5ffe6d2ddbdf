// The small demo data set behind `lakehouse run --demo`: a few thousand catalog rows (with a handful
// of bad ones) and three listeners in three zones and three export formats, over six months that
// span the 2025 spring DST changes in New York (9 March) and Amsterdam (30 March); plus one smaller
// listener per other platform (a Last.fm CSV, an Apple Music Play Activity CSV, a YouTube Music
// Takeout watch history). The six listeners are in two studies, 'default' and 'pilot', three each.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { generateCatalog } from './catalog.ts';
import { readCatalogTracks } from './catalog-reader.ts';
import { generateHistories, type ExportFormat } from './histories.ts';
import { DEFAULT_STUDY } from '../study-id.ts';

export interface DemoListener { id: string; timezone: string; format: ExportFormat; study: string; files: string[]; events: number }

export interface DemoResult {
  catalogCsv: string;
  badCatalogRows: number;
  catalogRows: number;
  listeners: DemoListener[];
}

export const DEMO_SEED = 'lakehouse-demo';
export const DEMO_LISTENERS = [
  { id: 'demo-amsterdam', timezone: 'Europe/Amsterdam', format: 'extended', study: 'default' },
  { id: 'demo-newyork', timezone: 'America/New_York', format: 'legacy', study: 'default' },
  { id: 'demo-tokyo', timezone: 'Asia/Tokyo', format: 'account', study: 'pilot' },
] as const;
/** One listener per other platform (smaller histories, to keep the demo fast). */
export const DEMO_PLATFORM_LISTENERS = [
  { id: 'demo-lastfm', timezone: 'Europe/London', format: 'lastfm', study: 'default' },
  { id: 'demo-apple', timezone: 'America/Sao_Paulo', format: 'apple', study: 'pilot' },
  { id: 'demo-youtube', timezone: 'Asia/Kolkata', format: 'youtube', study: 'pilot' },
] as const;
export const DEMO_PLATFORM_EVENTS = 600;
/** The demo's two studies (so dashboards and stack tests have studies to keep apart): three listeners each. */
const STUDY_OF: ReadonlyMap<string, string> = new Map([...DEMO_LISTENERS, ...DEMO_PLATFORM_LISTENERS].map((l) => [l.id, l.study]));
export const DEMO_STUDIES: readonly string[] = [...new Set(STUDY_OF.values())].sort();

export async function generateDemo(dir: string): Promise<DemoResult> {
  mkdirSync(dir, { recursive: true });
  const catalogCsv = join(dir, 'demo_tracks.csv');
  const catalog = await generateCatalog({ file: catalogCsv, rows: 3000, seed: DEMO_SEED, badRowShare: 0.003 });
  const tracks = await readCatalogTracks(catalogCsv);
  const histories = await generateHistories({
    dir: join(dir, 'exports'), listeners: DEMO_LISTENERS.length, eventsPerListener: 1500, seed: DEMO_SEED,
    catalog: tracks, listenerIds: DEMO_LISTENERS.map((l) => l.id),
    timezones: DEMO_LISTENERS.map((l) => l.timezone), formats: DEMO_LISTENERS.map((l) => l.format),
    startDate: '2025-01-20', days: 181, notInCatalogShare: 0.12, podcastShare: 0.03,
  });
  const platforms = await generateHistories({
    dir: join(dir, 'exports'), listeners: DEMO_PLATFORM_LISTENERS.length, eventsPerListener: DEMO_PLATFORM_EVENTS, seed: DEMO_SEED,
    catalog: tracks, listenerIds: DEMO_PLATFORM_LISTENERS.map((l) => l.id),
    timezones: DEMO_PLATFORM_LISTENERS.map((l) => l.timezone), formats: DEMO_PLATFORM_LISTENERS.map((l) => l.format),
    startDate: '2025-01-20', days: 181, notInCatalogShare: 0.12, podcastShare: 0,
  });
  return {
    catalogCsv, badCatalogRows: catalog.badRows, catalogRows: catalog.rows,
    listeners: [...histories, ...platforms].map((h) => ({ id: h.id, timezone: h.timezone, format: h.format, study: STUDY_OF.get(h.id) ?? DEFAULT_STUDY, files: h.files, events: h.events })),
  };
}
