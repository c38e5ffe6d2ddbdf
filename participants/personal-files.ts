// Files outside the lake tables that belong to one listener: landed Spotify responses, the Spotify
// cursor and tokens, inbox / processed / failed export files, demo inputs, and model artifacts fitted
// on the listener's rows. Model artifacts are found by the contract documented in the README: a
// model fitted on a listener's rows sits in a folder named after the listener, or names the listener
// in one of its files (its metadata); catalog-level models trained on Kaggle tracks do neither.
import { existsSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import type { Config } from '../lib/config.ts';
import { spotifyListenerPaths } from '../ingestion/spotify/erase.ts';
import { tokenPattern } from './erase-rules.ts';

export type PersonalFileKind = 'spotify' | 'lastfm' | 'inbox' | 'model' | 'demo_input';

export interface PersonalPath {
  kind: PersonalFileKind;
  path: string;
  /** Regular files inside (1 for a file). */
  files: number;
}

/** Folders named after the listener anywhere below these roots (relative to the data dir). */
const BY_FOLDER: { root: string; kind: PersonalFileKind; anyDepth: boolean }[] = [
  // <root>/<listener>/… (pipeline/inbox.ts): only the top level names listeners.
  { root: 'inbox', kind: 'inbox', anyDepth: false }, { root: 'processed', kind: 'inbox', anyDepth: false },
  { root: 'failed', kind: 'inbox', anyDepth: false },
  { root: '_demo_input', kind: 'demo_input', anyDepth: true }, { root: 'models', kind: 'model', anyDepth: true },
  // Last.fm API pages landed per listener and the listener's cursor with their Last.fm user name (ingestion/lastfm/api.ts).
  { root: join('raw', 'lastfm'), kind: 'lastfm', anyDepth: false }, { root: join('state', 'lastfm'), kind: 'lastfm', anyDepth: false },
];

const MAX_SCAN_BYTES = 256 * 1024 * 1024;

export function countFiles(path: string): number {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return 1;
  return readdirSync(path).reduce((n, name) => n + countFiles(join(path, name)), 0);
}

function namedAfter(root: string, listenerId: string, anyDepth: boolean): string[] {
  if (!existsSync(root) || !statSync(root).isDirectory()) return [];
  const out: string[] = [];
  for (const name of readdirSync(root)) {
    const p = join(root, name);
    const stem = name.replace(/\.[A-Za-z0-9]+$/, '');
    if (name === listenerId || stem === listenerId) out.push(p);
    else if (anyDepth && statSync(p).isDirectory()) out.push(...namedAfter(p, listenerId, anyDepth));
  }
  return out;
}

/** Model files that name the listener as a whole token; the folder holding such a file is one artifact. */
function modelsNaming(modelsRoot: string, listenerId: string): string[] {
  const pattern = new RegExp(tokenPattern(listenerId));
  const out = new Set<string>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else if (st.size <= MAX_SCAN_BYTES && pattern.test(readFileSync(p).toString('latin1'))) {
        out.add(dirname(p) === modelsRoot ? p : dirname(p));
      }
    }
  };
  if (existsSync(modelsRoot)) walk(modelsRoot);
  return [...out];
}

/** Drops paths inside another listed path. */
function outermost(paths: string[]): string[] {
  const sorted = [...new Set(paths)].sort();
  return sorted.filter((p) => !sorted.some((q) => q !== p && p.startsWith(q + sep)));
}

/** Every existing file or folder that belongs to the listener. */
export function personalPaths(config: Config, listenerId: string): PersonalPath[] {
  const found: { kind: PersonalFileKind; path: string }[] = spotifyListenerPaths(config, listenerId).map((path) => ({ kind: 'spotify' as const, path }));
  for (const { root, kind, anyDepth } of BY_FOLDER) {
    for (const path of namedAfter(join(config.dataDir, root), listenerId, anyDepth)) found.push({ kind, path });
  }
  for (const path of modelsNaming(join(config.dataDir, 'models'), listenerId)) found.push({ kind: 'model', path });
  const keep = new Set(outermost(found.filter((f) => existsSync(f.path)).map((f) => f.path)));
  const seen = new Set<string>();
  return found.filter((f) => keep.has(f.path) && !seen.has(f.path) && seen.add(f.path))
    .map((f) => ({ ...f, files: countFiles(f.path) }));
}

export function removePersonalPaths(paths: PersonalPath[]): void {
  for (const p of paths) rmSync(p.path, { recursive: true, force: true });
}

/**
 * Leftover DuckDB spill files and Trino scratch tables of a crashed job (lib/trino/scratch-table.ts):
 * either may hold any rows that were being sorted, joined or scored.
 */
export function removeSpillFiles(dataDir: string): number {
  let removed = 0;
  for (const dir of [join(dataDir, '_tmp', 'duckdb'), join(dataDir, '_tmp', 'trino')]) {
    if (!existsSync(dir)) continue;
    const names = readdirSync(dir);
    for (const n of names) rmSync(join(dir, n), { recursive: true, force: true });
    removed += names.length;
  }
  return removed;
}

export function relativeTo(dataDir: string, path: string): string {
  const rel = relative(dataDir, path);
  return rel.startsWith('..') ? path : rel;
}
