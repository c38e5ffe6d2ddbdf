// A listener imported without a time zone gets LAKEHOUSE_TIMEZONE: the import says so, the registry
// records it as defaulted (given once someone sets it), and `listeners list` shows which is which.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyDir, runCli, tempDir } from '../test/helpers.ts';

const smallExport = join(historyDir, 'Efrrowini__spotify-music-analysis', 'Streaming_History_Audio_2022.json');

test('imports name each new listener\'s zone as given or defaulted; listeners list shows it', async (t) => {
  const { dir, cleanup } = tempDir();
  const savedZone = process.env.LAKEHOUSE_TIMEZONE;
  process.env.LAKEHOUSE_TIMEZONE = 'Europe/Lisbon';
  t.after(() => {
    if (savedZone === undefined) delete process.env.LAKEHOUSE_TIMEZONE;
    else process.env.LAKEHOUSE_TIMEZONE = savedZone;
    cleanup();
  });
  const cli = (...args: string[]) => runCli([...args, '--data-dir', join(dir, 'lake')]);

  const defaulted = await cli('ingest', 'export', smallExport, '--listener', 'd1');
  assert.equal(defaulted.code, 0, defaulted.stderr);
  assert.match(defaulted.stdout, /^d1: new listener, time zone Europe\/Lisbon \(defaulted: LAKEHOUSE_TIMEZONE; change it with `lakehouse listeners set`\)$/m);
  const given = await cli('ingest', 'export', smallExport, '--listener', 'g1', '--timezone', 'Asia/Tokyo', '--json');
  assert.equal(given.code, 0, given.stderr);
  const g = JSON.parse(given.stdout) as { timezone: string; timezone_source: string; new_listener: boolean };
  assert.deepEqual([g.timezone, g.timezone_source, g.new_listener], ['Asia/Tokyo', 'given', true]);
  const again = await cli('ingest', 'export', smallExport, '--listener', 'd1');
  assert.doesNotMatch(again.stdout, /new listener/, 'only new listeners are announced');

  // --listener-dirs: listeners.csv gives one zone, the other listener is defaulted.
  const study = join(dir, 'study');
  for (const id of ['s1', 's2']) {
    mkdirSync(join(study, id), { recursive: true });
    copyFileSync(smallExport, join(study, id, 'Streaming_History_Audio_2022.json'));
  }
  writeFileSync(join(study, 'listeners.csv'), 'listener_id,timezone\ns1,America/Chicago\n');
  const dirs = await cli('ingest', 'export', study, '--listener-dirs');
  assert.equal(dirs.code, 0, dirs.stderr);
  assert.match(dirs.stdout, /^s1: new listener, time zone America\/Chicago \(given\)$/m);
  assert.match(dirs.stdout, /^s2: new listener, time zone Europe\/Lisbon \(defaulted: LAKEHOUSE_TIMEZONE/m);

  assert.equal((await cli('listeners', 'add', 'a1')).code, 0);
  const listed = await cli('listeners', 'list', '--json');
  const sources = Object.fromEntries((JSON.parse(listed.stdout) as { listener_id: string; timezone: string; timezone_source: string }[])
    .map((l) => [l.listener_id, `${l.timezone} ${l.timezone_source}`]));
  assert.deepEqual(sources, {
    a1: 'Europe/Lisbon default', d1: 'Europe/Lisbon default', g1: 'Asia/Tokyo given', s1: 'America/Chicago given', s2: 'Europe/Lisbon default',
  });
  const text = await cli('listeners', 'list');
  assert.match(text.stdout, /^listener_id\s+display_label\s+timezone\s+timezone_source\s+status/m);
  assert.match(text.stdout, /^d1\s+NULL\s+Europe\/Lisbon\s+default\s+active/m);

  assert.equal((await cli('listeners', 'set', 'd1', '--timezone', 'Europe/Lisbon')).code, 0);
  const after = JSON.parse((await cli('listeners', 'list', '--json')).stdout) as { listener_id: string; timezone_source: string }[];
  assert.equal(after.find((l) => l.listener_id === 'd1')?.timezone_source, 'given', 'setting the zone, even to the same value, makes it given');
});
