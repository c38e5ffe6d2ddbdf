import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { runCli, runCliChild, tempDir } from '../test/helpers.ts';

test('run --demo as a real child process builds bronze, silver and gold; tables --json follows the contract', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const run = await runCliChild(['run', '--demo', '--data-dir', dir, '--json']);
    assert.equal(run.code, 0, run.stderr);
    // Piped: JSON log lines on stderr, no spinner, no colour, no cursor control.
    assert.doesNotMatch(run.stdout + run.stderr, /\u001B\[/);
    for (const line of run.stderr.split('\n').filter(Boolean)) assert.doesNotThrow(() => JSON.parse(line), line);
    const summary = JSON.parse(run.stdout);
    assert.match(summary.run_id, /^run-/);
    const tables = await runCli(['tables', '--json', '--data-dir', dir]);
    assert.equal(tables.code, 0);
    const list = JSON.parse(tables.stdout) as Record<string, unknown>[];
    const names = list.map((t) => `${t.layer}.${t.table}`);
    for (const t of ['bronze.kaggle_tracks', 'bronze.listening_history', 'bronze.listeners', 'bronze.rejected_rows', 'bronze.track_features_synthetic', 'silver.listening_with_features']) {
      assert.ok(names.includes(t), t);
    }
    for (const t of list) {
      assert.equal(typeof t.rows, 'number');
      assert.equal(typeof t.version, 'number');
      assert.match(String(t.built_at), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
      assert.ok(String(t.path).startsWith(dir));
    }
    const silver = list.find((t) => t.table === 'listening_with_features')!;
    assert.ok((silver.rows as number) > 3000);
    assert.ok(names.some((n) => n.startsWith('gold.')), 'gold tables are built by run');

    const q = await runCli(['query', '--json', '--data-dir', dir,
      "select listener_id, count(*) as plays, min(played_at) as first_at, min(date_local) as first_day, avg(valence) as v, bool_or(is_weekend) as any_weekend from silver.listening_with_features group by all order by 1"]);
    assert.equal(q.code, 0, q.stderr);
    const rows = JSON.parse(q.stdout) as Record<string, unknown>[];
    assert.deepEqual(rows.map((r) => r.listener_id), ['demo-amsterdam', 'demo-apple', 'demo-lastfm', 'demo-newyork', 'demo-tokyo', 'demo-youtube']);
    for (const r of rows) {
      assert.equal(typeof r.plays, 'number');
      assert.match(String(r.first_at), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      assert.match(String(r.first_day), /^\d{4}-\d{2}-\d{2}$/);
      assert.equal(typeof r.v, 'number');
      assert.equal(r.any_weekend, true);
    }
    const text = await runCli(['query', '--data-dir', dir, 'select 1 as one']);
    assert.match(text.stdout, /^one\n---\n1\n\(1 row\)/);
  } finally {
    cleanup();
  }
});

test('exit codes: 2 for usage errors, 1 for run failures, with a message on stderr', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const unknown = await runCli(['tables', '--no-such-flag', '--data-dir', dir]);
    assert.equal(unknown.code, 2);
    const write = await runCli(['query', '--data-dir', dir, 'create table x (a int)']);
    assert.equal(write.code, 2);
    assert.match(write.stderr, /only read-only statements/);
    const badTz = await runCli(['ingest', 'export', join(dir, 'x.json'), '--listener', 'p1', '--timezone', 'Mars/Olympus', '--data-dir', dir]);
    assert.equal(badTz.code, 2);
    assert.match(badTz.stderr, /Mars\/Olympus" is not an IANA time zone/);
    const missing = await runCli(['ingest', 'kaggle', join(dir, 'nope.csv'), '--data-dir', dir]);
    assert.equal(missing.code, 2, 'a missing input path is a usage error');
    assert.match(missing.stderr, /nope\.csv/);
    const noBronze = await runCli(['build', 'silver', '--data-dir', dir]);
    assert.equal(noBronze.code, 1);
    assert.match(noBronze.stderr, /bronze\.listening_history does not exist yet/);
  } finally {
    cleanup();
  }
});

test('ingest export --listener-dirs imports every subfolder as a listener, time zones from listeners.csv', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const { mkdirSync, symlinkSync, writeFileSync } = await import('node:fs');
    const { historyDir } = await import('../test/helpers.ts');
    const root = join(dir, 'study');
    mkdirSync(root);
    symlinkSync(join(historyDir, 'Efrrowini__spotify-music-analysis'), join(root, 'p01'));
    mkdirSync(join(root, 'p02'));
    symlinkSync(join(historyDir, 'Khushi-203006__Spotify_Data_Analysis_Project', 'Streaming_History_Audio_2023.json'), join(root, 'p02', 'Streaming_History_Audio_2023.json'));
    writeFileSync(join(root, 'listeners.csv'), 'listener_id,timezone\np01,Asia/Kolkata\n');
    const lake = join(dir, 'lake');
    const r = await runCli(['ingest', 'export', root, '--listener-dirs', '--timezone', 'Europe/Paris', '--json', '-q', '--data-dir', lake]);
    assert.equal(r.code, 0, r.stderr);
    const summaries = JSON.parse(r.stdout) as { listener_id: string; rows_added: number }[];
    assert.deepEqual(summaries.map((s) => [s.listener_id, s.rows_added]), [['p01', 6977], ['p02', 4067]]);
    const zones = await runCli(['query', '--json', '--data-dir', lake, 'select listener_id, timezone from bronze.listeners order by 1']);
    assert.deepEqual(JSON.parse(zones.stdout), [{ listener_id: 'p01', timezone: 'Asia/Kolkata' }, { listener_id: 'p02', timezone: 'Europe/Paris' }]);
    const both = await runCli(['ingest', 'export', root, '--listener-dirs', '--listener', 'x', '--data-dir', lake]);
    assert.equal(both.code, 2);
  } finally {
    cleanup();
  }
});
