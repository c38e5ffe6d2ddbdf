// Planted leaks in the energy time model's split and baseline are refused at run time, and the
// baseline is chosen on training plays only (the stronger of the per-hour and the plain mean).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openDuckDB, queryRows, type DuckDBConnection } from '../../lib/duckdb.ts';
import { tempDir, testConfig } from '../../test/helpers.ts';
import { silentLogger } from '../../lib/logger.ts';
import { withWriter } from '../../lib/session.ts';
import { seededRng } from '../../lib/ml/rng.ts';
import { writeSilverEvents } from '../shared/fixture-runner.ts';
import { BaselineLeakError, TimeSplitLeakError, assertBaselineFromTraining, assertTimeSplitHonest, type TrainingWindow } from './time-guards.ts';
import { baselineChoiceSql } from './time-job.ts';

async function withPlays(fn: (conn: DuckDBConnection) => Promise<void>): Promise<void> {
  const { instance, connection } = await openDuckDB({});
  try {
    await connection.run(`create table plays as select * from (values
      ('a', timestamp '2024-01-01 08:00', 'train'), ('a', timestamp '2024-01-02 08:00', 'train'),
      ('a', timestamp '2024-01-03 08:00', 'test'), ('a', timestamp '2024-01-04 08:00', 'test'), ('a', timestamp '2024-01-04 09:00', 'apply')
    ) t(listener_id, played_at, split)`);
    await fn(connection);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

const honest: TrainingWindow = { listenerId: 'a', modelTrainEnd: '2024-01-02 08:00:00', modelTrainRows: 2, baselineTrainEnd: '2024-01-02 08:00:00', baselineTrainRows: 2 };

test('an honest split passes; a model trained into the test period is refused (TimeSplitLeakError)', async () => {
  await withPlays(async (conn) => {
    await assertTimeSplitHonest(conn, 'plays', [honest]);
    // the model was fitted on a play of the test period (e.g. a cutoff computed after the test start)
    await assert.rejects(assertTimeSplitHonest(conn, 'plays', [{ ...honest, modelTrainEnd: '2024-01-03 08:00:00' }]), TimeSplitLeakError);
    // the table calls a test-period play "train"
    await conn.run(`update plays set split = 'train' where played_at = timestamp '2024-01-04 08:00'`);
    await assert.rejects(assertTimeSplitHonest(conn, 'plays', [honest]), /listener a: the training window .* does not end before the first test play at 2024-01-03 08:00:00/);
  });
});

test('a baseline computed from test-period plays, or from other rows than the training plays, is refused (BaselineLeakError)', async () => {
  await withPlays(async (conn) => {
    await assert.rejects(assertTimeSplitHonest(conn, 'plays', [{ ...honest, baselineTrainEnd: '2024-01-04 08:00:00', baselineTrainRows: 4 }]), BaselineLeakError);
    await assert.rejects(assertTimeSplitHonest(conn, 'plays', [{ ...honest, baselineTrainRows: 3 }]), BaselineLeakError);
  });
});

test('a test play whose baseline uses test-period energies is refused (BaselineLeakError)', async () => {
  const { instance, connection: conn } = await openDuckDB({});
  try {
    // training: hour 8 → 0.2, 0.4 (mean 0.3), hour 20 → 0.8; test plays at 8 and 20
    await conn.run(`create table f as select * from (values
      ('a', 8, 'train', 0.2, null), ('a', 8, 'train', 0.4, null), ('a', 20, 'train', 0.8, null),
      ('a', 8, 'test', 0.9, 0.3), ('a', 20, 'test', 0.1, 0.8)) t(listener_id, hour_of_day, split, actual_energy, baseline_energy)`);
    await conn.run('alter table f alter actual_energy type double; alter table f alter baseline_energy type double');
    await conn.run(`create table k as select 'a' as listener_id, 'hour_mean' as kind`);
    await assertBaselineFromTraining(conn, 'f', 'k');
    // planted: the hour-8 baseline also averaged the test play (0.2 + 0.4 + 0.9) / 3
    await conn.run(`update f set baseline_energy = 0.5 where split = 'test' and hour_of_day = 8`);
    await assert.rejects(assertBaselineFromTraining(conn, 'f', 'k'), /listener a, hour 8: a test play's baseline is 0.5, but the training plays alone give 0.3/);
    // the plain mean (0.2 + 0.4 + 0.8) / 3 is expected when train_mean was chosen
    await conn.run(`update k set kind = 'train_mean'`);
    await conn.run(`update f set baseline_energy = (0.2 + 0.4 + 0.8) / 3 where split = 'test'`);
    await assertBaselineFromTraining(conn, 'f', 'k');
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
});

/** 200 real-energy plays of listener x, one every 3 hours: energy = hourEffect(hour) + noise. */
function plays(listener: string, hourEffect: (h: number) => number, seed: string) {
  const rnd = seededRng(seed, 'baseline-choice');
  return Array.from({ length: 200 }, (_, i) => {
    const at = new Date(Date.UTC(2024, 0, 1) + i * 3 * 3_600_000 + 7 * 60_000 * (i % 5));
    const hour = at.getUTCHours();
    return {
      listener_id: listener, event_id: `${listener}${i}`, played_at: at.toISOString().replace('T', ' ').replace('Z', ''), hour_of_day: hour,
      feature_source: 'kaggle', energy: Math.min(1, Math.max(0, hourEffect(hour) + 0.3 * (rnd() - 0.5))), is_weekend: false, timezone: 'UTC',
    };
  });
}

test('the energy baseline is the stronger of per-hour and plain training mean, chosen on the latest training plays, never on test plays', async () => {
  const { dir, cleanup } = tempDir();
  try {
    await withWriter(testConfig(dir), silentLogger, 'test', async (s) => {
      await writeSilverEvents(s, [...plays('flat', () => 0.5, 'f'), ...plays('hourly', (h) => (h < 12 ? 0.2 : 0.8), 'h')]);
      const rows = await queryRows<{ listener_id: string; kind: string; train_end: string; train_rows: number; first_test: string; before: number }>(s.conn, `
        with c as (${baselineChoiceSql()}),
        t as (select listener_id, quantile_disc(played_at, 0.8) as first_test from silver.listening_with_features group by 1)
        select c.*, t.first_test::varchar as first_test,
          (select count(*) from silver.listening_with_features e where e.listener_id = c.listener_id and e.played_at < t.first_test)::double as before
        from c join t using (listener_id) order by listener_id`);
      assert.deepEqual(rows.map((r) => [r.listener_id, r.kind]), [['flat', 'train_mean'], ['hourly', 'hour_mean']]);
      for (const r of rows) {
        assert.ok(r.train_end < r.first_test, `${r.listener_id}: the choice sees only plays before the test period`);
        assert.equal(r.train_rows, r.before, 'every play before the test period, and only those');
      }
    });
  } finally {
    cleanup();
  }
});
