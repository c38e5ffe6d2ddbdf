// The figures table of ACADEMIC_DISCLAIMER.md is what the code gives on the real inputs today: the
// test builds the lake (Kaggle sample, four real exports in their documented time zones, predictive
// and cognitive tables), regenerates the table and fails when the file differs. Trained catalog models
// are cached across runs in the OS temp folder (keyed by the catalog, so a changed catalog retrains):
// about 1 min warm, 2 min cold on one DuckDB thread.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tempDir } from '../test/helpers.ts';
import { BEGIN, DISCLAIMER, END, expectedDisclaimer } from './disclaimer-figures.ts';

const between = (text: string) => text.slice(text.indexOf(BEGIN), text.indexOf(END));

test('the disclaimer figures table equals what scripts/disclaimer-figures.ts derives from the real exports', { timeout: 600_000 }, async () => {
  const { dir, cleanup } = tempDir();
  process.env.LAKEHOUSE_MODELS_DIR ??= join(tmpdir(), 'lakehouse-disclaimer-models');
  try {
    const expected = await expectedDisclaimer(join(dir, 'lake'));
    const current = readFileSync(DISCLAIMER, 'utf8');
    assert.ok(between(expected).split('\n').length > 20, 'the table has the figures');
    assert.equal(between(current), between(expected), 'ACADEMIC_DISCLAIMER.md is stale: run npx tsx scripts/disclaimer-figures.ts');
    assert.equal(current, expected);
  } finally {
    cleanup();
  }
});
