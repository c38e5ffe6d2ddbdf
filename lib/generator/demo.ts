// The small demo data set behind `lakehouse run --demo`: a few thousand catalog rows (with a handful
// of bad ones) and three listeners in three zones and three export formats, over six months that
// span the 2025 spring DST changes in New York (9 March) and Amsterdam (30 March).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { generateCatalog } from './catalog.ts';
import { readCatalogTracks } from './catalog-reader.ts';
import { generateHistories, type ExportFormat } from './histories.ts';

export interface DemoListener { id: string; timezone: string; format: ExportFormat; files: string[]; events: number }

export interface DemoResult {
  catalogCsv: string;
  badCatalogRows: number;
  catalogRows: number;
  listeners: DemoListener[];
}

export const DEMO_SEED = 'lakehouse-demo';
export const DEMO_LISTENERS = [
  { id: 'demo-amsterdam', timezone: 'Europe/Amsterdam', format: 'extended' },
  { id: 'demo-newyork', timezone: 'America/New_York', format: 'legacy' },
  { id: 'demo-tokyo', timezone: 'Asia/Tokyo', format: 'account' },
] as const;

export async function generateDemo(dir: string): Promise<DemoResult> {
  mkdirSync(dir, { recursive: true });
  const catalogCsv = join(dir, 'demo_tracks.csv');
  const catalog = await generateCatalog({ file: catalogCsv, rows: 3000, seed: DEMO_SEED, badRowShare: 0.003 });
  const histories = await generateHistories({
    dir: join(dir, 'exports'), listeners: DEMO_LISTENERS.length, eventsPerListener: 1500, seed: DEMO_SEED,
    catalog: await readCatalogTracks(catalogCsv), listenerIds: DEMO_LISTENERS.map((l) => l.id),
    timezones: DEMO_LISTENERS.map((l) => l.timezone), formats: DEMO_LISTENERS.map((l) => l.format),
    startDate: '2025-01-20', days: 181, notInCatalogShare: 0.12, podcastShare: 0.03,
  });
  return {
    catalogCsv, badCatalogRows: catalog.badRows, catalogRows: catalog.rows,
    listeners: histories.map((h) => ({ id: h.id, timezone: h.timezone, format: h.format, files: h.files, events: h.events })),
  };
}
