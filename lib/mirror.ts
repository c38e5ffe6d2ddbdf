// `lakehouse mirror`: keeps a copy of the lake on S3-compatible object storage equal to what the lake
// serves — the current version of every table and every version a consumer pins (Trino) — byte for
// byte, so DuckDB (httpfs) and Trino (native S3) on other machines read the same tables from there
// (an s3:// data dir; `lakehouse publish` with LAKEHOUSE_MIRROR_URI).
//
// One sync, holding the lake's writer lock (no version is published or pruned meanwhile):
// 1. every file of the served version folders is uploaded unless the object already has its bytes
//    (same size and an ETag equal to its MD5; each upload sends Content-MD5, which the server checks);
// 2. _catalog.json is uploaded last: a reader that reads the catalog finds every file it names;
// 3. every other object under the prefix is deleted: older versions, the rows an erasure removed
//    (an erasure rewrites the parts of kept versions in place, so their MD5 changes and they are
//    uploaded again), anything a killed sync left. A versioned bucket is refused: its old object
//    versions would keep what an erasure removed.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { join } from 'node:path';
import {
  DeleteObjectsCommand, GetBucketVersioningCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client,
  type _Object,
} from '@aws-sdk/client-s3';
import type { Config } from './config.ts';
import type { Logger } from './logger.ts';
import { CATALOG_FILE, pinnedVersions, readCatalog, tableDir, versionDirName } from './lake.ts';
import { objectKey, parseS3Uri, requireCredentials, type S3Location } from './object-store.ts';
import { UsageError, errorMessage } from './errors.ts';

export interface MirrorSummary {
  uri: string;
  tables: number;
  /** Version folders the mirror holds after the sync (current ones plus pinned ones). */
  versions: number;
  files: number;
  uploaded_files: number;
  uploaded_bytes: number;
  unchanged_files: number;
  deleted_objects: number;
  seconds: number;
}

interface LocalFile {
  key: string;
  path: string;
  size: number;
}

const UPLOADS_AT_ONCE = 4;

export function s3Client(config: Config): S3Client {
  requireCredentials(config);
  const s = config.objectStore;
  return new S3Client({
    region: s.region,
    endpoint: s.endpoint,
    forcePathStyle: s.urlStyle === 'path',
    credentials: { accessKeyId: s.accessKeyId!, secretAccessKey: s.secretAccessKey!, sessionToken: s.sessionToken },
    // Integrity: Content-MD5 on uploads (below); no extra CRC trailers, which some S3-compatible servers reject.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/** The files the lake serves: every file of each table's current version folder and of its pinned ones. */
export function servedFiles(dataDir: string, loc: S3Location): { files: LocalFile[]; tables: number; versions: number } {
  const catalog = readCatalog(dataDir);
  const files: LocalFile[] = [];
  let versions = 0;
  const metas = Object.values(catalog.tables);
  for (const meta of metas) {
    const kept = new Set([meta.version, ...pinnedVersions(dataDir, meta.layer, meta.table)]);
    for (const v of [...kept].sort((a, b) => a - b)) {
      const rel = `${meta.layer}/${meta.table}/${versionDirName(v)}`;
      const dir = join(tableDir(dataDir, meta.layer, meta.table), versionDirName(v));
      if (!existsSync(dir)) continue;
      versions++;
      for (const name of readdirSync(dir).sort()) {
        if (!(name.endsWith('.parquet') || name === '_meta.json')) continue;
        const path = join(dir, name);
        files.push({ key: objectKey(loc, `${rel}/${name}`), path, size: statSync(path).size });
      }
    }
  }
  return { files, tables: metas.length, versions };
}

export async function fileMd5(path: string): Promise<Buffer> {
  const hash = createHash('md5');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest();
}

export async function listObjects(client: S3Client, loc: S3Location): Promise<Map<string, _Object>> {
  const found = new Map<string, _Object>();
  let token: string | undefined;
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket: loc.bucket, Prefix: loc.prefix ? `${loc.prefix}/` : undefined, ContinuationToken: token }));
    for (const o of page.Contents ?? []) if (o.Key) found.set(o.Key, o);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return found;
}

export async function inBatches<T>(items: T[], size: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(size, items.length) }, worker));
}

