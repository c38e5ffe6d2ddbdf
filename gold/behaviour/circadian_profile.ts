// gold.circadian_profile: when in the local day a listener plays music, with a bootstrap interval over
// local days. The per-play work (counting plays per local day and hour) is SQL; only the day × hour
// count matrix (one row per listener and day, 24 counts) is read into JS for the bootstrap, which
// runs on one worker thread per core (each listener's draws depend on its own days only, so the split
// changes no value).
import { Worker } from 'node:worker_threads';
import os from 'node:os';
import { defineTable } from '../../lib/table-spec.ts';
import type { BuildContext } from '../../lib/build-context.ts';
import { loadRows, type AppendColumn, type AppendValue } from '../../lib/appender.ts';
import { sparseClusterBootstrap, type SparseCluster } from '../../lib/ml/bootstrap.ts';
import { rounded } from '../shared/feature-sql.ts';

/** Resamples of the day bootstrap (the issue asks for at least 1,000). */
export const CIRCADIAN_RESAMPLES = 1000;
/** A constant seed: the draws depend on the listener's days only (in date order), never on the pseudonym. */
export const CIRCADIAN_SEED = 19;

const TEMP = 'circadian_profile_rows';
const COLUMNS: AppendColumn[] = [
  { name: 'listener_id', type: 'VARCHAR' }, { name: 'hour_of_day', type: 'INTEGER' }, { name: 'plays', type: 'BIGINT' },
  { name: 'share', type: 'DOUBLE' }, { name: 'ci_low', type: 'DOUBLE' }, { name: 'ci_high', type: 'DOUBLE' },
  { name: 'days_observed', type: 'BIGINT' }, { name: 'days_with_plays', type: 'BIGINT' },
];

/** One row per listener and local day (in date order): the day's plays in each of the 24 local hours. */
const MATRIX_SQL = `
select listener_id, ${Array.from({ length: 24 }, (_, h) => `count(*) filter (where hour_of_day = ${h})::integer as h${h}`).join(', ')}
from silver.listening_with_features
where date_local is not null and hour_of_day is not null
group by listener_id, date_local
order by listener_id, date_local`;

/** The 24 hour rows of one listener from its local days (in date order), each the day's plays per hour. */
export function circadianRows(listener: string, dayHours: readonly (readonly number[])[]): AppendValue[][] {
  const days: SparseCluster[] = dayHours.map((d) => {
    const index: number[] = [];
    for (let h = 0; h < 24; h++) if (d[h] > 0) index.push(h);
    return { index, value: index.map((h) => d[h]) };
  });
  const plays = new Array<number>(24).fill(0);
  const daysWith = new Array<number>(24).fill(0);
  for (const d of days) d.index.forEach((h, k) => { plays[h] += d.value[k]; daysWith[h] += 1; });
  const total = plays.reduce((s, v) => s + v, 0);
  const out = new Array<number>(24);
  const shares = (sum: Float64Array) => {
    let t = 0;
    for (let h = 0; h < 24; h++) t += sum[h];
    for (let h = 0; h < 24; h++) out[h] = sum[h] / t;
    return out;
  };
  const ci = sparseClusterBootstrap(days, 24, shares, { seed: CIRCADIAN_SEED, salt: 'circadian_profile', resamples: CIRCADIAN_RESAMPLES });
  return plays.map((n, h) => [listener, h, n, n / total, ci[h].low, ci[h].high, days.length, daysWith[h]]);
}

/** Listeners with their local days: flat, so a share of them goes to a worker thread as three typed arrays. */
export interface CircadianShare {
  listeners: string[];
  /** Days of each listener (in date order). */
  dayCounts: Int32Array;
  /** 24 counts per day, the days of all listeners one after the other. */
  hours: Int32Array;
}

/** The rows of a share of listeners, in their order (the work one worker thread does). */
export function circadianShareRows(share: CircadianShare): AppendValue[][] {
  const rows: AppendValue[][] = [];
  let day = 0;
  share.listeners.forEach((listener, i) => {
    const days: number[][] = [];
    for (let d = 0; d < share.dayCounts[i]; d++, day++) days.push(Array.from(share.hours.subarray(day * 24, day * 24 + 24)));
    rows.push(...circadianRows(listener, days));
  });
  return rows;
}

/**
 * The matrix (listener, then the 24 hour counts, sorted by listener and day) cut into `parts` shares
 * of whole listeners with about as many days each, in listener order.
 */
export function circadianShares(matrix: readonly (readonly [string, ...number[]])[], parts: number): CircadianShare[] {
  const starts: number[] = [];
  for (let i = 0; i < matrix.length; i++) if (i === 0 || matrix[i][0] !== matrix[i - 1][0]) starts.push(i);
  const shares: CircadianShare[] = [];
  let l = 0;
  for (let p = 0; p < parts && l < starts.length; p++) {
    const from = starts[l];
    const target = Math.round((matrix.length * (p + 1)) / parts);
    const listeners: string[] = [];
    const counts: number[] = [];
    while (l < starts.length && (listeners.length === 0 || starts[l] < target || p === parts - 1)) {
      const end = l + 1 < starts.length ? starts[l + 1] : matrix.length;
      listeners.push(matrix[starts[l]][0]);
      counts.push(end - starts[l]);
      l++;
    }
    const to = l < starts.length ? starts[l] : matrix.length;
    const hours = new Int32Array((to - from) * 24);
    for (let i = from; i < to; i++) for (let h = 0; h < 24; h++) hours[(i - from) * 24 + h] = matrix[i][h + 1] as number;
    shares.push({ listeners, dayCounts: Int32Array.from(counts), hours });
  }
  return shares;
}

