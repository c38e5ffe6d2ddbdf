import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { silentLogger } from '../lib/logger.ts';
import { withReader } from '../lib/session.ts';
import { queryRows } from '../lib/duckdb.ts';
import { readCatalog } from '../lib/lake.ts';
import { historyDir, tempDir } from '../test/helpers.ts';
import { executeRun, runPipeline, RunFailedError } from './run.ts';
import { demoLake, FAST_GOLD, lockExists, recordingPublisher, versionOf } from './test-support.ts';

const EXPORT = join(historyDir, 'Efrrowini__spotify-music-analysis', 'Streaming_History_Audio_2022.json');

async function runsOf(config: Parameters<typeof withReader>[0]) {
  return withReader(config, silentLogger, (s) => queryRows<Record<string, unknown>>(s.conn, 'select * from ops.pipeline_runs order by started_at'));
}

/** Every staging folder left anywhere in the lake (there must be none after a run ends). */
function stagingLeft(dataDir: string): string[] {
  const out: string[] = [];
  for (const layer of ['bronze', 'silver', 'gold', 'ops']) {
    const dir = join(dataDir, layer);
    for (const t of existsSync(dir) ? readdirSync(dir) : []) out.push(...readdirSync(join(dir, t)).filter((n) => n.startsWith('.tmp-')));
  }
  return out;
}

test('a failing stage records a failed run and leaves the previous publication readable', async () => {
  const { config, cleanup } = await demoLake();
  const broken = tempDir();
  try {
    const publisher = recordingPublisher();
    const ok = await executeRun(config, silentLogger, { ...FAST_GOLD, publish: publisher.publish, inbox: { settleMs: 0 } });
    assert.equal(ok.status, 'succeeded', ok.error ?? '');
    assert.equal(ok.publish_status, 'published');
    const goldVersion = versionOf(config.dataDir, 'gold.temporal_trends');
    assert.equal(publisher.calls[0].gold, goldVersion, 'the data is published after gold is built');
    assert.equal(publisher.calls.length, 2, 'then once more so the run history reaches Trino');

    mkdirSync(join(broken.dir, 'descriptive'));
    writeFileSync(join(broken.dir, 'descriptive', 'broken_table.ts'), `export default { layer: 'gold', name: 'broken_table', category: 'descriptive',
      grainSentence: 'one row', grain: [], description: 'fails on purpose', inputs: ['silver.listening_with_features'],
      columns: [{ name: 'x', type: 'INTEGER', description: 'x' }], sql: 'select no_such_column as x from silver.listening_with_features' };\n`);
    const failed = await runPipeline(config, silentLogger, { publish: publisher.publish, gold: { root: broken.dir } }).then(
      () => assert.fail('the run must fail'),
      (err: unknown) => (err instanceof RunFailedError ? err.summary : assert.fail(String(err))),
    );
    assert.equal(failed.status, 'failed');
    assert.equal(failed.failed_stage, 'gold');
    assert.match(failed.error ?? '', /no_such_column/);
    assert.equal(failed.publish_status, 'skipped');
    assert.equal(publisher.calls.length, 2, 'a failed run publishes nothing');
    assert.equal(versionOf(config.dataDir, 'gold.temporal_trends'), goldVersion, 'the previous gold version stays current');
    assert.equal(versionOf(config.dataDir, 'gold.broken_table'), undefined);
    assert.deepEqual(stagingLeft(config.dataDir), []);
    assert.ok(!lockExists(config.dataDir));

    const trends = await withReader(config, silentLogger, (s) => queryRows<{ n: number }>(s.conn, 'select count(*)::integer as n from gold.temporal_trends'));
    assert.ok(trends[0].n > 0, 'the previous gold table is still readable');
    const runs = await runsOf(config);
    const last = runs.at(-1)!;
    assert.equal(last.run_id, failed.run_id);
    assert.equal(last.status, 'failed');
    assert.equal(last.failed_stage, 'gold');
    assert.match(String(last.error), /no_such_column/);
    assert.ok('gold' in JSON.parse(String(last.stage_durations)));
  } finally {
    broken.cleanup();
    cleanup();
  }
});

