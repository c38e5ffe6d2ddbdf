import { test } from 'node:test';
import assert from 'node:assert/strict';
import { localTimesInRows } from './local-time.ts';

test('rows from Trino (*_local written as …Z) get the offset from the UTC column or the time zone, never Z', () => {
  const rows = localTimesInRows([
    { played_at: '2022-05-22T13:01:24.000Z', played_at_local: '2022-05-22T18:31:24.000Z' },
    { played_at_local: '2022-05-22T10:32:24.000Z', timezone: 'America/St_Johns' },
    { played_at_local: '2022-01-10T10:32:24.250Z', timezone: 'America/St_Johns' },
    { played_at_local: '2022-05-22T18:31:24.000Z', timezone: 'Asia/Kolkata' },
    { played_at_local: '2022-05-22T18:31:24.000Z' },
    { played_at: '2022-05-22T13:01:24.000Z', label_local: 'not a time', played_at_local: null },
  ]);
  assert.deepEqual(rows.map((r) => r.played_at_local), [
    '2022-05-22T18:31:24+05:30',
    '2022-05-22T10:32:24-02:30',
    '2022-01-10T10:32:24.250-03:30',
    '2022-05-22T18:31:24+05:30',
    '2022-05-22T18:31:24',
    null,
  ]);
  assert.equal(rows[0].played_at, '2022-05-22T13:01:24.000Z', 'UTC columns keep their Z');
  assert.equal(rows[5].label_local, 'not a time');
});
