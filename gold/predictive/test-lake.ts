// Test helper: a small lake with a seeded catalog (silver.catalog_tracks, with planted duplicates:
// the same feature vector under two track ids) and listeners whose plays carry those tracks'
// features (kaggle), generated ones (synthetic) or none. The target can carry signal or be pure noise.
import { join } from 'node:path';
import type { LakeSession } from '../../lib/session.ts';
import { loadTables } from '../../lib/table-loader.ts';
import { repoRoot } from '../../test/helpers.ts';
import { featureKeySql } from '../../silver/catalog_tracks.ts';
import { seededRng } from '../../lib/ml/rng.ts';
import { queryRows } from '../../lib/duckdb.ts';
import { SPOTIFY_FEATURE_ORDER } from '../../lib/audio-features.ts';
import { typedRowsSql, type Row } from '../shared/fixture-runner.ts';
import { sampleEvents } from '../shared/sample-events.ts';

const silverSpecs = new Map((await loadTables(join(repoRoot, 'silver'))).map((t) => [t.spec.name, t.spec]));

export interface TestCatalogOptions {
  tracks: number;
  seed: string;
  /** true: valence and energy are independent of the other features. */
  noise?: boolean;
}

const r3 = (v: number) => Math.round(v * 1000) / 1000;

export function testCatalog(o: TestCatalogOptions): Row[] {
  const rnd = seededRng(o.seed, 'catalog');
  const rows: Row[] = [];
  for (let i = 0; i < o.tracks; i++) {
    if (i % 10 === 9) {
      rows.push({ ...rows[i - 1], track_id: `dup${String(i).padStart(5, '0')}` });
      continue;
    }
    const danceability = r3(rnd());
    const acousticness = r3(rnd());
    const loudness = r3(-30 + 28 * rnd());
    const valence = o.noise ? r3(rnd()) : r3(Math.min(1, Math.max(0, 0.8 * danceability + 0.1 * rnd())));
    const energy = o.noise ? r3(rnd()) : r3(Math.min(1, Math.max(0, 1 - 0.7 * acousticness + 0.2 * rnd() - 0.1)));
    rows.push({
      track_id: `trk${String(i).padStart(5, '0')}`, track_name: `Track ${i}`, artists: `Artist ${i % 17}`,
      danceability, energy, valence, acousticness, loudness,
      instrumentalness: r3(rnd()), speechiness: r3(rnd() * 0.5), liveness: r3(rnd()), tempo: r3(60 + 120 * rnd()),
      key: Math.floor(rnd() * 12), mode: rnd() < 0.6 ? 1 : 0, time_signature: 4, genres: ['pop'], kaggle_records: 1,
    });
  }
  return rows;
}

const FEATURES = SPOTIFY_FEATURE_ORDER;

/** Plays of one listener: mostly catalog tracks (real features), some synthetic, some without features. */
export function testEvents(listener: string, count: number, catalog: Row[], seed: number): Row[] {
  const rnd = seededRng(seed, `events:${listener}`);
  return sampleEvents(listener, count, seed).map((e) => {
    const u = rnd();
    const source = u < 0.75 ? 'kaggle' : u < 0.92 ? 'synthetic' : 'none';
    const t = catalog[Math.floor(rnd() * catalog.length)];
    const synthetic = Object.fromEntries(FEATURES.map((f) => [f, f === 'key' ? Math.floor(rnd() * 12) : f === 'mode' ? 1 : f === 'time_signature' ? 4 : r3(rnd())]));
    const values = source === 'kaggle' ? Object.fromEntries(FEATURES.map((f) => [f, t[f]])) : source === 'synthetic' ? synthetic : Object.fromEntries(FEATURES.map((f) => [f, null]));
    return { ...e, ...values, feature_source: source, feature_match: source === 'none' ? 'none' : 'track_id', track_id: source === 'kaggle' ? t.track_id : e.track_id };
  });
}

/** Writes the catalog (feature_key computed by the silver expression) and the plays into the lake. */
export async function seedLake(s: LakeSession, catalog: Row[], events: Row[]): Promise<void> {
  const tx = s.begin();
  const cat = silverSpecs.get('catalog_tracks')!;
  const typed = typedRowsSql(cat, catalog);
  await tx.write(cat, { sql: `select * replace (${featureKeySql()} as feature_key) from (${typed.sql})`, params: typed.params });
  const silver = silverSpecs.get('listening_with_features')!;
  const ev = typedRowsSql(silver, events);
  await tx.write(silver, { sql: ev.sql, params: ev.params });
  await tx.commit();
}

/** Test rows of a prediction table whose feature vector is in the model's training split. */
export async function leakedTestRows(s: LakeSession, table: string): Promise<number> {
  const [r] = await queryRows<{ n: number }>(s.conn, `
    select count(*)::integer as n from gold.${table} p
    join silver.listening_with_features e using (listener_id, event_id)
    where p.split = 'test' and ${featureKeySql('e')} in (
      select ${featureKeySql('e2')} from gold.${table} p2 join silver.listening_with_features e2 using (listener_id, event_id) where p2.split = 'train')`);
  return r.n;
}
