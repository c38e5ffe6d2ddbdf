// Against the real Trino started by scripts/test-stack.sh (TRINO_URL), serving LAKEHOUSE_DATA_DIR:
// a run publishes its tables and its own run history; a planted grain duplicate fails the quality
// gate and a failing gold stage fails the run, and in both cases Trino keeps serving the previous
// publication. The test leaves the lake healthy and published for the stack tests after it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir, testConfig } from '../test/helpers.ts';
import { silentLogger } from '../lib/logger.ts';
import { readCatalog } from '../lib/lake.ts';
import { pipelineTrino, publishedState, trinoEnv } from '../lib/trino/stack-test-support.ts';
import { executeRun, type RunOptions } from './run.ts';
import { FAST_GOLD } from './test-support.ts';

const dataDir = process.env.LAKEHOUSE_DATA_DIR ?? '';
const trinoUrl = process.env.TRINO_URL ?? '';
const config = testConfig(dataDir, {}, trinoEnv());
const trino = pipelineTrino();
const OPTS: RunOptions = { ...FAST_GOLD, inbox: false, spotify: false };
const TABLE = 'gold.temporal_trends';

async function served(table: string): Promise<{ physical: string; rows: number }> {
  const view = (await publishedState(trino)).get(table);
  assert.ok(view, `${table} is published`);
  const { rows } = await trino.query(`select count(*) from lakehouse.${table}`);
  return { physical: view.physical, rows: Number(rows[0][0]) };
}

const servedRuns = async () => (await trino.rows('select run_id, status from lakehouse.ops.pipeline_runs')).map((r) => `${r.run_id} ${r.status}`);

test('a run publishes to Trino; a quality-gate failure or a failed stage keeps the previous publication serving', async () => {
  assert.ok(trinoUrl && dataDir, 'TRINO_URL and LAKEHOUSE_DATA_DIR must be set (scripts/test-stack.sh sets them)');
  if (!readCatalog(dataDir).tables['bronze.listening_history']) {
    const demo = await executeRun(config, silentLogger, { ...OPTS, demo: true });
    assert.equal(demo.status, 'succeeded', demo.error ?? '');
  }
  const good = await executeRun(config, silentLogger, OPTS);
  assert.equal(good.status, 'succeeded', good.error ?? '');
  assert.equal(good.publish_status, 'published');
  const published = await served(TABLE);
  assert.equal(published.rows, readCatalog(dataDir).tables[TABLE].rows);
  assert.ok((await servedRuns()).includes(`${good.run_id} succeeded`), "the run's own history row reaches Trino");

  const meta = readCatalog(dataDir).tables['bronze.rejected_rows'];
  const planted = join(dataDir, meta.path, 'part-planted-duplicate.parquet');
  copyFileSync(join(dataDir, meta.path, meta.files[0]), planted);
  try {
    const blocked = await executeRun(config, silentLogger, OPTS);
    assert.deepEqual([blocked.status, blocked.failed_stage, blocked.publish_status], ['failed', 'quality', 'blocked_by_quality']);
    assert.notEqual(readCatalog(dataDir).tables[TABLE].version, good.tables.find((t) => `${t.layer}.${t.table}` === TABLE)?.version, 'the local lake moved on');
    assert.deepEqual(await served(TABLE), published, 'Trino still serves the previous version');
    assert.ok(!(await servedRuns()).some((r) => r.startsWith(blocked.run_id)));
  } finally {
    rmSync(planted, { force: true });
  }

  const broken = tempDir();
  try {
    mkdirSync(join(broken.dir, 'descriptive'));
    writeFileSync(join(broken.dir, 'descriptive', 'broken_table.ts'), `export default { layer: 'gold', name: 'broken_table', category: 'descriptive',
      grainSentence: 'one row', grain: [], description: 'fails on purpose', inputs: ['silver.listening_with_features'],
      columns: [{ name: 'x', type: 'INTEGER', description: 'x' }], sql: 'select no_such_column as x from silver.listening_with_features' };\n`);
    const failed = await executeRun(config, silentLogger, { ...OPTS, gold: { root: broken.dir } });
    assert.deepEqual([failed.status, failed.failed_stage, failed.publish_status], ['failed', 'gold', 'skipped']);
    assert.deepEqual(await served(TABLE), published);
  } finally {
    broken.cleanup();
  }

  const healed = await executeRun(config, silentLogger, OPTS);
  assert.equal(healed.publish_status, 'published', healed.error ?? '');
  assert.notEqual((await served(TABLE)).physical, published.physical, 'the next good run publishes the new version');
  assert.ok((await servedRuns()).includes(`${healed.run_id} succeeded`));
});