function inWorker(share: CircadianShare): Promise<AppendValue[][]> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./circadian-worker.mjs', import.meta.url), { workerData: share, transferList: [share.dayCounts.buffer as ArrayBuffer, share.hours.buffer as ArrayBuffer] });
    let rows: AppendValue[][] | null = null;
    worker.on('message', (m: AppendValue[][]) => { rows = m; });
    worker.on('error', reject);
    worker.on('exit', (code) => (rows ? resolve(rows) : reject(new Error(`circadian worker exited with code ${code} without rows`))));
  });
}

/** Below this many local days in all, one thread: starting a worker costs more than the bootstrap. */
const PARALLEL_MIN_DAYS = 20_000;

/** The rows of every listener, in listener order: on one worker thread per core (at most 4) when there is enough work. */
export async function circadianAllRows(matrix: readonly (readonly [string, ...number[]])[], threads = Math.min(4, os.availableParallelism())): Promise<AppendValue[][]> {
  const parts = matrix.length >= PARALLEL_MIN_DAYS ? threads : 1;
  const shares = circadianShares(matrix, parts);
  if (shares.length <= 1) return shares.flatMap(circadianShareRows);
  return (await Promise.all(shares.map(inWorker))).flat();
}

export default defineTable({
  layer: 'gold',
  category: 'behaviour',
  name: 'circadian_profile',
  grainSentence: 'one row per listener and local hour of day (all 24 hours, also those without plays)',
  grain: ['listener_id', 'hour_of_day'],
  description:
    "A listener's circadian rhythm: the share of their plays in each local hour (the listener's time zone, so a DST change " +
    'moves no play to another hour), from the real events only. share_ci_low and share_ci_high are a 95 % percentile interval ' +
    `from a cluster bootstrap over local days (${CIRCADIAN_RESAMPLES} resamples of whole days with replacement, fixed seed ` +
    `${CIRCADIAN_SEED}): a day of heavy listening counts as one piece of evidence. Fewer than 5 days observed: no interval.`,
  columns: [
    { name: 'listener_id', type: 'VARCHAR', description: 'Pseudonymous id of the listener' },
    { name: 'hour_of_day', type: 'INTEGER', description: 'Local hour 0-23 of played_at (silver hour_of_day)' },
    { name: 'plays', type: 'BIGINT', description: 'Plays that ended in this local hour' },
    { name: 'share_of_plays', type: 'DOUBLE', description: "plays / all the listener's plays, 3 decimals (the 24 shares add up to 1 up to rounding)" },
    { name: 'share_ci_low', type: 'DOUBLE', description: 'Lower end of the 95 % bootstrap interval of the share (resampling local days), 3 decimals; null with fewer than 5 days' },
    { name: 'share_ci_high', type: 'DOUBLE', description: 'Upper end of the 95 % bootstrap interval of the share, 3 decimals; null with fewer than 5 days' },
    { name: 'days_observed', type: 'BIGINT', description: 'Local days with at least one play of the listener: the clusters the bootstrap resamples' },
    { name: 'days_with_plays', type: 'BIGINT', description: 'Local days with at least one play in this hour' },
    { name: 'bootstrap_resamples', type: 'INTEGER', description: 'Resamples behind the interval (null when there is no interval)' },
  ],
  inputs: ['silver.listening_with_features'],
  build: async (ctx: BuildContext, spec) => {
    const started = Date.now();
    const matrix = (await ctx.conn.runAndReadAll(MATRIX_SQL)).getRows() as unknown as [string, ...number[]][];
    ctx.log.debug({ days: matrix.length, ms: Date.now() - started }, 'circadian day matrix read');
    const rows = await circadianAllRows(matrix);
    try {
      await loadRows(ctx.conn, TEMP, COLUMNS, rows);
      await ctx.tx.write(spec, {
        sql: `select listener_id, hour_of_day, plays, ${rounded('share')} as share_of_plays, ${rounded('ci_low')} as share_ci_low,
          ${rounded('ci_high')} as share_ci_high, days_observed, days_with_plays,
          case when ci_low is not null then ${CIRCADIAN_RESAMPLES} end::integer as bootstrap_resamples
          from temp.main.${TEMP}`,
        orderBy: spec.orderBy,
        inputs: spec.inputs,
      });
    } finally {
      await ctx.conn.run(`drop table if exists temp.main.${TEMP}`);
    }
    ctx.log.info({ listeners: rows.length / 24, ms: Date.now() - started }, 'circadian profiles done');
  },
  orderBy: 'listener_id, hour_of_day',
});
