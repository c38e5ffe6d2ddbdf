// `npm run bench -- --compare spark`: the PySpark reference of issue 24 ("silver and ingest each
// ≥ 10× faster than the PySpark reference in the same run"). After our stages of a run, on that run's
// lake and inputs, ../shared/tools/spark_silver_ref.py computes silver.listening_with_features and the
// export ingest with Spark (local[2]) from the cached venv of scripts/python-venv.sh; each is timed
// as a process tree (wall, and CPU of Python + JVM through bench/tree-rusage.py), and Spark's silver
// is checked against ours (bench/spark-equal.ts: the tool's own `compare` over the columns both have).
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from './cli.ts';
import { referencePython } from './python-venv.ts';
import { compareSparkSilver, type SparkSilverComparison } from './spark-equal.ts';
import type { StageMeasure } from './stages.ts';

/** Exact versions (the tool's README asks for pyspark 3.5.*; duckdb as in @duckdb/node-api). */
export const SPARK_PINS = ['pyspark==3.5.9', 'duckdb==1.5.5'] as const;
export const SPARK_REF = join(REPO_ROOT, '..', 'shared', 'tools', 'spark_silver_ref.py');
/** Spark 3.5 runs on JDK 17; the machine's default java may be newer. */
const JDK17 = '/usr/lib/jvm/java-17-openjdk-amd64';
/** Shuffle partitions: 8 and 200 measured the same (adaptive execution), see the tool's README. */
export const SPARK_PARTITIONS = 8;
/** Issue 24: each of silver and ingest at least this many times faster than PySpark. */
export const TARGET_RATIO = 10;
const TREE_RUSAGE = join(REPO_ROOT, 'bench', 'tree-rusage.py');

export interface SparkStage {
  /** Process tree wall time, from start until the last process (the JVM) has exited. */
  wall_ms: number;
  /** User + system CPU of the whole tree (Python driver, JVM). */
  cpu_ms: number;
  max_rss_kb: number;
  /** From the tool's own JSON line: SparkSession start-up, and the job alone. */
  session_ms: number | null;
  job_ms: number | null;
  /** The tool's own CPU figure (JVM from /proc before spark.stop(), plus the driver): a cross-check, at most cpu_ms. */
  tool_cpu_ms: number | null;
}

/** One run: our stage figures beside Spark's; a failed Spark step leaves its field null and an error. */
export interface SparkRun {
  run: number;
  ours: { silver_wall_ms: number | null; silver_cpu_ms: number | null; ingest_wall_ms: number | null; ingest_cpu_ms: number | null };
  silver: SparkStage | null;
  ingest: SparkStage | null;
  compare: SparkSilverComparison | null;
  /** Spark ÷ ours, wall. */
  silver_ratio: number | null;
  ingest_ratio: number | null;
  errors: string[];
}

/** The venv's python, created on first use (a few hundred MB from PyPI); thrown errors stop the bench before its stages. */
export function sparkPython(): string {
  if (!existsSync(SPARK_REF)) throw new Error(`the PySpark reference is not at ${SPARK_REF} (the repo's parent folder holds shared/tools/)`);
  return referencePython('python-venv.sh', ['spark-venv', ...SPARK_PINS]);
}

interface Child { status: number; stdout: string; stderr: string; tree: { wall_ms: number; user_ms: number; sys_ms: number; max_rss_kb: number } | null }

function runTree(python: string, args: readonly string[]): Promise<Child> {
  const out = join(tmpdir(), `lakehouse-spark-rusage-${process.pid}-${Date.now()}.json`);
  const env = { ...process.env, ...(existsSync(JDK17) ? { JAVA_HOME: JDK17 } : {}) };
  return new Promise((resolve, reject) => {
    const child = spawn(python, [TREE_RUSAGE, out, python, SPARK_REF, ...args], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const so: Buffer[] = [];
    const se: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => so.push(b));
    child.stderr.on('data', (b: Buffer) => se.push(b));
    child.on('error', reject);
    child.on('close', (code) => {
      const tree = existsSync(out) ? JSON.parse(readFileSync(out, 'utf8')) as Child['tree'] : null;
      rmSync(out, { force: true });
      resolve({ status: code ?? 128, stdout: Buffer.concat(so).toString('utf8'), stderr: Buffer.concat(se).toString('utf8'), tree });
    });
  });
}

