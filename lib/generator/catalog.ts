// The Kaggle "Spotify Tracks" catalog generator: same header, value format and quirks as the real
// dataset.csv (empty first header, pandas float format, True/False, CRLF, ids repeated across genres),
// plus a counted share of bad rows. Rows are written as they are drawn, so memory stays flat.
import { csvField, pyFixed, pyFloat, BufferedFileWriter } from './format.ts';
import { drawFeatures, genreProfile, GENRES, type AudioFeatures, type GenreProfile } from './features.ts';
import { albumName, artistName, trackTitle } from './names.ts';
import { base62Id, makeRng, type Rng } from './rng.ts';

export const KAGGLE_HEADER = ',track_id,artists,album_name,track_name,popularity,duration_ms,explicit,danceability,'
  + 'energy,key,loudness,mode,speechiness,acousticness,instrumentalness,liveness,valence,tempo,time_signature,track_genre';

export const BAD_ROW_KINDS = ['feature_out_of_range', 'tempo_out_of_range', 'empty_track_id', 'unparsable_number', 'wrong_field_count'] as const;
export type BadRowKind = (typeof BAD_ROW_KINDS)[number];

export interface CatalogOptions {
  file: string;
  /** Total data rows including bad rows; the real file has 114,000. */
  rows?: number;
  seed?: string | number;
  /** Share of rows that are bad (rounded per row by the seeded stream; the exact count is returned). */
  badRowShare?: number;
  /** Share of rows that repeat an earlier track id under another genre (real file: about 0.213). */
  duplicateIdShare?: number;
}

export interface CatalogResult {
  file: string;
  rows: number;
  goodRows: number;
  badRows: number;
  badRowsByKind: Record<BadRowKind, number>;
  distinctIds: number;
  bytes: number;
}

interface CatalogTrack { id: string; artists: string; album: string; title: string; f: AudioFeatures }

function drawTrack(seed: string, j: number, profile: GenreProfile): CatalogTrack {
  const rng = makeRng(`${seed}:track:${j}`);
  const id = base62Id(rng);
  const artists = rng() < 0.1 ? `${artistName(rng)};${artistName(rng)}` : artistName(rng);
  const title = trackTitle(rng);
  return { id, artists, album: albumName(rng, title), title, f: drawFeatures(rng, profile) };
}

function featureFields(f: AudioFeatures): string[] {
  return [String(f.popularity), String(f.duration_ms), f.explicit ? 'True' : 'False', pyFloat(f.danceability),
    pyFloat(f.energy), String(f.key), pyFixed(f.loudness, 3), String(f.mode), pyFloat(f.speechiness),
    pyFloat(f.acousticness), pyFloat(f.instrumentalness), pyFloat(f.liveness), pyFloat(f.valence),
    pyFixed(f.tempo, 3), String(f.time_signature)];
}

function rowFields(index: number, t: CatalogTrack, genre: string): string[] {
  return [String(index), t.id, csvField(t.artists), csvField(t.album), csvField(t.title), ...featureFields(t.f), genre];
}

/** Corrupts a freshly drawn row so that ingestion must reject it for the given reason. */
function badRow(kind: BadRowKind, fields: string[], rng: Rng): string[] {
  const out = [...fields];
  if (kind === 'feature_out_of_range') out[9] = pyFloat(1.05 + rng() * 0.8);
  else if (kind === 'tempo_out_of_range') out[18] = pyFixed(301 + rng() * 400, 3);
  else if (kind === 'empty_track_id') out[1] = '';
  else if (kind === 'unparsable_number') out[11] = `${pyFixed(-3 - rng() * 10, 3)}dB`;
  else out.splice(16, 1);
  return out;
}

export async function generateCatalog(options: CatalogOptions): Promise<CatalogResult> {
  const rows = options.rows ?? 114_000;
  const seed = String(options.seed ?? 'lakehouse');
  const badShare = options.badRowShare ?? 0.002;
  const dupShare = options.duplicateIdShare ?? 0.213;
  const rng = makeRng(`${seed}:catalog`);
  const genres = GENRES.slice(0, Math.max(1, Math.min(GENRES.length, rows)));
  const profiles = genres.map(genreProfile);
  const homeGenre = new Uint8Array(rows);
  const badRowsByKind = Object.fromEntries(BAD_ROW_KINDS.map((k) => [k, 0])) as Record<BadRowKind, number>;
  const out = new BufferedFileWriter(options.file);
  out.write(`${KAGGLE_HEADER}\r\n`);
  let nextTrack = 0;
  let badRows = 0;
  const emptyNamesRow = rows >= 50_000 ? Math.floor(rows * 0.578) : -1;
  for (let i = 0; i < rows; i++) {
    const g = Math.min(genres.length - 1, Math.floor((i * genres.length) / rows));
    let fields: string[];
    if (rng() < badShare) {
      const kind = BAD_ROW_KINDS[badRows % BAD_ROW_KINDS.length];
      const t = drawTrack(`${seed}:bad`, badRows, profiles[g]);
      fields = badRow(kind, rowFields(i, t, genres[g]), rng);
      badRows++;
      badRowsByKind[kind]++;
    } else {
      let j = rng() < dupShare && nextTrack > 0 ? Math.floor(rng() * nextTrack) : -1;
      if (j >= 0 && homeGenre[j] === g) j = -1;
      if (j < 0) { j = nextTrack++; homeGenre[j] = g; }
      const t = drawTrack(seed, j, profiles[homeGenre[j]]);
      if (i === emptyNamesRow) { t.artists = ''; t.album = ''; t.title = ''; t.f.duration_ms = 0; }
      fields = rowFields(i, t, genres[g]);
    }
    out.write(`${fields.join(',')}\r\n`);
  }
  out.close();
  return { file: options.file, rows, goodRows: rows - badRows, badRows, badRowsByKind, distinctIds: nextTrack, bytes: out.bytes };
}
