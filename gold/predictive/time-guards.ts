// Run-time guards of the energy time model: the model and its baseline may only have seen plays that
// come before the listener's first test play. Checked on every run against what was really fitted
// (the model's own training window) and what was written (the staged energy_forecasts), so a change
// that trains on the test period fails the build instead of publishing flattering metrics.
import type { DuckDBConnection } from '../../lib/duckdb.ts';
import { queryRows } from '../../lib/duckdb.ts';
import { loadRows } from '../../lib/appender.ts';
import { LeakError } from './evaluation.ts';

export class TimeSplitLeakError extends LeakError {}
export class BaselineLeakError extends LeakError {}

/** What a listener's model and baseline were computed from: the last played_at (ISO, UTC) and the row count. */
export interface TrainingWindow {
  listenerId: string;
  modelTrainEnd: string;
  modelTrainRows: number;
  baselineTrainEnd: string;
  baselineTrainRows: number;
}

/**
 * Throws TimeSplitLeakError when a listener's model was fitted on a play at or after its first test play
 * (or the table's train rows reach into the test period), BaselineLeakError when its baseline was
 * computed from such a play or from other rows than the model's training rows. `table` holds
 * listener_id, played_at and split (train / test / apply) of every play.
 */
export async function assertTimeSplitHonest(conn: DuckDBConnection, table: string, windows: readonly TrainingWindow[]): Promise<void> {
  await loadRows(conn, 'predictive_time_windows', [
    { name: 'listener_id', type: 'VARCHAR' }, { name: 'model_train_end', type: 'VARCHAR' }, { name: 'model_train_rows', type: 'DOUBLE' },
    { name: 'baseline_train_end', type: 'VARCHAR' }, { name: 'baseline_train_rows', type: 'DOUBLE' },
  ], windows.map((w) => [w.listenerId, w.modelTrainEnd, w.modelTrainRows, w.baselineTrainEnd, w.baselineTrainRows]));
  const bad = await queryRows<{ listener_id: string; first_test: string; model_train_end: string; last_train: string | null; model_leak: boolean; model_train_rows: number; baseline_train_end: string; baseline_train_rows: number }>(conn, `
    with plays as (select listener_id, played_at, split from ${table}),
    test as (select listener_id, min(played_at) as first_test from plays where split = 'test' group by 1),
    train as (select listener_id, max(played_at) as last_train from plays where split = 'train' group by 1),
    checked as (
      select w.*, t.first_test, tr.last_train,
        w.model_train_end::timestamp >= t.first_test or coalesce(tr.last_train >= t.first_test, false) as model_leak,
        w.baseline_train_end::timestamp >= t.first_test or w.baseline_train_rows <> w.model_train_rows as baseline_leak
      from temp.main.predictive_time_windows w
      join test t using (listener_id)
      left join train tr using (listener_id)
    )
    select listener_id, first_test::varchar as first_test, model_train_end, last_train::varchar as last_train, model_leak,
      model_train_rows, baseline_train_end, baseline_train_rows
    from checked where model_leak or baseline_leak order by listener_id`);
  await conn.run('drop table temp.main.predictive_time_windows');
  const b = bad[0];
  if (!b) return;
  if (b.model_leak) {
    throw new TimeSplitLeakError(`energy_time_linear, listener ${b.listener_id}: the training window (model fitted up to ${b.model_train_end}, last train play ${b.last_train}) does not end before the first test play at ${b.first_test}`);
  }
  throw new BaselineLeakError(`energy_time_linear baseline, listener ${b.listener_id}: computed from ${b.baseline_train_rows} plays up to ${b.baseline_train_end}; allowed: the model's ${b.model_train_rows} training plays, all before the first test play at ${b.first_test}`);
}

/**
 * Throws BaselineLeakError when a test play's baseline_energy is not what the listener's training
 * plays alone give: their mean energy in the play's hour (kind hour_mean; the overall mean when the hour
 * has none) or their overall mean (train_mean). `table` holds listener_id, hour_of_day, split,
 * actual_energy and baseline_energy; `kinds` holds listener_id and kind.
 */
export async function assertBaselineFromTraining(conn: DuckDBConnection, table: string, kinds: string): Promise<void> {
  const bad = await queryRows<{ listener_id: string; hour_of_day: number; baseline_energy: number; expected: number }>(conn, `
    with plays as (select * from ${table}),
    hourly as (select listener_id, hour_of_day, avg(actual_energy) as m from plays where split = 'train' group by all),
    overall as (select listener_id, avg(actual_energy) as m from plays where split = 'train' group by all),
    expected as (
      select p.listener_id, p.hour_of_day, p.baseline_energy,
        case when k.kind = 'hour_mean' then coalesce(h.m, o.m) else o.m end as expected
      from plays p
      join ${kinds} k on k.listener_id = p.listener_id
      left join hourly h on h.listener_id = p.listener_id and h.hour_of_day = p.hour_of_day
      left join overall o on o.listener_id = p.listener_id
      where p.split = 'test'
    )
    select * from expected where expected is null or abs(baseline_energy - expected) > 1e-9 order by listener_id, hour_of_day limit 1`);
  const b = bad[0];
  if (b) throw new BaselineLeakError(`energy_time_linear baseline, listener ${b.listener_id}, hour ${b.hour_of_day}: a test play's baseline is ${b.baseline_energy}, but the training plays alone give ${b.expected ?? 'none'}`);
}
