import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TrinoQueryError, isTransientQueryFailure, withRetry } from './client.ts';

const httpError = (status: number) => Object.assign(new Error(`Request failed with status code ${status}`), { response: { status } });

test('transient HTTP failures (502/503/504) are retried with backoff, then succeed', async () => {
  for (const status of [502, 503, 504]) {
    let calls = 0;
    const retried: number[] = [];
    const value = await withRetry(async () => {
      calls++;
      if (calls < 3) throw httpError(status);
      return 'ok';
    }, { attempts: 5, baseDelayMs: 1 }, (attempt) => {
      retried.push(attempt);
    });
    assert.equal(value, 'ok');
    assert.equal(calls, 3);
    assert.deepEqual(retried, [1, 2]);
  }
});

test('other failures are not retried, and retries stop after the last attempt', async () => {
  let calls = 0;
  await assert.rejects(withRetry(async () => {
    calls++;
    throw httpError(400);
  }, { attempts: 5, baseDelayMs: 1 }), /400/);
  assert.equal(calls, 1);
  calls = 0;
  await assert.rejects(withRetry(async () => {
    calls++;
    throw httpError(503);
  }, { attempts: 3, baseDelayMs: 1 }), /503/);
  assert.equal(calls, 3);
});

test('a statement the cluster failed (a task nobody polled, a worker gone) runs again, after its cleanup; a failure of the statement itself does not', async () => {
  const policy = { attempts: 3, baseDelayMs: 1 };
  // What the CI run of 4 Dec printed: a worker abandoned a task its coordinator had not polled for 4 min.
  const abandoned = new TrinoQueryError('insert into t select 1', 'Task 20261204_223645_06609_yn6u5.2.0.0 has not been accessed since 2026-12-04T22:36:59.378Z', 'ABANDONED_TASK');
  let calls = 0;
  const cleaned: string[] = [];
  const value = await withRetry(async () => {
    calls++;
    if (calls === 1) throw abandoned;
    if (calls === 2) throw new TrinoQueryError('insert into t select 1', 'Node 2 is gone', 'REMOTE_HOST_GONE');
    return 'written';
  }, policy, async (attempt, err) => {
    await new Promise((r) => setTimeout(r, 1));
    cleaned.push(`${attempt}:${(err as TrinoQueryError).errorName}`);
  }, isTransientQueryFailure);
  assert.equal(value, 'written');
  assert.equal(calls, 3);
  assert.deepEqual(cleaned, ['1:ABANDONED_TASK', '2:REMOTE_HOST_GONE']);

  for (const err of [
    new TrinoQueryError('select * from gold.nope', "Table 'lakehouse.gold.nope' does not exist", 'TABLE_NOT_FOUND'),
    new TrinoQueryError('select 1', 'Query exceeded per-node memory limit of 768MB', 'EXCEEDED_LOCAL_MEMORY_LIMIT'),
    new TrinoQueryError('select 1', 'lost the query while reading results (HTTP 500)'),
    httpError(503),
  ]) {
    calls = 0;
    await assert.rejects(withRetry(async () => {
      calls++;
      throw err;
    }, policy, undefined, isTransientQueryFailure), (e: unknown) => e === err);
    assert.equal(calls, 1, `${err.message}: not run again`);
  }
  calls = 0;
  await assert.rejects(withRetry(async () => {
    calls++;
    throw abandoned;
  }, policy, undefined, isTransientQueryFailure), /ABANDONED_TASK/);
  assert.equal(calls, 3, 'three attempts in all, then the failure');
});

test('a query error names what failed: Trino message, error name and the SQL', () => {
  const err = new TrinoQueryError('select *\n  from gold.nope', "line 2:8: Table 'lakehouse.gold.nope' does not exist", 'TABLE_NOT_FOUND');
  assert.match(err.message, /^trino: line 2:8: Table 'lakehouse\.gold\.nope' does not exist \[TABLE_NOT_FOUND\] — in: select \* from gold\.nope$/);
  assert.equal(err.exitCode, 1);
});

test('an https TRINO_URL without TRINO_PASSWORD is a config error naming the variable; a password never goes over plain http', async () => {
  const { loadConfig } = await import('../config.ts');
  const { trinoFromConfig, TrinoClient } = await import('./client.ts');
  const config = loadConfig({ dataDir: '/tmp/unused' }, { TRINO_URL: 'https://127.0.0.1:8080', TRINO_USER: 'alice' }, '/tmp');
  assert.throws(() => trinoFromConfig(config), (err: unknown) =>
    err instanceof Error && /^TRINO_PASSWORD is not set: .*TRINO_USER=alice/.test(err.message) && (err as { exitCode?: number }).exitCode === 2);
  assert.throws(() => new TrinoClient('http://127.0.0.1:8080', 'alice', { password: 'pw' }), /a password is only sent over https/);
  assert.throws(() => new TrinoClient('https://127.0.0.1:8080', 'alice', { password: 'pw', caFile: '/nonexistent/ca.pem' }), /TRINO_CA_FILE=\/nonexistent\/ca\.pem: cannot read the certificate/);
  const withPassword = loadConfig({ dataDir: '/tmp/unused' }, { TRINO_URL: 'https://127.0.0.1:8080/', TRINO_PASSWORD: 'pw' }, '/tmp');
  assert.equal(trinoFromConfig(withPassword).user, 'lakehouse');
});
