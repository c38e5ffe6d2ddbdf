import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BenchUsageError, parseBenchArgs } from './args.ts';
import { rowsWritten, tableTimes, type TableRow } from './cli.ts';
import { aggregate, formatTable, goldShare, median, ratios } from './report.ts';
import type { StageMeasure } from './stages.ts';

const m = (stage: string, wall: number | null, extra: Partial<StageMeasure> = {}): StageMeasure => ({
  stage, status: 'ok', wall_ms: wall, cli_wall_ms: wall === null ? null : wall - 100, max_rss_kb: 204800, cpu_ms: 10, rows: 1000, processes: 1, ...extra,
});

test('median of odd and even counts, none for an empty list', () => {
  assert.equal(median([5, 1, 3]), 3);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.equal(median([]), null);
});

test('aggregate takes medians over passes, the peak of memory, and keeps a failure visible', () => {
  const passes = [
    [m('build silver', 3000, { max_rss_kb: 300 * 1024 }), m('engine floor', 2000, { sql_ms: 1000 })],
    [m('build silver', 1000), m('engine floor', 1000, { sql_ms: 500 })],
    [m('build silver', 2000), m('engine floor', 1500, { status: 'failed', note: 'exit 1: boom' })],
  ];
  const [silver, floor] = aggregate(passes);
  assert.equal(silver.wall_ms_median, 2000);
  assert.equal(silver.rows_per_s, 500);
  assert.equal(silver.peak_rss_mb, 300);
  assert.equal(floor.status, 'failed');
  assert.equal(floor.note, 'exit 1: boom');
  assert.equal(floor.wall_ms_median, 1500, 'median over the ok passes only');
  assert.deepEqual(ratios([silver, { ...floor, status: 'ok' }]), { silver_over_floor: 1.33, silver_cli_over_floor_statement: 2.53 });
  assert.deepEqual(ratios([silver, floor]), { silver_over_floor: null, silver_cli_over_floor_statement: null });
});

test('rows written: growth of appended bronze tables, all rows of rebuilt tables, unchanged tables ignored', () => {
  const t = (layer: string, table: string, rows: number, version: number): [string, TableRow] => [`${layer}.${table}`, { layer, table, rows, version, built_at: `v${version}` }];
  const before = new Map([t('bronze', 'listening_history', 100, 1), t('silver', 'listening_with_features', 90, 1), t('bronze', 'kaggle_tracks', 5, 1)]);
  const after = new Map([t('bronze', 'listening_history', 150, 2), t('silver', 'listening_with_features', 140, 2), t('bronze', 'kaggle_tracks', 5, 1), t('gold', 'x', 7, 1)]);
  assert.deepEqual(rowsWritten(before, after), { rows: 50 + 140 + 7, tables: ['bronze.listening_history', 'gold.x', 'silver.listening_with_features'] });
});

test('the table lists every stage with aligned columns', () => {
  const text = formatTable(aggregate([[m('ingest kaggle', 1234), m('publish', null, { status: 'skipped', note: 'no Trino', rows: null })]]));
  const lines = text.split('\n');
  assert.equal(lines.length, 4);
  assert.match(lines[2], /^ingest kaggle\s+ok\s+1,234\s+1,000\s+810\s+200\s+10$/);
  assert.match(lines[3], /^publish\s+skipped\s+-.*no Trino$/);
});

test('arguments: scale, runs, large measured once, errors for bad input', () => {
  assert.deepEqual(parseBenchArgs(['--scale', 'medium', '--runs', '5']), { scale: 'medium', runs: 5, seed: 'bench', keep: false, noSave: false, compare: null });
  assert.equal(parseBenchArgs([]).scale, 'small');
  assert.equal(parseBenchArgs(['--scale', 'large', '--runs', '3']).runs, 1);
  assert.throws(() => parseBenchArgs(['--scale', 'huge']), /unknown scale/);
  assert.throws(() => parseBenchArgs(['--runs', '0']), /positive integer/);
  assert.throws(() => parseBenchArgs(['--frobnicate']), /unknown argument/);
});

test('--compare takes the one known reference and refuses others with a usage error', () => {
  assert.equal(parseBenchArgs(['--scale', 'small', '--compare', 'spark']).compare, 'spark');
  assert.equal(parseBenchArgs(['--scale', 'small']).compare, null);
  assert.throws(() => parseBenchArgs(['--compare', 'sklearn']), (e: unknown) => e instanceof BenchUsageError && /unknown reference "sklearn".*known: spark/.test(e.message));
  assert.throws(() => parseBenchArgs(['--compare']), (e: unknown) => e instanceof BenchUsageError && /needs a value/.test(e.message));
  assert.throws(() => parseBenchArgs(['--compare', '--no-save']), /needs a value/);
});

test('per-table build times come from the gold build\'s "built" log lines and are aggregated as medians', () => {
  const stderr = [
    '{"level":30,"time":1,"pid":7,"table":"gold.genre_mix","rows":12,"ms":40,"msg":"built"}',
    'not json',
    '{"level":30,"time":2,"pid":7,"tables":2,"msg":"gold published"}',
    '{"level":30,"time":3,"pid":7,"table":"gold.circadian_profile","rows":24,"ms":250,"msg":"built"}',
  ].join('\n');
  assert.deepEqual(tableTimes(stderr), { 'gold.genre_mix': 40, 'gold.circadian_profile': 250 });
  assert.deepEqual(tableTimes('{"msg":"gold published"}\n'), {});
  const [fig] = aggregate([
    [m('build gold behaviour', 900, { table_ms: { 'gold.genre_mix': 40, 'gold.circadian_profile': 250 } })],
    [m('build gold behaviour', 1000, { table_ms: { 'gold.genre_mix': 60, 'gold.circadian_profile': 350 } })],
    [m('build gold behaviour', 800, { table_ms: { 'gold.genre_mix': 50, 'gold.circadian_profile': 100 } })],
  ]);
  assert.deepEqual(fig.table_ms_median, { 'gold.circadian_profile': 250, 'gold.genre_mix': 50 });
});

test('the behaviour share is its median wall and CPU over the other gold stages together, cold training left out', () => {
  const figs = aggregate([[
    m('build silver', 5000, { cpu_ms: 9000 }),
    m('build gold descriptive', 1000, { cpu_ms: 1500 }),
    m('build gold behaviour', 600, { cpu_ms: 1000 }),
    m('build gold predictive (cold: trains models)', 9000, { cpu_ms: 20000 }),
    m('build gold predictive', 2000, { cpu_ms: 2500 }),
  ]]);
  assert.deepEqual(goldShare(figs, 'behaviour'), { category: 'behaviour', wall_ms: 600, cpu_ms: 1000, other_gold_wall_ms: 3000, other_gold_cpu_ms: 4000, wall_ratio: 0.2, cpu_ratio: 0.25 });
  const failed = aggregate([[m('build gold descriptive', 1000), m('build gold behaviour', 600, { status: 'failed', note: 'exit 1' })]]);
  assert.equal(goldShare(failed, 'behaviour'), null, 'no share from a failed stage');
});
