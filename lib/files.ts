// Small file helpers shared by the importers.
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { UsageError } from './errors.ts';

/** A read-only command on a data dir that does not exist: an error naming it (reading never creates it). */
export function requireDataDir(dataDir: string): void {
  if (!existsSync(dataDir)) {
    throw new UsageError(`${dataDir}: data dir does not exist (set --data-dir or LAKEHOUSE_DATA_DIR; \`lakehouse run --demo\` or \`lakehouse ingest …\` creates one)`);
  }
}

/** A file the user named: missing or a folder is a usage error (exit code 2) naming the path. */
export function requireInputFile(path: string): void {
  let isFile: boolean;
  try {
    isFile = statSync(path).isFile();
  } catch {
    throw new UsageError(`${path}: no such file`);
  }
  if (!isFile) throw new UsageError(`${path}: is a folder, expected a file`);
}

export async function fileSha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
