// Lake URIs and the object-store settings, without a server (the mirror itself: lib/mirror.stack.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadConfig } from './config.ts';
import { joinLake, objectKey, parseS3Uri, s3SecretSql } from './object-store.ts';
import { runCli } from '../test/helpers.ts';

test('a data dir may be a path, a file:// URI or an s3:// URI; other schemes are refused', () => {
  const cwd = '/srv/study';
  assert.equal(loadConfig({ dataDir: 'lake' }, {}, cwd).dataDir, '/srv/study/lake');
  assert.equal(loadConfig({ dataDir: pathToFileURL('/data/my lake').href }, {}, cwd).dataDir, '/data/my lake');
  const remote = loadConfig({ dataDir: 's3://bucket/studies/a/' }, {}, cwd);
  assert.equal(remote.dataDir, 's3://bucket/studies/a');
  assert.equal(remote.modelsDir, join(cwd, 'data', 'models'), 'a remote lake has no local models folder');
  assert.throws(() => loadConfig({ dataDir: 'gs://bucket/x' }, {}, cwd), /unsupported lake URI scheme/);
  assert.throws(() => loadConfig({}, { LAKEHOUSE_MIRROR_URI: 's3://' }, cwd), /expected s3:\/\/<bucket>/);
});

test('S3 settings: path style for a custom endpoint, the AWS default otherwise', () => {
  const custom = loadConfig({}, { LAKEHOUSE_S3_ENDPOINT: 'http://127.0.0.1:9000', LAKEHOUSE_MIRROR_URI: 's3://lake/a/' }, '/x').objectStore;
  assert.equal(custom.urlStyle, 'path');
  assert.equal(custom.mirrorUri, 's3://lake/a');
  assert.equal(custom.region, 'us-east-1');
  const aws = loadConfig({}, { AWS_REGION: 'eu-central-1' }, '/x').objectStore;
  assert.deepEqual([aws.urlStyle, aws.region, aws.endpoint], ['vhost', 'eu-central-1', undefined]);
});

test('URIs map lake-relative paths to keys and locations', () => {
  assert.deepEqual(parseS3Uri('s3://lake/studies/a/'), { bucket: 'lake', prefix: 'studies/a' });
  assert.deepEqual(parseS3Uri('s3://lake'), { bucket: 'lake', prefix: '' });
  assert.throws(() => parseS3Uri('s3:///x'), /expected s3:\/\/<bucket>/);
  assert.equal(objectKey(parseS3Uri('s3://lake/a'), 'gold/t/v000001/_meta.json'), 'a/gold/t/v000001/_meta.json');
  assert.equal(objectKey(parseS3Uri('s3://lake'), 'gold/t'), 'gold/t');
  assert.equal(joinLake('s3://lake/a', 'gold/t/v000001', '*.parquet'), 's3://lake/a/gold/t/v000001/*.parquet');
  assert.equal(joinLake('/data', 'gold/t/v000001', '*.parquet'), '/data/gold/t/v000001/*.parquet');
});

test('the DuckDB secret is temporary, scoped to the bucket, and speaks plain HTTP only to an http:// endpoint', () => {
  const config = loadConfig({}, { LAKEHOUSE_S3_ENDPOINT: 'http://127.0.0.1:9000', AWS_ACCESS_KEY_ID: 'id', AWS_SECRET_ACCESS_KEY: "se'cret" }, '/x');
  const sql = s3SecretSql(config, 's3://lake');
  assert.match(sql, /^create or replace temporary secret /);
  assert.match(sql, /scope 's3:\/\/lake'/);
  assert.match(sql, /endpoint '127\.0\.0\.1:9000', use_ssl false/);
  assert.match(sql, /secret 'se''cret'/, 'quoted');
  const https = s3SecretSql(loadConfig({}, { LAKEHOUSE_S3_ENDPOINT: 'https://minio.lab:9000' }, '/x'), 's3://lake');
  assert.match(https, /use_ssl true/);
});

test('writing verbs refuse an s3:// data dir; reading verbs need credentials', async () => {
  const build = await runCli(['build', 'silver', '--data-dir', 's3://lake/a']);
  assert.equal(build.code, 2);
  assert.match(build.stderr, /a lake on object storage is a mirror that only query, tables, export read; run `build silver`/);
  const erase = await runCli(['listeners', 'export', 'p01', '--out', '/tmp/x', '--data-dir', 's3://lake/a']);
  assert.equal(erase.code, 2, 'listeners export is not the export verb');
  const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
  delete process.env.AWS_ACCESS_KEY_ID;
  delete process.env.AWS_SECRET_ACCESS_KEY;
  try {
    const query = await runCli(['query', 'select 1', '--data-dir', 's3://lake/a']);
    assert.equal(query.code, 2);
    assert.match(query.stderr, /AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/);
  } finally {
    if (saved.id !== undefined) process.env.AWS_ACCESS_KEY_ID = saved.id;
    if (saved.secret !== undefined) process.env.AWS_SECRET_ACCESS_KEY = saved.secret;
  }
});
