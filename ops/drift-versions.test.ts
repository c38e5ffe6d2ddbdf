// Drift checks over real table versions in a temp lake: two planted versions of silver and of the
// catalog models' metrics, read back from their version folders.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '../lib/logger.ts';
import { withWriter, type LakeSession } from '../lib/session.ts';
import { tempDir, testConfig } from '../test/helpers.ts';
import { parseAlertRules } from './alert-rules.ts';
import { runDriftChecks, twoNewest } from './drift.ts';

const FEATURES = ['danceability', 'energy', 'valence', 'acousticness', 'instrumentalness', 'speechiness', 'liveness'];

/** n events of listener a (and 10 of b): energy `energy`, the share `synthetic` of them synthetic. */
function silverSql(energy: string, synthetic: number): string {
  return `select case when i < 200 then 'a' else 'b' end as listener_id, (i % 24)::integer as hour_of_day,
      ${FEATURES.map((f) => (f === 'energy' ? `${energy} as energy` : `((i % 10) + 0.5) / 10 as ${f}`)).join(', ')},
      -30.0 as loudness, 120.0 as tempo,
      case when i < 200 * ${synthetic} then 'synthetic' else 'kaggle' end as feature_source
    from range(210) t(i)`;
}

function metricsSql(r2: number, rmse: number): string {
  return `select * from (values (null, 'valence_forest', 'catalog_holdout', 'r2', ${r2}), (null, 'valence_forest', 'catalog_holdout', 'rmse', ${rmse}),
      ('a', 'energy_time_linear', 'time_holdout', 'r2', ${r2 - 0.3})) v(listener_id, model_name, evaluation_set, metric_name, metric_value)`;
}

async function write(s: LakeSession, silver: string, metrics: string): Promise<void> {
  const tx = s.begin();
  await tx.write({ layer: 'silver', name: 'listening_with_features' }, { sql: silver });
  await tx.write({ layer: 'gold', name: 'model_performance_metrics' }, { sql: metrics });
  await tx.commit();
}

test('feature PSI, synthetic share and hold-out metric changes between the two newest versions', async (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const config = testConfig(dir);
  const thresholds = parseAlertRules('drift: { min_events: 50 }', 'alerts.yaml').drift;
  const rows = await withWriter(config, silentLogger, 'test', async (s) => {
    await write(s, silverSql('((i % 10) + 0.5) / 10', 0), metricsSql(0.5, 0.2));
    assert.deepEqual(await runDriftChecks(s.conn, dir, thresholds), [], 'one version: nothing to compare');
    await write(s, silverSql('0.95', 0.5), metricsSql(0.4, 0.21));
    assert.deepEqual(twoNewest(dir, 'silver', 'listening_with_features') && [twoNewest(dir, 'silver', 'listening_with_features')!.previous, twoNewest(dir, 'silver', 'listening_with_features')!.current], [1, 2]);
    return runDriftChecks(s.conn, dir, thresholds);
  });
  const by = (scope: string, listener: string | null, check: string, item: string) => rows.find((r) => r.scope === scope && r.listener_id === listener && r.check_name === check && r.item === item)!;
  // energy moved from uniform over 10 bins to all in the top bin: PSI = 9·(ε−0.1)·ln(ε/0.1) + (1−0.1)·ln(1/0.1)
  const energy = by('listener', 'a', 'feature_psi', 'energy');
  const expected = 9 * (1e-4 - 0.1) * Math.log(1e-4 / 0.1) + 0.9 * Math.log(10);
  assert.ok(Math.abs(energy.drift_value! - expected) < 1e-9, `${energy.drift_value} vs ${expected}`);
  assert.deepEqual([energy.status, energy.n_previous, energy.n_current, energy.previous_version, energy.current_version], ['fail', 200, 200, 1, 2]);
  assert.equal(by('listener', 'a', 'feature_psi', 'valence').status, 'pass');
  assert.equal(by('listener', 'a', 'feature_psi', 'valence').drift_value, 0);
  assert.equal(by('listener', 'a', 'hour_psi', 'hour_of_day').status, 'pass');
  assert.equal(by('listener', 'b', 'feature_psi', 'energy').status, 'insufficient', '10 events are below min_events');
  const share = by('listener', 'a', 'synthetic_share_change', 'feature_source');
  assert.deepEqual([share.previous_value, share.current_value, share.drift_value, share.status], [0, 0.5, 0.5, 'fail']);
  assert.equal(by('cohort', null, 'feature_psi', 'energy').n_current, 210);
  const r2 = by('cohort', null, 'model_metric_change', 'valence_forest.r2');
  assert.deepEqual([r2.previous_value, r2.current_value, r2.status], [0.5, 0.4, 'fail']);
  assert.ok(Math.abs(r2.drift_value! - 0.1) < 1e-12);
  assert.equal(by('cohort', null, 'model_metric_change', 'valence_forest.rmse').status, 'pass');
  assert.ok(!rows.some((r) => r.item.startsWith('energy_time_linear')), 'only catalog hold-out metrics');
});
