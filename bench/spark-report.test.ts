import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SparkRun, SparkStage } from './spark-compare.ts';
import { formatSpark, summariseSpark } from './spark-report.ts';

const stage = (wall: number, cpu = wall, session = 1000): SparkStage => ({ wall_ms: wall, cpu_ms: cpu, max_rss_kb: 1024, session_ms: session, job_ms: wall - session, tool_cpu_ms: cpu });
const run = (n: number, oursSilver: number, sparkSilver: number, oursIngest: number, sparkIngest: number, differing = 0): SparkRun => ({
  run: n, ours: { silver_wall_ms: oursSilver, silver_cpu_ms: oursSilver / 2, ingest_wall_ms: oursIngest, ingest_cpu_ms: oursIngest },
  silver: stage(sparkSilver), ingest: stage(sparkIngest), silver_ratio: sparkSilver / oursSilver, ingest_ratio: sparkIngest / oursIngest, errors: [],
  compare: { rows_ours: 100, rows_spark: 100, rows_only_in_ours: differing, rows_only_in_spark: differing, schema_equal: true, matched: differing === 0,
    columns_compared: 30, columns_only_in_ours: ['play_seq', 'is_stream'], columns_only_in_spark: [] },
});

test('the ratio is Spark ÷ ours of the wall medians, and the 10× target is met only at 10× or more', () => {
  const s = summariseSpark([run(1, 1000, 12000, 2000, 9000), run(2, 3000, 20000, 2000, 30000), run(3, 2000, 40000, 4000, 19000)]);
  assert.equal(s.silver.ours_wall_ms_median, 2000);
  assert.equal(s.silver.spark_wall_ms_median, 20000);
  assert.equal(s.silver.ratio, 10);
  assert.equal(s.silver.met, true, 'exactly 10× meets "≥ 10×"');
  assert.equal(s.silver.cpu_ratio, 20, 'ours used half its wall in CPU here');
  assert.equal(s.ingest.ratio, 9.5);
  assert.equal(s.ingest.met, false);
  assert.deepEqual(s.ingest.ratios_per_run, [4.5, 15, 4.75]);
  assert.equal(s.outputs_matched, true);
  assert.equal(s.differing_rows_max, 0);
  assert.deepEqual(s.columns_not_compared, ['play_seq', 'is_stream']);
  const text = formatSpark(s, false);
  assert.match(text, /silver outputs: equal over 30 shared columns .*not computed by Spark: play_seq, is_stream/);
  assert.match(text, /silver: ours 2,000 ms, Spark 20,000 ms .*Spark ÷ ours 10× \(target ≥ 10×: met\)/);
  assert.match(text, /export ingest: .*9\.5× \(target ≥ 10×: not met\)/);
  assert.doesNotMatch(text, /small scale/);
  assert.match(formatSpark(s, true), /small scale: Spark's figures are mostly the fixed cost of a cold JVM/);
});

test('a differing run marks the outputs as different, with its row count; a failed Spark step leaves "not measured"', () => {
  const failed: SparkRun = { ...run(2, 1000, 0, 1000, 0), silver: null, ingest: null, compare: null, silver_ratio: null, ingest_ratio: null, errors: ['spark silver: exit 1: boom'] };
  const s = summariseSpark([run(1, 1000, 30000, 1000, 30000, 3), failed]);
  assert.equal(s.outputs_matched, false);
  assert.equal(s.differing_rows_max, 6);
  assert.equal(s.silver.spark_wall_ms_median, 30000, 'the failed run adds no Spark figure');
  assert.equal(s.silver.ours_wall_ms_median, 1000);
  assert.deepEqual(s.errors, ['run 2: spark silver: exit 1: boom']);
  assert.match(formatSpark(s, false), /DIFFERENT over 30 shared columns \(up to 6 rows on one side only\)/);
  const none = summariseSpark([failed]);
  assert.equal(none.silver.met, null);
  assert.equal(none.outputs_matched, null);
  assert.match(formatSpark(none, false), /target ≥ 10×: not measured/);
  assert.match(formatSpark(none, false), /error: run 2: spark silver/);
});
