import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { runCli, runCliChild } from '../../test/helpers.ts';
import { silentLogger } from '../../lib/logger.ts';
import { readCatalog } from '../../lib/lake.ts';
import { lockPath } from '../../lib/lock.ts';
import { executeRun } from '../../pipeline/run.ts';
import { demoLake, FAST_GOLD } from '../../pipeline/test-support.ts';

test('status is healthy after a successful run and names the lock holder; stale data exits 1 (healthcheck)', async () => {
  const { dir, cleanup } = await demoLake();
  try {
    const ok = await runCli(['status', '--json', '--data-dir', dir]);
    assert.equal(ok.code, 0, ok.stderr);
    const report = JSON.parse(ok.stdout);
    assert.equal(report.healthy, true);
    assert.equal(report.last_run.status, 'succeeded');
    assert.equal(report.lock, null);
    assert.equal(report.next_run, null, 'no scheduler running');
    assert.ok(report.tables.some((t: { table: string }) => t.table === 'ops.pipeline_runs'));
    for (const t of report.tables) assert.ok(t.age_hours >= 0 && t.age_hours < 1);

    writeFileSync(lockPath(dir), JSON.stringify({ pid: process.ppid, host: hostname(), command: 'ingest export', started_at: '2026-01-01T00:00:00.000Z' }));
    const locked = JSON.parse((await runCli(['status', '--json', '--data-dir', dir])).stdout);
    assert.deepEqual([locked.lock.command, locked.lock.alive], ['ingest export', true]);
    const text = await runCli(['status', '--data-dir', dir]);
    assert.match(text.stdout, /lock: +held by pid \d+ .* running "ingest export"/);
    const longAgo = new Date(Date.now() - 5 * 60_000);
    utimesSync(lockPath(dir), longAgo, longAgo);
    const expired = JSON.parse((await runCli(['status', '--json', '--data-dir', dir])).stdout).lock;
    assert.equal(expired.alive, false, 'a live pid without a heartbeat for a whole lease');
    assert.ok(Math.abs(Date.parse(expired.heartbeat_at) - longAgo.getTime()) < 1000, `heartbeat_at ${expired.heartbeat_at}`);
    assert.match((await runCli(['status', '--data-dir', dir])).stdout, /\(stale: no heartbeat for 3\d\d(\.\d)? s \(lease 60 s\); the next writer takes it over\)/);

    const stale = await runCliChild(['status', '--json', '--data-dir', dir], { LAKEHOUSE_STALE_AFTER: '1ms' });
    assert.equal(stale.code, 1);
    assert.match(JSON.parse(stale.stdout).problems.join(' '), /^stale: the last successful run finished/);
  } finally {
    cleanup();
  }
});

test('after a failed run, status exits 1 and runs shows the run with its failed checks', async () => {
  const { dir, config, cleanup } = await demoLake();
  try {
    const meta = readCatalog(dir).tables['bronze.rejected_rows'];
    copyFileSync(join(dir, meta.path, meta.files[0]), join(dir, meta.path, 'part-planted.parquet'));
    const failed = await executeRun(config, silentLogger, { ...FAST_GOLD, inbox: false, publish: null });
    assert.equal(failed.status, 'failed');

    const status = await runCli(['status', '--json', '--data-dir', dir]);
    assert.equal(status.code, 1);
    const report = JSON.parse(status.stdout);
    assert.equal(report.healthy, false);
    assert.match(report.problems[0], new RegExp(`the last run \\(${failed.run_id}\\) failed in stage quality: quality gate`));

    const runs = await runCli(['runs', '--json', '--data-dir', dir]);
    assert.equal(runs.code, 0, runs.stderr);
    const list = JSON.parse(runs.stdout) as { run_id: string; status: string; stage_durations: Record<string, number> }[];
    assert.deepEqual(list.map((r) => r.status), ['failed', 'succeeded'], 'newest first');
    assert.ok(list[0].stage_durations.silver > 0);
    const one = await runCli(['runs', '--json', '--run', failed.run_id, '--data-dir', dir]);
    const detail = JSON.parse(one.stdout);
    assert.equal(detail.checks[0].check_name, 'grain_unique');
    assert.equal(detail.checks[0].status, 'fail');
    assert.ok(detail.checks.length > 20);
    const unknown = await runCli(['runs', '--run', 'run-nope', '--data-dir', dir]);
    assert.equal(unknown.code, 2);
  } finally {
    cleanup();
  }
});
