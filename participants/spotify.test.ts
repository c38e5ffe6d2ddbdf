// Paused listeners and erasure with the Spotify Web API source (the fake server replays real
// recorded responses): a paused listener is skipped by `ingest spotify --all` and keeps their data;
// erasing the other one removes their landed responses, cursor and tokens and strips the
// provenance that pointed at them from the shared track rows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, runCliChild, tempDir } from '../test/helpers.ts';
import { silentLogger } from '../lib/logger.ts';
import { withReader } from '../lib/session.ts';
import { queryRows } from '../lib/duckdb.ts';
import { TokenStore } from '../ingestion/spotify/tokens.ts';
import { connect, fakeConfig, fakeSpotify } from '../ingestion/spotify/test-support.ts';
import { findResidue, findUnusedKeys } from './residue.ts';

const GONE = 'api-gone-8m3t';
const KEPT = 'api-kept-5r7p';

type Counted = { listener_id: string; n: number };

test('a paused listener is skipped by ingest spotify --all; erasure removes raw responses, cursor, tokens and provenance', async (t) => {
  const fake = await fakeSpotify({ visible: 30 });
  const { dir, cleanup } = tempDir();
  t.after(async () => { await fake.stop(); cleanup(); });
  const config = fakeConfig(dir, fake);
  await connect(config, GONE);
  await connect(config, KEPT);
  const ingest = () => runCliChild(['ingest', 'spotify', '--all', '--json', '--data-dir', dir], { ...fake.env(), LOG_LEVEL: 'warn' });
  const first = await ingest();
  assert.equal(first.code, 0, first.stderr);
  const plays = async () => withReader(config, silentLogger, (s) => queryRows<Counted>(s.conn, 'select listener_id, count(*)::integer as n from bronze.listening_history group by 1 order by 1'));
  const before = await plays();
  assert.deepEqual(before.map((r) => r.listener_id), [GONE, KEPT]);

  assert.equal((await runCli(['listeners', 'pause', KEPT, '--data-dir', dir])).code, 0);
  fake.advance(3);
  const second = await ingest();
  assert.equal(second.code, 0, second.stderr);
  const statuses = (JSON.parse(second.stdout) as { listeners: { listener_id: string; status: string; plays_added: number }[] }).listeners
    .map((l) => [l.listener_id, l.status, l.plays_added > 0]).sort();
  assert.deepEqual(statuses, [[GONE, 'ok', true], [KEPT, 'skipped_paused', false]]);
  const after = await plays();
  assert.equal(after.find((r) => r.listener_id === KEPT)!.n, before.find((r) => r.listener_id === KEPT)!.n, 'the paused listener keeps their data and gets nothing new');

  // The client never asks who the account is: no profile endpoint, no profile scope.
  assert.deepEqual([...new Set(fake.requests.map((r) => r.route))].filter((r) => !['/authorize', 'token', 'recently-played', 'audio-features'].includes(r)), []);
  const scopes = fake.requests.filter((r) => r.route === '/authorize').map((r) => r.query.scope);
  assert.deepEqual([...new Set(scopes)], ['user-read-recently-played']);

  // Track rows from the Web API that point at the erased listener's responses, and those of tracks only they played.
  const trackRows = () => withReader(config, silentLogger, (s) => queryRows<{ table: string; pointing: number; shared: number; only_gone: number }>(s.conn, `
    with kept as (select distinct track_id from bronze.listening_history where listener_id = $kept)
    select 'metadata' as table, count(*) filter (where starts_with(source_file, $gone))::integer as pointing,
           count(*) filter (where starts_with(source_file, $gone) and track_id in (select track_id from kept))::integer as shared,
           count(*) filter (where track_id not in (select track_id from kept))::integer as only_gone from bronze.track_metadata_api`, { gone: `${GONE}/`, kept: KEPT }));
  const tracksBefore = await trackRows();
  assert.ok(tracksBefore.every((r) => r.only_gone > 0), `tracks only the erased listener played: ${JSON.stringify(tracksBefore)}`);

  const erased = await runCli(['listeners', 'delete', GONE, '--confirm', '--json', '--data-dir', dir]);
  assert.equal(erased.code, 0, erased.stderr);
  const summary = JSON.parse(erased.stdout) as { files: { kind: string; path: string }[]; tables: { table: string; rows_scrubbed: number }[]; residue: unknown[] };
  assert.deepEqual(summary.residue, []);
  assert.deepEqual(summary.files.map((f) => f.path).sort(), [`raw/spotify/${GONE}`, `secrets/spotify/${GONE}.json`, `state/spotify/${GONE}.json`]);
  for (const p of summary.files) assert.equal(existsSync(join(dir, p.path)), false);
  assert.equal(TokenStore.fromConfig(config).has(KEPT), true, 'the other listener stays connected');
  assert.equal(existsSync(join(dir, 'raw', 'spotify', KEPT)), true);

  assert.deepEqual((await trackRows()).map((r) => r.only_gone), [0], 'tracks only the erased listener played are gone from the API metadata');
  await withReader(config, silentLogger, async (s) => {
    assert.deepEqual(await queryRows<Counted>(s.conn, 'select listener_id, count(*)::integer as n from bronze.listening_history group by 1'), after.filter((r) => r.listener_id === KEPT));
    const [meta] = await queryRows<{ gone: number; erased: number; kept: number }>(s.conn, `select count(*) filter (where starts_with(source_file, $gone))::integer as gone,
        count(*) filter (where source_file = 'erased')::integer as erased, count(*) filter (where starts_with(source_file, $kept))::integer as kept from bronze.track_metadata_api`, { gone: `${GONE}/`, kept: `${KEPT}/` });
    assert.equal(meta.gone, 0);
    assert.ok(meta.kept > 0);
    const shared = tracksBefore.find((r) => r.table === 'metadata')!.shared;
    assert.equal(meta.erased, shared, 'tracks the other listener played too, last seen by the erased one, keep their metadata without the pointer to them');
    assert.deepEqual(await findResidue(s.conn, dir, GONE, (rel) => rel.startsWith('ops/erasures')), []);
    assert.deepEqual(await findUnusedKeys(s.conn, dir), []);
  });
});
