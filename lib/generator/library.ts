// A listener's personal library: catalog tracks plus tracks the catalog does not know, ranked so a
// Zipf draw repeats favourites. A few tracks of each listening profile (focus, energy, calm, lift,
// low mood) are always among the favourites, so every gold table has something to show.
import type { CatalogTrack } from './catalog-reader.ts';
import { albumName, artistName, episodeName, podcastName, trackTitle } from './names.ts';
import { base62Id, clamp, makeRng, normal, type Rng } from './rng.ts';

export interface LibraryTrack {
  id: string; artist: string; album: string; title: string; durationMs: number;
  energy: number; valence: number; inCatalog: boolean;
}

export interface Show { name: string; episodes: { id: string; name: string; durationMs: number }[] }

const PROFILES: ((t: CatalogTrack) => boolean)[] = [
  (t) => t.instrumentalness >= 0.5 && t.energy >= 0.4 && t.energy <= 0.7 && t.tempo >= 90 && t.tempo <= 130,
  (t) => t.energy >= 0.7 && t.valence >= 0.6 && t.tempo >= 120,
  (t) => t.acousticness >= 0.6 && t.energy < 0.5 && t.valence >= 0.4 && t.valence <= 0.7,
  (t) => t.valence >= 0.7 && t.danceability >= 0.6 && t.energy >= 0.5,
  (t) => t.valence < 0.3,
];

function fromCatalog(t: CatalogTrack): LibraryTrack {
  return { id: t.id, artist: t.artist, album: t.album, title: t.title, durationMs: t.durationMs, energy: t.energy, valence: t.valence, inCatalog: true };
}

function madeUp(rng: Rng): LibraryTrack {
  const title = trackTitle(rng);
  return {
    id: base62Id(rng), artist: artistName(rng), album: albumName(rng, title), title,
    durationMs: Math.round(clamp(Math.exp(normal(rng, Math.log(205000), 0.3)), 60000, 600000)),
    energy: rng(), valence: rng(), inCatalog: false,
  };
}

function profileTracks(rng: Rng, catalog: readonly CatalogTrack[], perProfile: number): CatalogTrack[] {
  const found: CatalogTrack[] = [];
  const start = Math.floor(rng() * catalog.length);
  for (const matches of PROFILES) {
    let n = 0;
    for (let k = 0; k < catalog.length && n < perProfile; k++) {
      const t = catalog[(start + k * 7919) % catalog.length];
      if (matches(t) && !found.includes(t)) { found.push(t); n++; }
    }
  }
  return found;
}

export function buildLibrary(seed: string, catalog: readonly CatalogTrack[], size: number, notInCatalogShare: number): LibraryTrack[] {
  const rng = makeRng(`${seed}:library`);
  const picked = new Set<CatalogTrack>();
  const lib: LibraryTrack[] = [];
  const catalogCount = Math.min(catalog.length, Math.round(size * (1 - notInCatalogShare)));
  for (let tries = 0; picked.size < catalogCount && tries < catalogCount * 4; tries++) {
    const t = catalog[Math.floor(rng() * catalog.length)];
    if (!picked.has(t)) { picked.add(t); lib.push(fromCatalog(t)); }
  }
  while (lib.length < size) lib.splice(Math.floor(rng() * (lib.length + 1)), 0, madeUp(rng));
  const favourites = profileTracks(rng, catalog, Math.max(3, Math.min(10, Math.round(size / 40))));
  for (const t of favourites) lib.splice(Math.floor(rng() * Math.min(lib.length, 80)), 0, fromCatalog(t));
  return lib;
}

export function buildShows(seed: string, count: number): Show[] {
  const rng = makeRng(`${seed}:shows`);
  return Array.from({ length: count }, () => ({
    name: podcastName(rng),
    episodes: Array.from({ length: 40 }, (_, i) => ({
      id: base62Id(rng), name: episodeName(rng, 100 + i), durationMs: Math.round(600000 + rng() * 4800000),
    })),
  }));
}