/** Uploads a local file as `key`; the server checks its bytes against Content-MD5. */
export async function putFile(client: S3Client, bucket: string, key: string, path: string, size = statSync(path).size, md5?: Buffer): Promise<void> {
  const sum = md5 ?? await fileMd5(path);
  await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: createReadStream(path), ContentLength: size, ContentMD5: sum.toString('base64') }));
}

/** Downloads the object `key` into the local file `path` (replacing it). */
export async function getFile(client: S3Client, bucket: string, key: string, path: string): Promise<void> {
  const res = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  if (!res.Body) throw new Error(`s3://${bucket}/${key}: the server sent no body`);
  await pipeline(res.Body as Readable, createWriteStream(path));
}

/** Deletes these keys (1,000 per request); `label` names the lake or folder in the error. */
export async function deleteObjects(client: S3Client, bucket: string, keys: string[], label: string): Promise<void> {
  for (let i = 0; i < keys.length; i += 1000) {
    const batch = keys.slice(i, i + 1000);
    const res = await client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true } }));
    if (res.Errors && res.Errors.length > 0) {
      throw new Error(`${label}: ${res.Errors.length} objects could not be deleted, e.g. ${res.Errors[0].Key}: ${res.Errors[0].Message}`);
    }
  }
}

/** Makes the mirror at `uri` equal to the lake's served versions. Call while holding the writer lock. */
export async function syncMirror(config: Config, log: Logger, uri = config.objectStore.mirrorUri): Promise<MirrorSummary> {
  if (!uri) throw new UsageError('no mirror: pass --to s3://<bucket>/<prefix> or set LAKEHOUSE_MIRROR_URI');
  const started = Date.now();
  const loc = parseS3Uri(uri);
  const client = s3Client(config);
  try {
    const versioning = await client.send(new GetBucketVersioningCommand({ Bucket: loc.bucket })).catch((err: unknown) => {
      throw new UsageError(`${uri}: cannot reach the bucket (${errorMessage(err)})`);
    });
    if (versioning.Status === 'Enabled' || versioning.Status === 'Suspended') {
      throw new UsageError(`${uri}: bucket ${loc.bucket} has object versioning (${versioning.Status}); its old object versions would keep rows an erasure removes, so the lake is not mirrored there`);
    }
    const { files, tables, versions } = servedFiles(config.dataDir, loc);
    const remote = await listObjects(client, loc);
    let uploaded = 0;
    let uploadedBytes = 0;
    await inBatches(files, UPLOADS_AT_ONCE, async (f) => {
      const md5 = await fileMd5(f.path);
      const there = remote.get(f.key);
      if (there && there.Size === f.size && there.ETag?.replaceAll('"', '') === md5.toString('hex')) return;
      await putFile(client, loc.bucket, f.key, f.path, f.size, md5);
      uploaded++;
      uploadedBytes += f.size;
    });
    const catalogKey = objectKey(loc, CATALOG_FILE);
    const catalogBytes = readFileSync(join(config.dataDir, CATALOG_FILE));
    await client.send(new PutObjectCommand({
      Bucket: loc.bucket, Key: catalogKey, Body: catalogBytes, ContentType: 'application/json',
      ContentMD5: createHash('md5').update(catalogBytes).digest('base64'),
    }));
    const keep = new Set([catalogKey, ...files.map((f) => f.key)]);
    const stale = [...remote.keys()].filter((k) => !keep.has(k));
    await deleteObjects(client, loc.bucket, stale, uri);
    const summary: MirrorSummary = {
      uri, tables, versions, files: files.length, uploaded_files: uploaded, uploaded_bytes: uploadedBytes,
      unchanged_files: files.length - uploaded, deleted_objects: stale.length, seconds: (Date.now() - started) / 1000,
    };
    log.info(summary, 'mirror synced');
    return summary;
  } finally {
    client.destroy();
  }
}

/** Every object under the mirror's prefix with its size (for checks: what exactly does the mirror hold?). */
export async function mirrorObjects(config: Config, uri: string): Promise<{ key: string; size: number }[]> {
  const loc = parseS3Uri(uri);
  const client = s3Client(config);
  try {
    return [...(await listObjects(client, loc)).values()].map((o) => ({ key: o.Key!, size: o.Size ?? 0 })).sort((a, b) => a.key.localeCompare(b.key));
  } finally {
    client.destroy();
  }
}
