// The one generic runner of the gold table tests: every gold/<category>/<table>.fixture.json|yaml
// case becomes a test that seeds a fresh lake with the input rows, builds the table with the real
// runner and compares the rows with the hand-checked expected ones.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { repoRoot, tempDir, testConfig } from '../test/helpers.ts';
import { silentLogger } from '../lib/logger.ts';
import { loadTables } from '../lib/table-loader.ts';
import { qualifiedName, type TableSpec } from '../lib/table-spec.ts';
import { GOLD_ROOT, loadGoldTables } from './build.ts';
import { diffRows, findFixtureFiles, readFixture, runFixtureCase } from './shared/fixture-runner.ts';

const gold = await loadGoldTables();
const silver = await loadTables(join(repoRoot, 'silver'));
const specs = new Map<string, TableSpec>([...silver, ...gold].map((t) => [qualifiedName(t.spec), t.spec]));
const cases = findFixtureFiles(GOLD_ROOT).flatMap(readFixture);

for (const fx of cases) {
  test(`fixture ${fx.name}`, async () => {
    const spec = specs.get(`gold.${fx.table}`);
    assert.ok(spec, `${fx.file}: no gold table named ${fx.table}`);
    const { dir, cleanup } = tempDir();
    try {
      const rows = await runFixtureCase(testConfig(dir), silentLogger, fx, specs);
      assert.deepEqual(diffRows(rows, fx.expected, spec), [], `${fx.file} (${fx.name})`);
    } finally {
      cleanup();
    }
  });
}

test('every SQL gold table has at least one fixture case', () => {
  const covered = new Set(cases.map((c) => c.table));
  const missing = gold.filter((t) => t.spec.sql && !covered.has(t.spec.name)).map((t) => qualifiedName(t.spec));
  assert.deepEqual(missing, []);
});
