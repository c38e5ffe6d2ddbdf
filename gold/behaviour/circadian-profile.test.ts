// The day bootstrap of gold.circadian_profile on a listener whose days differ: the interval covers
// the share, is wider for an hour that is heavy on few days, and does not depend on the pseudonym.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { circadianRows } from './circadian_profile.ts';

// 30 days: one play at 8 every day; on 3 of the days also 10 plays at 23.
const days = Array.from({ length: 30 }, (_, i) => Array.from({ length: 24 }, (_, h) => (h === 8 ? 1 : h === 23 && i % 10 === 0 ? 10 : 0)));

test('circadian intervals resample whole days, cover the share and ignore the pseudonym', () => {
  const rows = circadianRows('a', days);
  assert.equal(rows.length, 24);
  const [, , plays8, share8, low8, high8, observed] = rows[8] as number[];
  const [, , plays23, share23, low23, high23, , with23] = rows[23] as number[];
  assert.deepEqual([plays8, plays23, observed, with23], [30, 30, 30, 3]);
  assert.equal(share8, 0.5);
  assert.ok(low8 < share8 && share8 < high8, `${low8} < ${share8} < ${high8}`);
  assert.ok(low23 < share23 && share23 < high23);
  // 23:00 rests on 3 days: a resample can draw none of them, so its interval reaches down to 0 or near it
  assert.ok(low23 < 0.2 && high23 > 0.6, `wide interval for hour 23: ${low23}–${high23}`);
  assert.deepEqual(circadianRows('renamed', days).map((r) => r.slice(1)), rows.map((r) => r.slice(1)), 'same days, same numbers under another name');
});
