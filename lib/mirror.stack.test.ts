// Against the S3-compatible server of scripts/test-stack.sh (LAKEHOUSE_S3_ENDPOINT; moto) and DuckDB's
// real httpfs extension (scripts/duckdb-extensions.sh): a lake of two real listeners is mirrored;
// the mirror holds exactly the served files; `query` and `tables` read it as an s3:// data dir with
// the same results as the local lake, inside the same sandbox; a damaged or extended mirror is
// repaired; and erasing a listener leaves none of their rows or names in any object of the mirror.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { repoRoot } from '../test/helpers.ts';
import { loadConfig, type Config } from './config.ts';
import { mirrorObjects, s3Client, servedFiles } from './mirror.ts';
import { createBucket } from './s3-test-support.ts';
import { parseS3Uri } from './object-store.ts';
import { DuckDBInstance, queryRows, quoteLiteral } from './duckdb.ts';
import { enableS3 } from './object-store.ts';
import { buildTwoListenerLake, GONE, KEPT } from '../participants/test-lake.ts';

const endpoint = process.env.LAKEHOUSE_S3_ENDPOINT ?? '';
const skip = endpoint ? false : 'needs LAKEHOUSE_S3_ENDPOINT (scripts/test-stack.sh starts an S3-compatible server)';
const bucket = `mirror-${randomBytes(4).toString('hex')}`;
const mirror = `s3://${bucket}/study-a`;
let dataDir = '';
let config: Config;

function cli(args: string[], env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const res = spawnSync(process.execPath, [join(repoRoot, 'bin', 'lakehouse.js'), ...args], {
    cwd: repoRoot, encoding: 'utf8', env: { ...process.env, LOG_LEVEL: 'warn', LAKEHOUSE_MIRROR_URI: '', TRINO_URL: '', ...env }, timeout: 300_000,
  });
  return { status: res.status, stdout: res.stdout, stderr: res.stderr };
}

function ok(args: string[], env: Record<string, string> = {}): string {
  const res = cli(args, env);
  assert.equal(res.status, 0, `lakehouse ${args.join(' ')} failed:\n${res.stderr}`);
  return res.stdout;
}

const json = <T>(args: string[], env?: Record<string, string>): T => JSON.parse(ok([...args, '--json'], env)) as T;

before(async () => {
  if (skip) return;
  dataDir = mkdtempSync(join(tmpdir(), 'lakehouse-mirror-'));
  config = loadConfig({ dataDir });
  await buildTwoListenerLake(config);
  await createBucket(config, bucket);
});

