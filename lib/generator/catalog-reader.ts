// Reads the valid, distinct tracks of a Kaggle-format catalog so histories can draw from it. Only
// the fields a history needs are kept (about 100 bytes a track).
import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse';

export interface CatalogTrack {
  id: string; artist: string; album: string; title: string; durationMs: number;
  danceability: number; energy: number; valence: number; acousticness: number; instrumentalness: number; tempo: number;
}

const UNIT = ['danceability', 'energy', 'valence', 'acousticness', 'instrumentalness'] as const;

function toTrack(r: string[]): CatalogTrack | null {
  if (r.length !== 21 || r[1] === '' || r[2] === '' || r[4] === '') return null;
  const n = (i: number) => (r[i].trim() === '' ? NaN : Number(r[i]));
  const t: CatalogTrack = {
    id: r[1], artist: r[2].split(';')[0], album: r[3], title: r[4], durationMs: n(6),
    danceability: n(8), energy: n(9), valence: n(17), acousticness: n(14), instrumentalness: n(15), tempo: n(18),
  };
  if (!Number.isFinite(t.durationMs) || t.durationMs <= 0 || !Number.isFinite(t.tempo) || t.tempo > 300) return null;
  for (const k of UNIT) if (!(t[k] >= 0 && t[k] <= 1)) return null;
  if (!Number.isFinite(n(11)) || !Number.isFinite(n(5))) return null;
  return t;
}

/** Valid rows of the CSV, first occurrence of each track_id, in file order. */
export async function readCatalogTracks(file: string): Promise<CatalogTrack[]> {
  const seen = new Set<string>();
  const tracks: CatalogTrack[] = [];
  const parser = createReadStream(file).pipe(parse({ relax_column_count: true, from_line: 2 }));
  for await (const record of parser as AsyncIterable<string[]>) {
    const t = toTrack(record);
    if (!t || seen.has(t.id)) continue;
    seen.add(t.id);
    tracks.push(t);
  }
  return tracks;
}