test('quality gates block a publish when a planted duplicate violates a grain', async () => {
  const { config, cleanup } = await demoLake();
  try {
    const meta = readCatalog(config.dataDir).tables['bronze.rejected_rows'];
    const versionDir = join(config.dataDir, meta.path);
    copyFileSync(join(versionDir, meta.files[0]), join(versionDir, 'part-planted-duplicate.parquet'));
    const publisher = recordingPublisher();
    const summary = await executeRun(config, silentLogger, { ...FAST_GOLD, publish: publisher.publish, inbox: false });
    assert.equal(summary.status, 'failed');
    assert.equal(summary.failed_stage, 'quality');
    assert.equal(summary.publish_status, 'blocked_by_quality');
    assert.deepEqual(publisher.calls, [], 'nothing reaches Trino');
    assert.match(summary.error ?? '', /grain_unique on bronze\.rejected_rows \(observed 10, threshold 0\)/);
    const checks = await withReader(config, silentLogger, (s) => queryRows<Record<string, unknown>>(s.conn,
      "select * from ops.data_quality_checks where run_id = $r and status = 'fail' and level = 'error'", { r: summary.run_id }));
    assert.deepEqual(checks.map((c) => `${c.check_name} ${c.table_name}`), ['grain_unique bronze.rejected_rows']);
    assert.equal(checks[0].observed_value, 10);
    assert.match(String(checks[0].detail), /file_sha256/);
    const last = (await runsOf(config)).at(-1)!;
    assert.equal(last.publish_status, 'blocked_by_quality');
    assert.equal(last.quality_errors, 1);
  } finally {
    cleanup();
  }
});

test('an inbox file is imported once and recorded in processed/; a broken one goes to failed/ with its error', async () => {
  const { config, cleanup } = await demoLake();
  try {
    const inbox = join(config.dataDir, 'inbox', 'p-inbox', 'Spotify Extended Streaming History');
    mkdirSync(inbox, { recursive: true });
    copyFileSync(EXPORT, join(inbox, 'Streaming_History_Audio_2022.json'));
    writeFileSync(join(config.dataDir, 'inbox', 'p-inbox', 'truncated.json'), readFileSync(EXPORT, 'utf8').slice(0, 5000));
    const first = await executeRun(config, silentLogger, { ...FAST_GOLD, inbox: { settleMs: 0 }, publish: null });
    assert.equal(first.status, 'succeeded', first.error ?? '');
    const detail = first.stages.find((s) => s.stage === 'ingest inbox')?.detail as { imported: number; failed_files: number; rows_added: number };
    assert.equal(detail.imported, 1);
    assert.equal(detail.failed_files, 1);
    const processed = join(config.dataDir, 'processed', 'p-inbox', first.run_id);
    assert.deepEqual(readdirSync(processed), ['manifest.json'], 'processed/ keeps a manifest, not the export');
    const manifest = JSON.parse(readFileSync(join(processed, 'manifest.json'), 'utf8')) as { files: { file: string; records: number; bytes: number }[] };
    assert.deepEqual(manifest.files.map((f) => [f.file, f.records, f.bytes]), [[join('Spotify Extended Streaming History', 'Streaming_History_Audio_2022.json'), 35, statSync(EXPORT).size]]);
    const failedFile = join(config.dataDir, 'failed', 'p-inbox', first.run_id, 'truncated.json');
    assert.ok(existsSync(failedFile));
    assert.match(readFileSync(`${failedFile}.error.txt`, 'utf8'), /truncated\.json: /);
    assert.deepEqual(readdirSync(join(config.dataDir, 'inbox', 'p-inbox')), [], 'the inbox is empty again');

    const count = () => withReader(config, silentLogger, async (s) => (await queryRows<{ n: number }>(s.conn,
      "select count(*)::integer as n from bronze.listening_history where listener_id = 'p-inbox'"))[0].n);
    const rows = await count();
    assert.equal(rows, detail.rows_added);
    assert.ok(rows > 0 && rows <= 35);
    const second = await executeRun(config, silentLogger, { ...FAST_GOLD, inbox: { settleMs: 0 }, publish: null });
    assert.equal(second.status, 'succeeded');
    assert.equal(second.stages.find((s) => s.stage === 'ingest inbox'), undefined, 'nothing left to import');
    assert.equal(await count(), rows, 'imported once');
  } finally {
    cleanup();
  }
});

test('a run past its time limit is aborted cleanly and recorded as failed', async () => {
  // 5 ms: the limit strikes during the first stage, whether in a query (interrupted) or between two
  // (the stage's commit refuses: pipeline/run-stages.test.ts pins that case deterministically).
  const { config, cleanup } = await demoLake();
  try {
    const silverBefore = versionOf(config.dataDir, 'silver.listening_with_features');
    const summary = await executeRun(config, silentLogger, { ...FAST_GOLD, timeoutMs: 5, publish: null, inbox: false });
    assert.equal(summary.status, 'failed');
    assert.match(summary.error ?? '', /time limit of 5 ms passed/);
    assert.equal(versionOf(config.dataDir, 'silver.listening_with_features'), silverBefore);
    assert.deepEqual(stagingLeft(config.dataDir), []);
    assert.ok(!lockExists(config.dataDir));
    const last = (await runsOf(config)).at(-1)!;
    assert.equal(last.status, 'failed');
    assert.equal(last.failed_stage, summary.failed_stage);
  } finally {
    cleanup();
  }
});
