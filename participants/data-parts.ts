// The Parquet data parts of a table version folder (not _meta.json, not staged or hidden files).
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { listVersions, tableDir, versionDirName } from '../lib/lake.ts';
import { LAYERS, type Layer } from '../lib/table-spec.ts';

export function isDataPart(name: string): boolean {
  return name.endsWith('.parquet') && !name.startsWith('_') && !name.startsWith('.');
}

/** Every data part of every version of a table, one path per inode (versions share parts by hard links). */
export function distinctParts(dataDir: string, layer: Layer, table: string): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const v of listVersions(dataDir, layer, table)) {
    const dir = join(tableDir(dataDir, layer, table), versionDirName(v));
    for (const name of readdirSync(dir).filter(isDataPart).sort()) {
      const st = statSync(join(dir, name));
      if (seen.has(`${st.dev}:${st.ino}`)) continue;
      seen.add(`${st.dev}:${st.ino}`);
      out.push(join(dir, name));
    }
  }
  return out;
}

/** Every table folder on disk (also tables no longer in the catalog), as layer and name. */
export function tablesOnDisk(dataDir: string): { layer: Layer; table: string }[] {
  const out: { layer: Layer; table: string }[] = [];
  for (const layer of LAYERS) {
    const dir = join(dataDir, layer);
    if (!existsSync(dir)) continue;
    for (const table of readdirSync(dir).sort()) {
      if (!table.startsWith('.') && statSync(join(dir, table)).isDirectory()) out.push({ layer, table });
    }
  }
  return out;
}
