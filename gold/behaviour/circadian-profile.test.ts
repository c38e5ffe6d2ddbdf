// The day bootstrap of gold.circadian_profile on a listener whose days differ: the interval covers
// the share, is wider for an hour that is heavy on few days, and does not depend on the pseudonym.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { circadianAllRows, circadianRows, circadianShares } from './circadian_profile.ts';

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

test('the bootstrap on worker threads gives the rows of one thread, every listener once and in order', async () => {
  // 50 listeners with 5 to 1,019 local days (above the threshold for worker threads)
  const matrix: [string, ...number[]][] = [];
  let x = 7;
  const next = () => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (let l = 0; l < 50; l++) {
    const n = l === 0 ? 5 : 20 + ((l * 37) % 1000);
    for (let d = 0; d < n; d++) matrix.push([`listener-${String(l).padStart(2, '0')}`, ...Array.from({ length: 24 }, () => (next() < 0.2 ? Math.floor(next() * 5) + 1 : 0))]);
  }
  assert.ok(matrix.length >= 20_000, `${matrix.length} days`);
  const shares = circadianShares(matrix, 3);
  assert.equal(shares.length, 3);
  assert.deepEqual(shares.flatMap((s) => s.listeners), [...new Set(matrix.map((r) => r[0]))]);
  assert.equal(shares.reduce((n, s) => n + s.dayCounts.reduce((a, b) => a + b, 0), 0), matrix.length);
  const one = await circadianAllRows(matrix, 1);
  const byListener = new Map<string, number[][]>();
  for (const [listener, ...hours] of matrix) byListener.set(listener, [...(byListener.get(listener) ?? []), hours]);
  assert.deepEqual(one, [...byListener].flatMap(([listener, days]) => circadianRows(listener, days)));
  assert.deepEqual(await circadianAllRows(matrix, 2), one);
  assert.deepEqual(await circadianAllRows(matrix, 3), one);
});
