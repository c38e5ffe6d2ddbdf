import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parse } from 'csv-parse/sync';
import { generateDemo } from './demo.ts';
import { localHour, sha256Files, tempDir } from './test-helpers.ts';

const dir = tempDir('gen-demo');
let first: Awaited<ReturnType<typeof generateDemo>>;
after(() => rmSync(dir, { recursive: true, force: true }));

type Row = Record<string, unknown>;
const records = (files: string[]) => files.flatMap((f) => JSON.parse(readFileSync(f, 'utf8')) as Row[]);

function catalogFeatures(file: string): { byId: Map<string, number>; byName: Map<string, number>; bad: number } {
  const rows: string[][] = parse(readFileSync(file, 'utf8'), { relax_column_count: true, from_line: 2 });
  const byId = new Map<string, number>();
  const byName = new Map<string, number>();
  let bad = 0;
  for (const r of rows) {
    const nums = r.slice(5, 20).map(Number);
    if (r.length !== 21 || r[1] === '' || nums.some((x, i) => i !== 2 && !Number.isFinite(x)) || Number(r[9]) > 1 || Number(r[18]) > 300) { bad++; continue; }
    byId.set(r[1], Number(r[17]));
    byName.set(`${r[2].split(';')[0]}\u0000${r[4]}`, Number(r[17]));
  }
  return { byId, byName, bad };
}

test('the demo set: three listeners, three formats, a DST change, signal for the gold tables', async () => {
  const t0 = Date.now();
  const demo = await generateDemo(join(dir, 'a'));
  first = demo;
  assert.ok(Date.now() - t0 < 10_000, 'demo generation is quick');
  assert.deepEqual(demo.listeners.map((l) => [l.id, l.timezone]), [
    ['demo-amsterdam', 'Europe/Amsterdam'], ['demo-newyork', 'America/New_York'], ['demo-tokyo', 'Asia/Tokyo'],
    ['demo-lastfm', 'Europe/London'], ['demo-apple', 'America/Sao_Paulo'], ['demo-youtube', 'Asia/Kolkata']]);
  const studies = new Map<string, typeof demo.listeners>();
  for (const l of demo.listeners) studies.set(l.study, [...(studies.get(l.study) ?? []), l]);
  assert.deepEqual([...studies.keys()].sort(), ['default', 'pilot'], 'two studies for the dashboards and stack tests to keep apart');
  for (const [study, people] of studies) {
    assert.ok(people.length >= 2 && people.some((l) => ['extended', 'legacy', 'account'].includes(l.format)), `${study}: several listeners, at least one Spotify export`);
  }
  // One listener per other platform, in a file the importer recognises by content.
  const { discoverExports } = await import('../../ingestion/exports/discover.ts');
  const found = await discoverExports(demo.listeners.slice(3).flatMap((l) => l.files));
  assert.deepEqual(found.histories.map((h) => h.platform), ['lastfm_csv_ghan', 'apple_play_activity', 'youtube_watch_history']);
  found.cleanup();
  const cat = catalogFeatures(demo.catalogCsv);
  assert.equal(cat.bad, demo.badCatalogRows);
  assert.ok(demo.badCatalogRows >= 3 && demo.badCatalogRows <= 30);
  for (const l of demo.listeners.slice(0, 3)) {
    const rows = records(l.files);
    assert.equal(rows.length, 1500);
    const plays = rows.flatMap((r) => {
      const at = new Date(r.ts ? String(r.ts) : `${String(r.endTime).replace(' ', 'T')}Z`);
      const v = r.spotify_track_uri ? cat.byId.get(String(r.spotify_track_uri).split(':')[2]) : cat.byName.get(`${r.artistName}\u0000${r.trackName}`);
      return v === undefined ? [] : [{ at, v, key: String(r.spotify_track_uri ?? `${r.artistName}/${r.trackName}`) }];
    });
    assert.ok(plays.length > 1000, `${l.id}: most plays have catalog features`);
    const byHour = new Map<number, number[]>();
    for (const p of plays) byHour.set(localHour(p.at, l.timezone), [...(byHour.get(localHour(p.at, l.timezone)) ?? []), p.v]);
    const avg = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
    assert.ok([...byHour.values()].some((vs) => vs.length >= 5 && avg(vs) < 0.4), `${l.id}: an hour with low mood`);
    const happy = new Map<string, number>();
    for (const p of plays.filter((x) => x.v >= 0.7)) happy.set(p.key, (happy.get(p.key) ?? 0) + 1);
    assert.ok([...happy.values()].filter((c) => c >= 2).length >= 10, `${l.id}: repeated high-valence tracks`);
    const times = plays.map((p) => p.at.getTime());
    assert.ok(Math.max(...times) - Math.min(...times) > 150 * 86_400_000, `${l.id}: about six months`);
  }
  const ams = records(demo.listeners[0].files).map((r) => new Date(String(r.ts)));
  const offsets = new Set(ams.map((d) => (localHour(d, 'Europe/Amsterdam') - d.getUTCHours() + 24) % 24));
  assert.deepEqual([...offsets].sort(), [1, 2], 'plays on both sides of the DST change');
});

test('the demo set is byte-identical on every run', async () => {
  const a = first;
  const b = await generateDemo(join(dir, 'b'));
  const files = (d: typeof a) => [d.catalogCsv, ...d.listeners.flatMap((l) => l.files)];
  assert.equal(sha256Files(files(a)), sha256Files(files(b)));
});
