import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../lib/logger.ts';
import { withReader } from '../lib/session.ts';
import { queryRows } from '../lib/duckdb.ts';
import { lockPath } from '../lib/lock.ts';
import { PipelineScheduler, SCHEDULER_STATE_FILE, nextCronRun, readSchedulerState, type TickOutcome } from './scheduler.ts';
import type { RunSummary } from './run.ts';
import { demoLake, FAST_GOLD, lockExists } from './test-support.ts';

const EVERY_SECOND = '* * * * * *';
const NEVER_SOON = '0 0 1 1 *';

function until(cond: () => boolean, timeoutMs = 60_000): Promise<void> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const poll = setInterval(() => {
      if (cond()) {
        clearInterval(poll);
        resolve();
      } else if (Date.now() - started > timeoutMs) {
        clearInterval(poll);
        reject(new Error('condition not met in time'));
      }
    }, 20);
  });
}

const runsOf = (config: Parameters<typeof withReader>[0]) =>
  withReader(config, silentLogger, (s) => queryRows<{ run_id: string; trigger: string; status: string }>(s.conn, 'select run_id, trigger, status from ops.pipeline_runs order by started_at'));

test('a cron tick triggers a real run; ticks while it is going are skipped, not queued', async () => {
  const { config, cleanup } = await demoLake();
  const outcomes: TickOutcome[] = [];
  const scheduler: PipelineScheduler = new PipelineScheduler({
    config, log: silentLogger, cron: EVERY_SECOND, runOptions: { ...FAST_GOLD, publish: null },
    onTick: (t) => {
      outcomes.push(t);
      if (t.outcome === 'ran') void scheduler.stop(); // synchronously stops further ticks
    },
  });
  try {
    scheduler.start();
    assert.ok(readSchedulerState(config.dataDir)?.next_run, 'the state file names the next run');
    await until(() => outcomes.some((o) => o.outcome === 'ran'));
    await scheduler.stop();
    const ran = outcomes.filter((o): o is Extract<TickOutcome, { outcome: 'ran' }> => o.outcome === 'ran');
    assert.equal(ran.length, 1);
    assert.equal(ran[0].summary.status, 'succeeded', ran[0].summary.error ?? '');
    assert.equal(ran[0].summary.trigger, 'schedule');
    const firstRan = outcomes.indexOf(ran[0]);
    assert.ok(outcomes.slice(0, firstRan).every((o) => o.outcome === 'skipped_running'), 'ticks during the run were skipped');
    const runs = await runsOf(config);
    assert.deepEqual(runs.map((r) => r.trigger), ['cli', 'schedule'], 'one row per run, no queued extra runs');
    assert.ok(!lockExists(config.dataDir));
    assert.ok(!existsSync(join(config.dataDir, SCHEDULER_STATE_FILE)), 'the state file is removed on stop');
  } finally {
    await scheduler.stop();
    cleanup();
  }
});

test('an overlapping tick is skipped while the previous run is still going', async () => {
  const { config, cleanup } = await demoLake();
  let release!: () => void;
  let calls = 0;
  const runner = (trigger: string) => {
    calls++;
    return new Promise<RunSummary>((resolve) => (release = () => resolve({ run_id: `r${calls}`, trigger, status: 'succeeded' } as RunSummary)));
  };
  const scheduler = new PipelineScheduler({ config, log: silentLogger, cron: NEVER_SOON, runner });
  try {
    const first = scheduler.tick('schedule');
    const second = await scheduler.tick('schedule');
    assert.equal(second.outcome, 'skipped_running');
    assert.match((second as { running: string }).running, /^schedule run started at /);
    assert.equal(calls, 1);
    release();
    assert.equal((await first).outcome, 'ran');
    const third = scheduler.tick('schedule');
    release();
    assert.equal((await third).outcome, 'ran', 'once the run ended, the next tick runs');
    assert.equal(calls, 2);
  } finally {
    await scheduler.stop();
    cleanup();
  }
});

test('a tick finding the data dir locked by a manual command is skipped naming the holder', async () => {
  const { config, cleanup } = await demoLake();
  const holder = { pid: process.pid, host: hostname(), command: 'ingest export', started_at: new Date().toISOString() };
  writeFileSync(lockPath(config.dataDir), JSON.stringify(holder));
  const scheduler = new PipelineScheduler({ config, log: silentLogger, cron: NEVER_SOON, runOptions: { ...FAST_GOLD, publish: null } });
  try {
    const t = await scheduler.tick('schedule');
    assert.equal(t.outcome, 'skipped_locked');
    const skipped = t as Extract<TickOutcome, { outcome: 'skipped_locked' }>;
    assert.equal(skipped.holder?.command, 'ingest export');
    assert.match(skipped.message, /locked by pid \d+ .* running "ingest export"/);
    assert.equal((await runsOf(config)).length, 1, 'no run recorded');
    assert.ok(lockExists(config.dataDir), "the other command's lock is left alone");
  } finally {
    await scheduler.stop();
    cleanup();
  }
});

test('a stale lock left by a dead process is recovered by the next tick', async () => {
  const { config, cleanup } = await demoLake();
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  const holder = { pid: Number(dead.stdout), host: hostname(), command: 'schedule (schedule run)', started_at: '2026-01-01T00:00:00.000Z' };
  writeFileSync(lockPath(config.dataDir), JSON.stringify(holder));
  const scheduler = new PipelineScheduler({ config, log: silentLogger, cron: NEVER_SOON, runOptions: { ...FAST_GOLD, publish: null } });
  try {
    const t = await scheduler.tick('schedule');
    assert.equal(t.outcome, 'ran');
    const summary = (t as Extract<TickOutcome, { outcome: 'ran' }>).summary;
    assert.equal(summary.status, 'succeeded');
    assert.ok(!lockExists(config.dataDir), 'released after the run');
    const recorded = await withReader(config, silentLogger, (s) => queryRows<{ summary: string }>(s.conn, 'select summary from ops.pipeline_runs where run_id = $r', { r: summary.run_id }));
    assert.deepEqual(JSON.parse(recorded[0].summary).recovered_lock, holder, 'the takeover is recorded with the run');
  } finally {
    await scheduler.stop();
    cleanup();
  }
});

test('stop() during a run: no new stage starts, the run is recorded aborted and the lock released', async () => {
  const { config, cleanup } = await demoLake();
  const scheduler = new PipelineScheduler({ config, log: silentLogger, cron: NEVER_SOON, runOptions: { ...FAST_GOLD, publish: null } });
  try {
    const tick = scheduler.tick('startup');
    await until(() => lockExists(config.dataDir));
    await scheduler.stop(0, 'test shutdown');
    const t = await tick;
    assert.equal(t.outcome, 'ran');
    const summary = (t as Extract<TickOutcome, { outcome: 'ran' }>).summary;
    assert.equal(summary.status, 'aborted');
    assert.match(summary.error ?? '', /test shutdown/);
    assert.ok(!lockExists(config.dataDir));
    assert.equal((await scheduler.tick('schedule')).outcome, 'stopping', 'no new runs after stop');
    const last = (await runsOf(config)).at(-1)!;
    assert.deepEqual([last.trigger, last.status], ['startup', 'aborted']);
  } finally {
    cleanup();
  }
});

test('an invalid cron expression is a configuration error', () => {
  assert.throws(() => nextCronRun('every six hours', 'UTC'), /SCHEDULE_CRON: "every six hours" is not a valid cron expression/);
  const next = nextCronRun('0 */6 * * *', 'UTC');
  assert.ok(next && next.getUTCHours() % 6 === 0 && next.getUTCMinutes() === 0);
});
