// The marker of an erasure in progress (`<dataDir>/_erasure-in-progress.json`, written and removed by
// participants/erase.ts). It lives in shared code because the registry reads it too: while a
// listener's erasure is unfinished (killed half-way), nothing may be imported for them, or the next
// scheduled run would register them again from files the erasure had not reached yet.
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const ERASURE_MARKER_FILE = '_erasure-in-progress.json';

export interface ErasureMarker {
  listener_id: string;
  started_at: string;
}

export function readErasureMarker(dataDir: string): ErasureMarker | null {
  const file = join(dataDir, ERASURE_MARKER_FILE);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as ErasureMarker) : null;
}

export function writeErasureMarker(dataDir: string, marker: ErasureMarker): void {
  const file = join(dataDir, ERASURE_MARKER_FILE);
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify(marker, null, 2));
  renameSync(tmp, file);
}

export function clearErasureMarker(dataDir: string): void {
  rmSync(join(dataDir, ERASURE_MARKER_FILE), { force: true });
}
