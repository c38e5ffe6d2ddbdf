// The registry through the CLI (in-process, and once as a child process) and its validation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { historyDir, runCli, runCliChild, tempDir, testConfig } from '../test/helpers.ts';
import { silentLogger } from '../lib/logger.ts';
import { withWriter } from '../lib/session.ts';
import { readCatalog } from '../lib/lake.ts';
import { planTable } from '../lib/trino/publish-plan.ts';
import { readListeners } from '../bronze/listener-registry.ts';
import { addListener, generateListenerId, parseInstant, updateListener } from './registry.ts';

const smallExport = join(historyDir, 'Efrrowini__spotify-music-analysis', 'Streaming_History_Audio_2022.json');

test('generated ids are opaque and distinct; instants are normalised to UTC', () => {
  const ids = new Set(Array.from({ length: 200 }, generateListenerId));
  assert.equal(ids.size, 200);
  for (const id of ids) assert.match(id, /^l-[a-z2-9]{10}$/);
  assert.equal(parseInstant('--x', '2026-03-01T10:30:00+02:00'), '2026-03-01 08:30:00.000');
  assert.equal(parseInstant('--x', '2026-03-01 10:30'), '2026-03-01 10:30:00.000', 'no zone means UTC');
  assert.equal(parseInstant('--x', '2026-03-01'), '2026-03-01 00:00:00.000');
  assert.equal(parseInstant('--x', 'now', new Date('2026-05-05T05:05:05.005Z')), '2026-05-05 05:05:05.005');
  assert.throws(() => parseInstant('--consent-recorded-at', 'yesterday'), /--consent-recorded-at: "yesterday" is not a date/);
});

test('add and update validate ids, zones and duplicates', async (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  await withWriter(testConfig(dir, { timezone: 'Asia/Tokyo' }), silentLogger, 'test', async (s) => {
    const tx = s.begin();
    const ctx = s.context(tx);
    const generated = await addListener(ctx, {});
    assert.match(generated.listener_id, /^l-/);
    assert.deepEqual([generated.timezone, generated.status, generated.display_label], ['Asia/Tokyo', 'active', null], 'defaults from LAKEHOUSE_TIMEZONE');
    await tx.commit();
    const tx2 = s.begin();
    await assert.rejects(addListener(s.context(tx2), { id: generated.listener_id }), /already registered/);
    await assert.rejects(addListener(s.context(tx2), { id: 'Jane Doe' }), /not a valid listener id/);
    await assert.rejects(updateListener(s.context(tx2), generated.listener_id, { timezone: 'Mars/Olympus' }), /not an IANA time zone/);
    await assert.rejects(updateListener(s.context(tx2), 'nobody', { status: 'paused' }), /nobody is not registered/);
    await tx2.abort();
    assert.equal((await readListeners(s.conn)).length, 1);
  });
});

