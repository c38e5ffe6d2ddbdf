// Small file helpers shared by the importers.
import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
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

/** Reused by fileSha256: one buffer for every file hashed in the process. */
let hashBuffer: Buffer | null = null;

/**
 * SHA-256 of a file, in hex. Read in 4 MiB synchronous chunks into one buffer: with a stream's 64 KiB
 * chunks (a thread-pool round trip and a new buffer each) the 5 GB of a 10M-play study took 6 to 11 s
 * against 5 s, and 40 % more CPU.
 */
export async function fileSha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  hashBuffer ??= Buffer.allocUnsafe(4 * 1024 * 1024);
  const fd = openSync(path, 'r');
  try {
    for (let n = readSync(fd, hashBuffer, 0, hashBuffer.length, null); n > 0; n = readSync(fd, hashBuffer, 0, hashBuffer.length, null)) {
      hash.update(hashBuffer.subarray(0, n));
    }
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}
