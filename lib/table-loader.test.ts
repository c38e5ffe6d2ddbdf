import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../test/helpers.ts';
import { declarationFiles, loadTables, sortByDependencies } from './table-loader.ts';
import type { TableSpec } from './table-spec.ts';

const spec = (name: string, inputs: string[] = []) => ({
  layer: 'gold', name, grainSentence: 'one row per x', grain: [], description: 'd', columns: [], inputs, sql: 'select 1',
});

test('declarations are snake_case .ts files whose default export is a table spec, named like the table', async () => {
  const { dir, cleanup } = tempDir();
  try {
    mkdirSync(join(dir, 'cat'));
    writeFileSync(join(dir, 'cat', 'my_table.ts'), `export default ${JSON.stringify(spec('my_table'))};`);
    writeFileSync(join(dir, 'cat', 'helper.ts'), 'export const x = 1;');
    writeFileSync(join(dir, 'cat', 'kebab-helper.ts'), 'throw new Error("never imported");');
    writeFileSync(join(dir, 'cat', 'my_table.test.ts'), 'throw new Error("never imported");');
    assert.deepEqual(declarationFiles(dir).map((f) => f.slice(dir.length + 1)), ['cat/helper.ts', 'cat/my_table.ts']);
    assert.deepEqual((await loadTables(dir)).map((t) => t.spec.name), ['my_table']);
    writeFileSync(join(dir, 'cat', 'other_name.ts'), `export default ${JSON.stringify(spec('not_other_name'))};`);
    await assert.rejects(loadTables(dir), /gold\.not_other_name: declared in cat\/other_name\.ts: the file must be named like its table/);
  } finally {
    cleanup();
  }
});

test('dependency order puts inputs first, keeps the given order otherwise, and names a cycle', () => {
  const items = [spec('c', ['gold.b']), spec('a'), spec('b', ['gold.a', 'silver.x'])].map((s) => ({ spec: s as TableSpec }));
  assert.deepEqual(sortByDependencies(items).map((i) => i.spec.name), ['a', 'b', 'c']);
  const cyclic = [spec('a', ['gold.b']), spec('b', ['gold.a'])].map((s) => ({ spec: s as TableSpec }));
  assert.throws(() => sortByDependencies(cyclic), /gold\.a: dependency cycle among gold\.a, gold\.b/);
});
