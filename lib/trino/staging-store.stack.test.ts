// The Trino engine's staging in object storage (staging-store.ts), against the S3-compatible server
// of scripts/test-stack.sh: what a transaction shares reaches the run's prefix, what Trino wrote comes
// back as numbered Parquet parts in name order (hidden files and subfolders left out), and close()
// deletes the run's objects and nothing else in the bucket.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { testConfig } from '../../test/helpers.ts';
import { mirrorObjects, s3Client } from '../mirror.ts';
import { createBucket, s3TestEnv } from '../s3-test-support.ts';
import { ObjectStoreStaging, trinoStaging } from './staging-store.ts';

const skip = process.env.LAKEHOUSE_S3_ENDPOINT ? false : 'needs LAKEHOUSE_S3_ENDPOINT (scripts/test-stack.sh starts an S3-compatible server)';

test('object-store staging: share, collect in name order, remove, close', { skip }, async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'staging-store-'));
  const bucket = `staging-${randomBytes(3).toString('hex')}`;
  const mirror = `s3://${bucket}/lake`;
  const config = testConfig(dataDir, {}, { ...s3TestEnv(), LAKEHOUSE_MIRROR_URI: mirror });
  await createBucket(config, bucket);
  const client = s3Client(config);
  const put = (key: string, body: string) => client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  try {
    const staging = trinoStaging(config, 'run-1');
    assert.ok(staging instanceof ObjectStoreStaging, 'a lake with a mirror stages in it');
    const rel = join('silver', 'events', '.tmp-run-1-ab');
    assert.equal(staging.location(rel), `s3://${bucket}/lake/_trino/run-1/silver/events/.tmp-run-1-ab`);
    // Kept apart: the served lake and another run's staging.
    await put('lake/_catalog.json', '{}');
    await put('lake/_trino/run-2/x/part', 'other run');

    // share: the local folder's Parquet files (only those) reach the location.
    mkdirSync(join(dataDir, rel), { recursive: true });
    writeFileSync(join(dataDir, rel, 'part-a.parquet'), 'A');
    writeFileSync(join(dataDir, rel, 'notes.txt'), 'not a part');
    await staging.share(rel);
    const prefix = `lake/_trino/run-1/${rel.split(/[\\/]/).join('/')}`;
    assert.deepEqual((await mirrorObjects(config, mirror)).map((o) => o.key).filter((k) => k.startsWith(prefix)), [`${prefix}/part-a.parquet`]);

    // prepare empties the place; collect downloads what "Trino" wrote as numbered parts, in key order.
    await staging.prepare(rel);
    assert.deepEqual((await mirrorObjects(config, mirror)).map((o) => o.key).filter((k) => k.startsWith(prefix)), []);
    rmSync(join(dataDir, rel, 'part-a.parquet'));
    await put(`${prefix}/20261203_q2_b`, 'second');
    await put(`${prefix}/20261203_q1_a`, 'first');
    await put(`${prefix}/.hidden`, 'no');
    await put(`${prefix}/_SUCCESS`, 'no');
    await put(`${prefix}/sub/deeper`, 'no');
    const names = await staging.collect(rel, 'part-run-1');
    assert.deepEqual(names, ['part-run-1-00000.parquet', 'part-run-1-00001.parquet']);
    assert.equal(readFileSync(join(dataDir, rel, names[0]), 'utf8'), 'first');
    assert.equal(readFileSync(join(dataDir, rel, names[1]), 'utf8'), 'second');
    assert.deepEqual(readdirSync(join(dataDir, rel)).sort(), ['notes.txt', ...names]);

    // remove: the remote objects and the local folder.
    const scratch = join('_tmp', 'trino', 'run-1-x');
    mkdirSync(join(dataDir, scratch), { recursive: true });
    writeFileSync(join(dataDir, scratch, 'part-0.parquet'), 'S');
    await staging.share(scratch);
    await staging.remove(scratch);
    assert.deepEqual((await mirrorObjects(config, mirror)).map((o) => o.key).filter((k) => k.includes('run-1-x')), []);
    assert.deepEqual(readdirSync(join(dataDir, '_tmp', 'trino')), []);

    // close: every object of run-1 goes, the lake's and run-2's stay.
    await staging.close();
    assert.deepEqual((await mirrorObjects(config, mirror)).map((o) => o.key), ['lake/_catalog.json', 'lake/_trino/run-2/x/part']);
  } finally {
    client.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('without a mirror the staging is the data dir Trino serves', () => {
  const staging = trinoStaging(testConfig('/lake'), 'run-1');
  assert.equal(staging.kind, 'data-dir');
  assert.equal(staging.location(join('gold', 't', '.tmp-run-1-ab')), 'local:///gold/t/.tmp-run-1-ab');
});
