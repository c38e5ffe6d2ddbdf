import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { silentLogger } from '../lib/logger.ts';
import { withReader } from '../lib/session.ts';
import { queryRows } from '../lib/duckdb.ts';
import { TokenStore } from '../ingestion/spotify/tokens.ts';
import { connect, fakeSpotify } from '../ingestion/spotify/test-support.ts';
import type { SpotifyIngestSummary } from '../ingestion/spotify/ingest.ts';
import { executeRun } from './run.ts';
import { demoLake, FAST_GOLD } from './test-support.ts';

test('a run ingests every connected listener: a transient failure is retried in the run, a broken listener does not block the others', async (t) => {
  const fake = await fakeSpotify({ visible: 30 });
  const { config, cleanup } = await demoLake(fake.env());
  t.after(async () => { await fake.stop(); cleanup(); });
  await connect(config, 'p01');
  await connect(config, 'p02');
  writeFileSync(TokenStore.fromConfig(config).fileFor('p02'), '{ not json');
  fake.inject({ route: 'recently-played', kind: '503', times: 1 });

  const summary = await executeRun(config, silentLogger, { ...FAST_GOLD, publish: null, inbox: false, spotify: { policy: { maxRetries: 0, baseDelayMs: 1 }, retryDelaysMs: [10] } });
  assert.equal(summary.status, 'succeeded', summary.error ?? '');
  const stage = summary.stages.find((s) => s.stage === 'ingest spotify');
  const detail = stage?.detail as SpotifyIngestSummary;
  const byId = Object.fromEntries(detail.listeners.map((l) => [l.listener_id, l]));
  assert.equal(byId.p01.status, 'ok', byId.p01.error);
  assert.equal(byId.p01.plays_added, 30);
  assert.equal(byId.p02.status, 'failed');
  assert.match(byId.p02.error ?? '', /p02/);
  assert.ok(fake.requests.filter((r) => r.route === 'recently-played' && r.status === 503).length === 1, 'the 503 was seen once, then the listener was retried');
  assert.ok(stage!.tables.some((x) => x.table === 'bronze.listening_history'));

  const checks = summary.quality.failed.filter((c) => c.check_name === 'ingest_failures');
  assert.deepEqual(checks.map((c) => [c.level, c.column_name, c.observed_value]), [['warn', 'spotify_api', 1]]);
  const silver = await withReader(config, silentLogger, (s) => queryRows<{ n: number }>(s.conn,
    "select count(*)::integer as n from silver.listening_with_features where listener_id = 'p01' and history_source = 'spotify_api'"));
  assert.ok(silver[0].n > 0, "p01's API plays reach silver in the same run");
});

test('without connected listeners the Spotify stage does not run (the demo and export-only setups stay offline)', async () => {
  const { config, cleanup } = await demoLake({ SPOTIFY_API_BASE_URL: 'http://127.0.0.1:9/v1', SPOTIFY_ACCOUNTS_BASE_URL: 'http://127.0.0.1:9' });
  try {
    const summary = await executeRun(config, silentLogger, { ...FAST_GOLD, publish: null });
    assert.equal(summary.status, 'succeeded');
    assert.equal(summary.stages.find((s) => s.stage === 'ingest spotify'), undefined);
  } finally {
    cleanup();
  }
});
