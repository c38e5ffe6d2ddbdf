import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errorMessage } from './errors.ts';

test('errorMessage never turns a thrown plain object into "[object Object]"', () => {
  assert.equal(errorMessage(new Error('boom')), 'boom');
  // trino-client's QueryError and Spotify's error bodies are plain objects with a message.
  assert.equal(errorMessage({ message: 'line 1:8: Table does not exist', errorName: 'TABLE_NOT_FOUND' }), 'line 1:8: Table does not exist');
  assert.equal(errorMessage({ status: 500 }), '{"status":500}');
  const circular: Record<string, unknown> = {};
  circular.self = circular;
  assert.doesNotMatch(errorMessage(circular), /^\[object Object\]$/);
  assert.equal(errorMessage('plain text'), 'plain text');
  assert.equal(errorMessage(undefined), 'undefined');
});
