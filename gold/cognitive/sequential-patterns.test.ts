// sequential_patterns sums the independent persistence share over a fixed list of moods
// (MOOD_ORDER): a mood category that moodCategory() can return and the list lacks would silently
// drop out of that sum. The values themselves are checked by sequential_patterns.fixture.json.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { moodCategory } from '../shared/feature-sql.ts';
import { MOOD_ORDER } from './sequential_patterns.ts';

test('every mood category moodCategory() returns is in the list sequential_patterns sums over', () => {
  const categories = [...new Set([...moodCategory().matchAll(/'([A-Za-z_]+)'/g)].map((m) => m[1]))].sort();
  assert.ok(categories.length >= 5, `found ${categories.join(', ')}`);
  assert.deepEqual(categories, [...MOOD_ORDER].sort());
});