test('lakehouse listeners: add, set, pause, resume, list, delete preview; the label is never published', async (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const cli = (...args: string[]) => runCli([...args, '--data-dir', dir]);
  const added = await cli('listeners', 'add', 'p01', '--label', 'cohort A', '--timezone', 'Europe/Berlin', '--consent-recorded-at', '2026-02-01T09:00:00Z', '--json');
  assert.equal(added.code, 0, added.stderr);
  assert.deepEqual(JSON.parse(added.stdout), { listener_id: 'p01', display_label: 'cohort A', timezone: 'Europe/Berlin', created_at: JSON.parse(added.stdout).created_at, consent_recorded_at: '2026-02-01 09:00:00.000', status: 'active', timezone_source: 'given', study_id: 'default' });
  assert.equal((await cli('listeners', 'add', '--json')).code, 0);

  const bad = await cli('listeners', 'set', 'p01', '--timezone', 'Europe/Nowhere');
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--timezone: "Europe\/Nowhere" is not an IANA time zone/);
  assert.equal((await cli('listeners', 'set', 'p01')).code, 2, 'set without a change is a usage error');
  const set = await cli('listeners', 'set', 'p01', '--timezone', 'America/New_York', '--label', '');
  assert.equal(set.code, 0, set.stderr);
  assert.match(set.stderr, /changed from Europe\/Berlin to America\/New_York; local times change with the next/);
  assert.equal((await cli('listeners', 'pause', 'p01')).code, 0);
  const refused = await cli('ingest', 'export', smallExport, '--listener', 'p01');
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /listener p01 is paused: nothing is imported/);

  const listed = JSON.parse((await cli('listeners', 'list', '--json')).stdout) as { listener_id: string; status: string; timezone: string; display_label: string | null; plays: number }[];
  assert.equal(listed.length, 2);
  const p01 = listed.find((l) => l.listener_id === 'p01')!;
  assert.deepEqual([p01.status, p01.timezone, p01.display_label, p01.plays], ['paused', 'America/New_York', null, 0], 'nothing was imported while paused');
  assert.equal((await cli('listeners', 'resume', 'p01')).code, 0);
  assert.equal((await cli('ingest', 'export', smallExport, '--listener', 'p01')).code, 0, 'a resumed listener is imported again');

  const preview = await cli('listeners', 'delete', 'p01');
  assert.equal(preview.code, 2);
  assert.match(preview.stdout, /bronze\.listeners/);
  assert.match(preview.stderr, /nothing was erased; repeat with --confirm/);
  const child = await runCliChild(['listeners', 'list', '--json', '--data-dir', dir]);
  assert.equal(child.code, 0, child.stderr);
  const rows = JSON.parse(child.stdout) as { listener_id: string; status: string }[];
  assert.deepEqual(rows.find((r) => r.listener_id === 'p01')?.status, 'active', 'the preview changed nothing');

  const meta = readCatalog(dir).tables['bronze.listeners'];
  const plan = planTable(dir, meta);
  assert.deepEqual(plan.skipped.map((c) => c.name), ['display_label']);
  assert.ok(plan.columns.some((c) => c.name === 'timezone'));
});

test('lakehouse listeners --study: add and set validate the id, list shows it (text and JSON)', async (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const cli = (...args: string[]) => runCli([...args, '--data-dir', dir]);
  const added = await cli('listeners', 'add', 's1', '--study', 'pilot', '--json');
  assert.equal(added.code, 0, added.stderr);
  assert.equal(JSON.parse(added.stdout).study_id, 'pilot');
  assert.equal((await cli('listeners', 'add', 's2')).code, 0);
  for (const bad of ['Pilot', 'a b', '-x', '', 'x'.repeat(65), "p'; drop"]) {
    const refused = await cli('listeners', 'add', 's3', '--study', bad);
    assert.equal(refused.code, 2, `add --study ${JSON.stringify(bad)}`);
    assert.match(refused.stderr, /--study: ".*" is not a valid study id \(1-64 characters: lowercase letters/);
  }
  const badSet = await cli('listeners', 'set', 's2', '--study', 'UPPER');
  assert.equal(badSet.code, 2);
  assert.match(badSet.stderr, /--study: "UPPER" is not a valid study id/);
  assert.equal((await cli('listeners', 'add', 's4', '--study', `a${'_-9'.repeat(21)}`)).code, 0, 'a 64-character slug is accepted');

  const moved = await cli('listeners', 'set', 's2', '--study', 'main-2026');
  assert.equal(moved.code, 0, moved.stderr);
  assert.match(moved.stderr, /study of s2 changed from default to main-2026/);
  const listed = JSON.parse((await cli('listeners', 'list', '--json')).stdout) as { listener_id: string; study_id: string }[];
  assert.deepEqual(listed.map((l) => [l.listener_id, l.study_id]), [['s1', 'pilot'], ['s2', 'main-2026'], ['s4', `a${'_-9'.repeat(21)}`]], 'refused adds registered nothing');
  const text = await cli('listeners', 'list');
  assert.match(text.stdout.split('\n')[0], /\bstudy_id\b/);
  assert.match(text.stdout.split('\n').find((l) => l.startsWith('s1')) ?? '', /\bpilot\b/);
});
