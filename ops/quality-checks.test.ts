import { test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '../lib/logger.ts';
import { withWriter } from '../lib/session.ts';
import { queryRows } from '../lib/duckdb.ts';
import silver from '../silver/listening_with_features.ts';
import { demoLake } from '../pipeline/test-support.ts';
import { failures, runQualityChecks } from './quality-checks.ts';

const key = (c: { check_name: string; table_name: string; column_name: string }) => `${c.check_name} ${c.table_name} ${c.column_name}`.trim();

test('the demo lake passes every error check; grain, key and range checks cover every table', async () => {
  const { config, cleanup } = await demoLake();
  try {
    await withWriter(config, silentLogger, 'test', async (s) => {
      const [{ newest }] = await queryRows<{ newest: string }>(s.conn, "select strftime(max(played_at), '%Y-%m-%dT%H:%M:%SZ') as newest from silver.listening_with_features");
      const checks = await runQualityChecks(s.conn, config.dataDir, { allowSynthetic: true, now: new Date(Date.parse(newest) + 3_600_000) });
      assert.deepEqual(failures(checks, 'error').map(key), []);
      assert.deepEqual(failures(checks, 'warn').map(key), []);
      const grains = checks.filter((c) => c.check_name === 'grain_unique').map((c) => c.table_name);
      for (const t of ['bronze.listening_history', 'silver.listening_with_features', 'gold.temporal_trends', 'ops.pipeline_runs']) assert.ok(grains.includes(t), t);
      const freshness = checks.find((c) => c.check_name === 'freshness')!;
      assert.ok(Math.abs(freshness.observed_value! - 1) < 0.01, 'one hour since the newest play');
      assert.ok(checks.some((c) => key(c) === 'feature_range bronze.kaggle_tracks valence'));
    });
  } finally {
    cleanup();
  }
});

test('planted problems fail their checks: feature out of range, events without bronze plays, a listener missing, synthetic features not allowed', async () => {
  const { config, cleanup } = await demoLake();
  try {
    await withWriter(config, silentLogger, 'test', async (s) => {
      const tx = s.begin();
      await tx.write(silver, { sql: `
        with base as (select * from silver.listening_with_features where listener_id not in ('demo-tokyo', 'demo-apple')),
             ghost as (select * replace ('ghost' as listener_id) from base order by event_id limit 5)
        select * replace (case when event_id = (select min(event_id) from base) then 1.5 else valence end as valence) from base
        union all
        select * from ghost` });
      const checks = await runQualityChecks(s.conn, config.dataDir, { allowSynthetic: false, freshnessHours: 1 });
      await tx.abort();
      const byKey = new Map(failures(checks, 'error').map((c) => [key(c), c]));
      assert.deepEqual([...byKey.keys()].sort(), [
        'bronze_silver_reconciliation silver.listening_with_features',
        'feature_range silver.listening_with_features valence',
        'silver_listener_coverage silver.listening_with_features listener_id',
        'synthetic_share silver.listening_with_features feature_source',
      ]);
      assert.equal(byKey.get('feature_range silver.listening_with_features valence')!.observed_value, 1);
      assert.equal(byKey.get('bronze_silver_reconciliation silver.listening_with_features')!.observed_value, 5);
      assert.match(byKey.get('bronze_silver_reconciliation silver.listening_with_features')!.detail, /listeners: ghost/);
      assert.match(byKey.get('silver_listener_coverage silver.listening_with_features listener_id')!.detail, /demo-tokyo/);
      assert.ok(byKey.get('synthetic_share silver.listening_with_features feature_source')!.observed_value! > 0);
      const warns = failures(checks, 'warn').map(key).sort();
      assert.deepEqual(warns, ['bronze_silver_reconciliation silver.listening_with_features dropped_share', 'freshness silver.listening_with_features played_at']);
    });
  } finally {
    cleanup();
  }
});