after(() => {
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/** Rows of the listener `id` found in any object of the mirror, by object (names and decoded rows). */
async function traces(id: string): Promise<string[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  try {
    await enableS3(conn, config, mirror);
    const found: string[] = [];
    for (const { key } of await mirrorObjects(config, mirror)) {
      const uri = `s3://${bucket}/${key}`;
      if (key.includes(id)) found.push(`${key} (name)`);
      if (key.startsWith('study-a/ops/erasures/')) continue; // the audit row names whom it erased
      const sql = key.endsWith('.parquet')
        ? `select count(*)::integer as n from read_parquet(${quoteLiteral(uri)}) t where contains(t::varchar, ${quoteLiteral(id)})`
        : `select count(*)::integer as n from read_text(${quoteLiteral(uri)}) where contains(content, ${quoteLiteral(id)})`;
      const [{ n }] = await queryRows<{ n: number }>(conn, sql);
      if (n > 0) found.push(`${key} (${n} rows)`);
    }
    return found;
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

test('the mirror holds exactly the served files and reads like the local lake', { skip }, async () => {
  const first = json<{ files: number; uploaded_files: number; deleted_objects: number }>(['mirror', '--to', mirror, '--data-dir', dataDir]);
  const { files } = servedFiles(dataDir, parseS3Uri(mirror));
  assert.equal(first.files, files.length);
  assert.equal(first.uploaded_files, files.length);
  const objects = (await mirrorObjects(config, mirror)).map((o) => o.key);
  assert.deepEqual(objects, [...files.map((f) => f.key), 'study-a/_catalog.json'].sort());
  // Older versions stay local only (silver was built twice: v000001 is kept locally, not mirrored).
  assert.ok(!objects.some((k) => k.includes('/silver/listening_with_features/v000001/')), 'an older version is not mirrored');

  const again = json<{ uploaded_files: number; deleted_objects: number }>(['mirror', '--to', mirror, '--data-dir', dataDir]);
  assert.deepEqual([again.uploaded_files, again.deleted_objects], [0, 0], 'a second sync changes nothing');

  const sql = 'select listener_id, count(*)::integer as plays, round(sum(ms_played) / 3.6e6, 6) as hours from silver.listening_with_features group by listener_id order by listener_id';
  const local = json<unknown[]>(['query', sql, '--data-dir', dataDir]);
  const remote = json<unknown[]>(['query', sql, '--data-dir', mirror]);
  assert.equal(local.length, 2);
  assert.deepEqual(remote, local);
  const strip = (rows: Record<string, unknown>[]) => rows.map(({ path: _path, ...rest }) => rest);
  assert.deepEqual(strip(json(['tables', '--data-dir', mirror])), strip(json(['tables', '--data-dir', dataDir])));

  // The sandbox holds on S3 too: only the served version folders are readable.
  const outside = cli(['query', `select * from read_text('${mirror}/_catalog.json')`, '--data-dir', mirror]);
  assert.equal(outside.status, 2, outside.stderr);
  // Writing verbs refuse a mirror.
  const build = cli(['build', 'silver', '--data-dir', mirror]);
  assert.equal(build.status, 2);
  assert.match(build.stderr, /mirror that only query, tables, export read/);
});

test('a damaged or extended mirror is repaired by the next sync', { skip }, async () => {
  ok(['mirror', '--to', mirror, '--data-dir', dataDir]);
  const { files } = servedFiles(dataDir, parseS3Uri(mirror));
  const part = files.find((f) => f.key.endsWith('.parquet'))!;
  const client = s3Client(config);
  try {
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: part.key, Body: Buffer.alloc(part.size, 1) }));
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'study-a/gold/old_table/v000009/part-x.parquet', Body: 'stale' }));
    await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: files[files.length - 1].key }));
  } finally {
    client.destroy();
  }
  const sync = json<{ uploaded_files: number; deleted_objects: number }>(['mirror', '--to', mirror, '--data-dir', dataDir]);
  assert.deepEqual([sync.uploaded_files, sync.deleted_objects], [2, 1]);
  assert.deepEqual((await mirrorObjects(config, mirror)).map((o) => o.key), [...files.map((f) => f.key), 'study-a/_catalog.json'].sort());
});

test('erasing a listener syncs the mirror: none of their rows or names is left in any object', { skip }, async () => {
  const env = { LAKEHOUSE_MIRROR_URI: mirror };
  ok(['mirror', '--data-dir', dataDir], env);
  const held = await traces(GONE);
  assert.ok(held.length > 0, 'before the erasure the mirror holds the listener');
  const plays = (id: string) => json<{ n: number }[]>(['query', `select count(*)::integer as n from silver.listening_with_features where listener_id = '${id}'`, '--data-dir', mirror])[0].n;
  const kept = plays(KEPT);
  assert.ok(plays(GONE) > 0 && kept > 0);

  const summary = json<{ mirror: string; residue: unknown[] }>(['listeners', 'delete', GONE, '--confirm', '--data-dir', dataDir], env);
  assert.equal(summary.mirror, 'synced');
  assert.deepEqual(await traces(GONE), []);
  assert.equal(plays(GONE), 0);
  assert.equal(plays(KEPT), kept, 'the other listener is unchanged');
  const audit = json<{ n: number }[]>(['query', `select count(*)::integer as n from ops.erasures where listener_id = '${GONE}'`, '--data-dir', mirror]);
  assert.equal(audit[0].n, 1, 'the audit row is mirrored');
});
