// The PySpark comparison's figures over the runs (medians, Spark ÷ ours, the 10× target) and the
// lines the benchmark prints for it.
import { median } from './report.ts';
import { SPARK_PARTITIONS, SPARK_PINS, TARGET_RATIO, type SparkRun } from './spark-compare.ts';

export interface SparkStageSummary {
  ours_wall_ms_median: number | null;
  spark_wall_ms_median: number | null;
  /** Spark ÷ ours of the wall medians: the figure the target applies to. */
  ratio: number | null;
  ours_cpu_ms_median: number | null;
  spark_cpu_ms_median: number | null;
  cpu_ratio: number | null;
  /** SparkSession start-up (JVM launch included in the wall, not in this): most of Spark's time at the small scale. */
  spark_session_ms_median: number | null;
  ratios_per_run: (number | null)[];
  target: number;
  /** Null when a side is missing. */
  met: boolean | null;
}

export interface SparkSummary {
  reference: string;
  partitions: number;
  runs: number;
  silver: SparkStageSummary;
  ingest: SparkStageSummary;
  /** Spark's silver equals ours in every run that compared; null when none compared. */
  outputs_matched: boolean | null;
  /** Largest count of rows found on one side only (both directions added), over the runs. */
  differing_rows_max: number | null;
  /** Per run that compared: events whose session_position differs, and how many of them sit in a same-instant tie (spark-equal.ts). */
  session_position_differences: { run: number; events: number; in_ties: number }[];
  /** Shared columns compared, and silver's columns the reference does not compute (left out of the check). */
  columns_compared: number | null;
  columns_not_compared: string[];
  errors: string[];
}

const nums = (xs: (number | null | undefined)[]) => xs.filter((x): x is number => typeof x === 'number');
const r2 = (a: number | null, b: number | null) => (a && b ? Math.round((a / b) * 100) / 100 : null);

function stageSummary(runs: readonly SparkRun[], pick: 'silver' | 'ingest'): SparkStageSummary {
  const ours = median(nums(runs.map((r) => r.ours[`${pick}_wall_ms`])));
  const spark = median(nums(runs.map((r) => r[pick]?.wall_ms)));
  const oursCpu = median(nums(runs.map((r) => r.ours[`${pick}_cpu_ms`])));
  const sparkCpu = median(nums(runs.map((r) => r[pick]?.cpu_ms)));
  const ratio = r2(spark, ours);
  return {
    ours_wall_ms_median: ours, spark_wall_ms_median: spark, ratio, ours_cpu_ms_median: oursCpu, spark_cpu_ms_median: sparkCpu, cpu_ratio: r2(sparkCpu, oursCpu),
    spark_session_ms_median: median(nums(runs.map((r) => r[pick]?.session_ms))), ratios_per_run: runs.map((r) => r[`${pick}_ratio`]),
    target: TARGET_RATIO, met: ratio === null ? null : ratio >= TARGET_RATIO,
  };
}

export function summariseSpark(runs: readonly SparkRun[]): SparkSummary {
  const compared = runs.map((r) => r.compare).filter((c) => c !== null);
  return {
    reference: `PySpark local[2] (${SPARK_PINS.join(', ')})`, partitions: SPARK_PARTITIONS, runs: runs.length,
    silver: stageSummary(runs, 'silver'), ingest: stageSummary(runs, 'ingest'),
    outputs_matched: compared.length === 0 ? null : compared.every((c) => c.matched),
    differing_rows_max: compared.length === 0 ? null : Math.max(...compared.map((c) => c.rows_only_in_ours + c.rows_only_in_spark)),
    session_position_differences: runs.flatMap((r) => (r.compare?.columns_differing_by_event?.session_position
      ? [{ run: r.run, events: r.compare.columns_differing_by_event.session_position, in_ties: r.compare.session_position_in_ties ?? 0 }] : [])),
    columns_compared: compared[0]?.columns_compared ?? null, columns_not_compared: compared[0]?.columns_only_in_ours ?? [],
    errors: runs.flatMap((r) => r.errors.map((e) => `run ${r.run}: ${e}`)),
  };
}

const ms = (x: number | null) => (x === null ? '-' : `${Math.round(x).toLocaleString('en-US')} ms`);

function stageLine(name: string, s: SparkStageSummary): string {
  const verdict = s.met === null ? 'not measured' : s.met ? 'met' : 'not met';
  return `  ${name}: ours ${ms(s.ours_wall_ms_median)}, Spark ${ms(s.spark_wall_ms_median)} (session start-up ${ms(s.spark_session_ms_median)}): `
    + `Spark ÷ ours ${s.ratio ?? '-'}× (target ≥ ${s.target}×: ${verdict}); CPU ${ms(s.ours_cpu_ms_median)} against ${ms(s.spark_cpu_ms_median)}: ${s.cpu_ratio ?? '-'}×`;
}

/** The lines under the benchmark's table. `small`: say that JVM start-up dominates. */
export function formatSpark(s: SparkSummary, small: boolean): string {
  const outputs = s.outputs_matched === null ? 'not compared'
    : `${s.outputs_matched ? 'equal' : 'DIFFERENT'} over ${s.columns_compared} shared columns (${s.outputs_matched ? '0 differing rows, EXCEPT ALL both ways, every run'
      : `up to ${s.differing_rows_max} rows on one side only`}); not computed by Spark: ${s.columns_not_compared.join(', ') || 'none'}`;
  return [
    `PySpark reference, ${s.reference}, ${s.partitions} shuffle partitions; process walls, median of ${s.runs} run(s):`,
    stageLine('silver', s.silver),
    stageLine('export ingest', s.ingest),
    `  silver outputs: ${outputs}`,
    ...s.session_position_differences.map((d) => `  run ${d.run}: session_position differs on ${d.events} events, ${d.in_ties} of them plays ending at the same instant as another play of their session `
      + '(the reference breaks such ties by track_key and ms_played, silver by source file and record position)'),
    ...(small ? ['  (small scale: Spark\'s figures are mostly the fixed cost of a cold JVM, session start-up plus planning, code generation and JIT warm-up, not work on the plays; the target is set for the medium scale)'] : []),
    ...s.errors.map((e) => `  error: ${e}`),
  ].join('\n');
}