function failure(what: string, c: Child): Error {
  const lines = c.stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  const line = lines.find((l) => /error|exception/i.test(l) && !/^\s*at /.test(l)) ?? lines.pop() ?? '';
  return new Error(`spark ${what}: exit ${c.status}: ${line.slice(0, 300)}`);
}

async function timedStage(python: string, what: string, args: readonly string[]): Promise<SparkStage> {
  const c = await runTree(python, [what, ...args, '--partitions', String(SPARK_PARTITIONS)]);
  if (c.status !== 0 || !c.tree) throw failure(what, c);
  const line = c.stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop();
  const own = line ? JSON.parse(line) as { session_s?: number; job_s?: number; cpu_s?: number } : {};
  const ms = (s: number | undefined) => (typeof s === 'number' ? Math.round(s * 1000) : null);
  return { wall_ms: c.tree.wall_ms, cpu_ms: c.tree.user_ms + c.tree.sys_ms, max_rss_kb: c.tree.max_rss_kb, session_ms: ms(own.session_s), job_ms: ms(own.job_s), tool_cpu_ms: ms(own.cpu_s) };
}

const ratio = (spark: number | null | undefined, ours: number | null | undefined) => (spark && ours ? Math.round((spark / ours) * 100) / 100 : null);

/**
 * Spark's silver over the run's lake (which must still hold our silver for the comparison), then
 * Spark's ingest of the same export folders our `ingest export --listener-dirs` read. Spark's outputs
 * go to workDir. Failures are recorded in the run, never thrown: the pass's own figures stay.
 */
export async function runSparkCompare(python: string, run: number, lake: string, exportsRoot: string, workDir: string, pass: readonly StageMeasure[], log: (m: string) => void): Promise<SparkRun> {
  const stage = (name: string) => pass.find((m) => m.stage === name && m.status === 'ok');
  const silverOurs = stage('build silver');
  const ingestOurs = stage('ingest export');
  const res: SparkRun = {
    run, ours: { silver_wall_ms: silverOurs?.wall_ms ?? null, silver_cpu_ms: silverOurs?.cpu_ms ?? null, ingest_wall_ms: ingestOurs?.wall_ms ?? null, ingest_cpu_ms: ingestOurs?.cpu_ms ?? null },
    silver: null, ingest: null, compare: null, silver_ratio: null, ingest_ratio: null, errors: [],
  };
  const attempt = async (what: string, fn: () => Promise<void>) => {
    try {
      await fn();
    } catch (err) {
      res.errors.push(err instanceof Error ? err.message : String(err));
      log(`  ${what}: failed (${res.errors[res.errors.length - 1]})`);
    }
  };
  const silverOut = join(workDir, 'silver');
  await attempt('spark silver', async () => {
    res.silver = await timedStage(python, 'silver', ['--lake', lake, '--out', silverOut]);
    log(`  spark silver: ${res.silver.wall_ms} ms wall, ${res.silver.cpu_ms} ms CPU (session start ${res.silver.session_ms} ms)`);
  });
  if (res.silver) {
    await attempt('spark compare', async () => {
      const c = await compareSparkSilver(lake, silverOut);
      res.compare = c;
      log(`  spark compare: ${c.matched ? 'equal' : 'DIFFERENT'} over ${c.columns_compared} shared columns (${c.rows_only_in_ours} rows only in ours, `
        + `${c.rows_only_in_spark} only in Spark's; not computed by Spark: ${c.columns_only_in_ours.join(', ') || 'none'})`);
    });
  }
  await attempt('spark ingest', async () => {
    res.ingest = await timedStage(python, 'ingest', ['--exports', exportsRoot, '--out', join(workDir, 'ingest')]);
    log(`  spark ingest: ${res.ingest.wall_ms} ms wall, ${res.ingest.cpu_ms} ms CPU (session start ${res.ingest.session_ms} ms)`);
  });
  res.silver_ratio = ratio(res.silver?.wall_ms, res.ours.silver_wall_ms);
  res.ingest_ratio = ratio(res.ingest?.wall_ms, res.ours.ingest_wall_ms);
  return res;
}
