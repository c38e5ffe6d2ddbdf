// Erasure removes what crashed jobs left in the lake's temp folders: DuckDB's spill files and the
// Trino scratch tables (Parquet of rows being scored), both of which may hold a participant's plays.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { removeSpillFiles } from './personal-files.ts';
import { tempDir } from '../test/helpers.ts';

test('removeSpillFiles empties _tmp/duckdb and _tmp/trino and counts what it removed', () => {
  const work = tempDir();
  try {
    mkdirSync(join(work.dir, '_tmp', 'duckdb'), { recursive: true });
    writeFileSync(join(work.dir, '_tmp', 'duckdb', 'duckdb_temp_storage-0.tmp'), 'rows');
    mkdirSync(join(work.dir, '_tmp', 'trino', 'vectors-ab12'), { recursive: true });
    writeFileSync(join(work.dir, '_tmp', 'trino', 'vectors-ab12', 'part.parquet'), 'rows');
    assert.equal(removeSpillFiles(work.dir), 2);
    assert.deepEqual(readdirSync(join(work.dir, '_tmp', 'duckdb')), []);
    assert.deepEqual(readdirSync(join(work.dir, '_tmp', 'trino')), []);
    assert.equal(removeSpillFiles(join(work.dir, 'missing')), 0);
    assert.equal(existsSync(join(work.dir, '_tmp')), true);
  } finally {
    work.cleanup();
  }
});
