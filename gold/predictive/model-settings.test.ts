// The forests' settings live in one place: model-settings.ts states no value that lib/ml/forest.ts's
// defaults already decide (gainThreshold 0 was measured better than 0.01 on the real split).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveForestOptions } from '../../lib/ml/forest.ts';
import { FOREST_OPTIONS } from './model-settings.ts';

test('the catalog forests use the library default gainThreshold (0), not a second value', () => {
  assert.equal(FOREST_OPTIONS.gainThreshold, resolveForestOptions().gainThreshold);
  assert.equal(FOREST_OPTIONS.gainThreshold, 0);
});
