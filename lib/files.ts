// Small file helpers shared by the importers.
import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { UsageError } from './errors.ts';

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
