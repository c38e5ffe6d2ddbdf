// One id rule for every component (lib/listener-id.ts): hostile ids are refused by the registry, the
// CLI, the token store and the inbox alike, and a person stored under an id the registry accepted
// before the rule (`a..b`) is still erased completely, with the audit row and the file clean-up.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyDir, runCli, tempDir, testConfig } from '../test/helpers.ts';
import { silentLogger } from '../lib/logger.ts';
import { withReader, withWriter } from '../lib/session.ts';
import { queryRows } from '../lib/duckdb.ts';
import { TokenStore } from '../ingestion/spotify/tokens.ts';
import { LISTENER_ID_RULE, checkListenerId, isListenerId } from '../lib/listener-id.ts';
import { ensureListeners, readListeners, writeListeners } from '../bronze/listener-registry.ts';
import { pendingInbox } from '../pipeline/inbox.ts';
import { eraseListener } from './erase.ts';
import { findResidue } from './residue.ts';

const HOSTILE = ['a..b', '../x', '.', '..', '', 'x'.repeat(65), 'é', 'p\u00e9', 'ü1', 'a/b', 'a\\b', '-x', '--help', '_x', 'a.', 'a b', 'a\nb', 'a\u0000b', '\u202ep1', 'l-１２'];
const VALID = ['p01', 'l-k3m9x2q7ab', 'A.b_c-d', 'x'.repeat(64), '7', 'a.b.c', 'a-'];

test('hostile ids are refused by the rule, the registry, the token store and the inbox alike', async (t) => {
  for (const id of VALID) assert.equal(isListenerId(id), true, id);
  for (const id of HOSTILE) {
    assert.equal(isListenerId(id), false, JSON.stringify(id));
    assert.throws(() => checkListenerId(id), (e: Error) => e.message.includes(LISTENER_ID_RULE) && e.message.length < 400, JSON.stringify(id));
    assert.throws(() => new TokenStore('/nowhere').fileFor(id), /is not a valid listener id/, `token store: ${JSON.stringify(id)}`);
  }
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  // Inbox folders: only those named by a valid id are a listener's.
  const old = new Date(Date.now() - 60_000);
  for (const name of ['a..b', 'a.', '-x', 'é', 'p01', 'a-']) {
    mkdirSync(join(dir, 'inbox', name), { recursive: true });
    writeFileSync(join(dir, 'inbox', name, 'StreamingHistory_music_0.json'), '[]');
    utimesSync(join(dir, 'inbox', name, 'StreamingHistory_music_0.json'), old, old);
  }
  assert.deepEqual(pendingInbox(dir).map((p) => p.listener), ['a-', 'p01']);

  await withWriter(testConfig(dir), silentLogger, 'test', async (s) => {
    for (const id of HOSTILE) {
      const tx = s.begin();
      await assert.rejects(ensureListeners(s.context(tx), [{ id }]), /is not a valid listener id/, `registry: ${JSON.stringify(id)}`);
      tx.abort();
    }
    assert.deepEqual(await readListeners(s.conn), []);
  });
});

test('the CLI refuses hostile ids at listeners add and ingest export, naming the rule, and stores nothing', async (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const cli = (...args: string[]) => runCli([...args, '--data-dir', dir]);
  const small = join(historyDir, 'Efrrowini__spotify-music-analysis', 'Streaming_History_Audio_2022.json');
  for (const id of ['a..b', '../x', '.', '', 'x'.repeat(300), 'ü1', 'a/b', '-x']) {
    const added = await runCli(['listeners', 'add', '--data-dir', dir, '--', id]);
    assert.equal(added.code, 2, `listeners add ${JSON.stringify(id)}: ${added.stderr}`);
    assert.ok(added.stderr.includes(LISTENER_ID_RULE), added.stderr);
    assert.ok(added.stderr.length < 600, 'a very long id is not echoed whole');
    const imported = await cli('ingest', 'export', small, `--listener=${id}`);
    assert.equal(imported.code, 2, `ingest export --listener ${JSON.stringify(id)}: ${imported.stderr}`);
  }
  for (const id of ['a..b', 'a/b', '../x']) {
    const erased = await cli('listeners', 'delete', id, '--confirm');
    assert.equal(erased.code, 2);
    assert.match(erased.stderr, /nothing is stored about|not a valid listener id/);
  }
  assert.equal(existsSync(join(dir, 'bronze', 'listeners')), false, 'nothing was registered');
});

test('a person stored under an id accepted before the rule (a..b) is erased completely, with audit row and files', async (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const config = testConfig(dir);
  const legacy = 'a..b';
  await withWriter(config, silentLogger, 'test', async (s) => {
    const tx = s.begin();
    await writeListeners(s.context(tx), [legacy, 'p02'].map((id) => ({ listener_id: id, display_label: null, timezone: 'UTC', created_at: '2026-01-01 00:00:00', consent_recorded_at: null, status: 'active', timezone_source: null })));
    await tx.write({ layer: 'silver', name: 'plays' }, { sql: `select * from (values ('${legacy}', 1), ('p02', 2)) t(listener_id, n)` });
    await tx.commit();
  });
  for (const rel of [`raw/spotify/${legacy}/run-1/recently-played-0001.json`, `secrets/spotify/${legacy}.json`, `inbox/${legacy}/x.json`]) {
    mkdirSync(join(dir, rel, '..'), { recursive: true });
    writeFileSync(join(dir, rel), '{}');
  }
  const summary = await eraseListener(config, silentLogger, legacy);
  assert.deepEqual(summary.residue, []);
  assert.equal(summary.files_removed, 3);
  for (const rel of [`raw/spotify/${legacy}`, `secrets/spotify/${legacy}.json`, `inbox/${legacy}`]) assert.equal(existsSync(join(dir, rel)), false, rel);
  await withReader(config, silentLogger, async (s) => {
    assert.deepEqual(await queryRows(s.conn, 'select listener_id from ops.erasures'), [{ listener_id: legacy }]);
    assert.deepEqual(await queryRows(s.conn, 'select listener_id, n from silver.plays'), [{ listener_id: 'p02', n: 2 }]);
    assert.deepEqual((await readListeners(s.conn)).map((r) => r.listener_id), ['p02']);
    assert.deepEqual(await findResidue(s.conn, dir, legacy, (rel) => rel.startsWith('ops/erasures')), []);
  });
});
