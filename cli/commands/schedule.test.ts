import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../test/helpers.ts';
import { silentLogger } from '../../lib/logger.ts';
import { withReader } from '../../lib/session.ts';
import { queryRows } from '../../lib/duckdb.ts';
import { SCHEDULER_STATE_FILE } from '../../pipeline/scheduler.ts';
import { demoLake, lockExists } from '../../pipeline/test-support.ts';

const SECRET = 'client-secret-that-must-never-be-logged';

test('SIGTERM during a scheduled run: the stage ends within the grace period, the lock is released, exit code 0', async () => {
  const { dir, config, cleanup } = await demoLake();
  try {
    const child = spawn(process.execPath, [join(repoRoot, 'bin', 'lakehouse.js'), 'schedule', '--run-at-start', '--cron', '0 0 1 1 *', '--data-dir', dir], {
      cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LOG_LEVEL: 'debug', LAKEHOUSE_SHUTDOWN_GRACE: '2s', SPOTIFY_CLIENT_SECRET: SECRET, TRINO_URL: '' },
    });
    let stderr = '';
    let signalled = false;
    child.stderr.on('data', (d) => {
      stderr += d;
      if (!signalled && stderr.includes('"msg":"stage silver started"')) {
        signalled = true;
        assert.ok(lockExists(dir), 'the run holds the lock');
        child.kill('SIGTERM');
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.ok(signalled, `the run never reached silver:\n${stderr}`);
    assert.equal(code, 0, stderr);
    assert.ok(!lockExists(dir), 'lock released');
    assert.ok(!existsSync(join(dir, SCHEDULER_STATE_FILE)));
    const lines = stderr.split('\n').filter((l) => l.trim() !== '');
    for (const l of lines) assert.doesNotThrow(() => JSON.parse(l), `not a JSON log line: ${l}`);
    const messages = lines.map((l) => JSON.parse(l) as { msg: string });
    assert.ok(messages.some((m) => m.msg === 'scheduler started'));
    assert.ok(messages.some((m) => m.msg === 'shutdown requested: no new runs'));
    assert.equal(messages.at(-1)?.msg, 'scheduler stopped');
    assert.ok(!stderr.includes(SECRET), 'no secret in the logs');
    const runs = await withReader(config, silentLogger, (s) => queryRows<{ trigger: string; status: string; error: string; stage_durations: string }>(s.conn,
      'select trigger, status, error, stage_durations from ops.pipeline_runs order by started_at'));
    const last = runs.at(-1)!;
    assert.deepEqual([last.trigger, last.status], ['startup', 'aborted']);
    assert.match(last.error, /SIGTERM received/);
    assert.ok(!('gold' in JSON.parse(last.stage_durations)), 'no stage started after the signal');
  } finally {
    cleanup();
  }
});
