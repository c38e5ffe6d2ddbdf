import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TrinoQueryError, withRetry } from './client.ts';

const httpError = (status: number) => Object.assign(new Error(`Request failed with status code ${status}`), { response: { status } });

test('transient HTTP failures (502/503/504) are retried with backoff, then succeed', async () => {
  for (const status of [502, 503, 504]) {
    let calls = 0;
    const retried: number[] = [];
    const value = await withRetry(async () => {
      calls++;
      if (calls < 3) throw httpError(status);
      return 'ok';
    }, { attempts: 5, baseDelayMs: 1 }, (attempt) => retried.push(attempt));
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

test('a query error names what failed: Trino message, error name and the SQL', () => {
  const err = new TrinoQueryError('select *\n  from gold.nope', "line 2:8: Table 'lakehouse.gold.nope' does not exist", 'TABLE_NOT_FOUND');
  assert.match(err.message, /^trino: line 2:8: Table 'lakehouse\.gold\.nope' does not exist \[TABLE_NOT_FOUND\] — in: select \* from gold\.nope$/);
  assert.equal(err.exitCode, 1);
});
