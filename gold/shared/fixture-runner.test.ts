import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../test/helpers.ts';
import { diffRows, findFixtureFiles, readFixture } from './fixture-runner.ts';

test('YAML fixtures with file and case defaults are read like JSON ones', () => {
  const { dir, cleanup } = tempDir();
  try {
    mkdirSync(join(dir, 'descriptive'));
    writeFileSync(join(dir, 'descriptive', 'my_table.fixture.yaml'), `
defaults:
  silver.listening_with_features: { listener_id: a, feature_source: kaggle }
cases:
  - name: one
    defaults:
      silver.listening_with_features: { feature_source: synthetic }
    inputs:
      silver.listening_with_features:
        - { valence: 0.5 }
    expected:
      - { listener_id: a, n: 1 }
`);
    writeFileSync(join(dir, 'descriptive', 'helper-notes.json'), '{}');
    const files = findFixtureFiles(dir);
    assert.equal(files.length, 1);
    const [c] = readFixture(files[0]);
    assert.equal(c.name, 'my_table / one');
    assert.equal(c.table, 'my_table');
    assert.deepEqual(c.defaults['silver.listening_with_features'], { listener_id: 'a', feature_source: 'synthetic' });
    assert.deepEqual(c.expected, [{ listener_id: 'a', n: 1 }]);
  } finally {
    cleanup();
  }
});

test('diffRows reports row counts, values beyond 1e-9, undeclared columns; BIGINT strings compare as numbers', () => {
  const spec = { columns: [{ name: 'k', type: 'VARCHAR', description: 'k' }, { name: 'n', type: 'BIGINT', description: 'n' }, { name: 'x', type: 'DOUBLE', description: 'x' }] };
  assert.deepEqual(diffRows([{ k: 'a', n: '3', x: 0.1 + 0.2 }], [{ k: 'a', n: 3, x: 0.3 }], spec), []);
  assert.deepEqual(diffRows([{ k: 'a', n: '3', x: 0.3001 }], [{ k: 'a', x: 0.3 }], spec), ['row 1, x: expected 0.3, got 0.3001']);
  assert.deepEqual(diffRows([], [{ k: 'a', y: 1 }], spec), ['expected row 1: y is not a column of the table', 'expected 1 rows, got 0']);
  assert.deepEqual(diffRows([{ k: null, n: null, x: null }], [{ k: null, x: 0 }], spec), ['row 1, x: expected 0, got null']);
});
