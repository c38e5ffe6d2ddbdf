// The time half of the job: fit each listener's energy model on its earlier real-target plays, choose
// its baseline on the training plays, write energy_forecasts (every play, with the baseline), check the
// split at run time and write the per-listener test metrics.
import type { BuildContext } from '../../lib/build-context.ts';
import { queryRows } from '../../lib/duckdb.ts';
import { loadRows } from '../../lib/appender.ts';
import { REGRESSION_SUMS, TRACK_CLUSTER_SQL, groupClusters, regressionMetrics, regressionSumsSql, type RegressionSums } from './evaluation.ts';
import { BASELINE_VALIDATION_SHARE, ENERGY_MODEL, EVAL_SETS, MIN_EVAL_ROWS, REAL_SOURCE_SQL } from './model-settings.ts';
import { CUTOFF_SQL, cutoffSql, exactMeanSql, fitTimeModels, timePredictionSql, type TimeModel } from './time-model.ts';
import { isStream, sqlVariables } from '../shared/feature-sql.ts';
import { assertBaselineFromTraining, assertTimeSplitHonest } from './time-guards.ts';
import type { Report } from './report-rows.ts';
import { listenerParts, partFilter, partWhere } from './listener-parts.ts';
import type { ListenerGroup } from '../../silver/listening_with_features.ts';
import energyForecasts from './energy_forecasts.ts';

const COEFFS = ['b0', ...ENERGY_MODEL.features.map((_, j) => `b${j + 1}`)];
export const BASELINES_TABLE = 'predictive_time_baselines';

/**
 * Per listener: which baseline (hour_mean or train_mean) predicts the latest BASELINE_VALIDATION_SHARE
 * of its training plays better when fitted on the earlier ones, with both validation errors, and the
 * window (last played_at, rows) of the training plays the baseline is then computed from.
 */
export function baselineChoiceSql(): string {
  const real = REAL_SOURCE_SQL.replace('feature_source', 'e.feature_source');
  return `
with events as (
  select * from silver.listening_with_features
), cut as (${CUTOFF_SQL}
), train as (
  select e.listener_id, e.played_at, e.hour_of_day, e.energy
  from events e join cut c on c.listener_id = e.listener_id
  where ${real} and e.energy is not null and ${isStream('e')} and e.played_at < c.cutoff
), validation_cut as (
  select listener_id, quantile_disc(played_at, ${1 - BASELINE_VALIDATION_SHARE}) as vcut from train group by 1
), fit as (
  select t.* from train t join validation_cut v on v.listener_id = t.listener_id where t.played_at < v.vcut
), validation as (
  select t.* from train t join validation_cut v on v.listener_id = t.listener_id where t.played_at >= v.vcut
), fit_hour as (
  select listener_id, hour_of_day, ${exactMeanSql('energy')} as hour_mean from fit group by all
), fit_all as (
  select listener_id, ${exactMeanSql('energy')} as train_mean from fit group by all
), scored as (
  select v.listener_id, avg((v.energy - coalesce(h.hour_mean, a.train_mean)) ^ 2) as mse_hour_mean, avg((v.energy - a.train_mean) ^ 2) as mse_train_mean
  from validation v join fit_all a on a.listener_id = v.listener_id
  left join fit_hour h on h.listener_id = v.listener_id and h.hour_of_day = v.hour_of_day
  group by 1
), windows as (
  select listener_id, max(played_at)::varchar as train_end, count(*)::double as train_rows from train group by 1
)
select w.listener_id, case when s.mse_hour_mean < s.mse_train_mean then 'hour_mean' else 'train_mean' end as kind,
  s.mse_hour_mean, s.mse_train_mean, w.train_end, w.train_rows
from windows w left join scored s on s.listener_id = w.listener_id`;
}

export function energyForecastSql(part?: ListenerGroup): string {
  return `
with events as (
  select * from silver.listening_with_features${partWhere(part)}
), cut as (${cutoffSql(partFilter(part))}
), models as (
  select * from temp.predictive_time_models
), baselines as (
  select listener_id, kind from temp.${BASELINES_TABLE}
), labelled as (
  select e.*, m.listener_id is not null as has_model, ${timePredictionSql('m')} as forecast,
    case when m.listener_id is null then 'apply'
         when ${REAL_SOURCE_SQL.replace('feature_source', 'e.feature_source')} and e.energy is not null and ${isStream('e')} and e.played_at < c.cutoff then 'train'
         when e.played_at >= c.cutoff and e.energy is not null and ${isStream('e')} then 'test'
         else 'apply' end as split
  from events e
  left join cut c on c.listener_id = e.listener_id
  left join models m on m.listener_id = e.listener_id
), hourly as (
  select listener_id, hour_of_day, ${exactMeanSql('energy')} as hour_mean from labelled where split = 'train' group by listener_id, hour_of_day
), overall as (
  select listener_id, ${exactMeanSql('energy')} as train_mean from labelled where split = 'train' group by listener_id
)
select l.listener_id, l.event_id, l.played_at, l.hour_of_day, l.is_weekend, l.track_id, l.track_name, l.artist_name, l.feature_source, l.split,
  case when l.split = 'test' then case when ${REAL_SOURCE_SQL.replace('feature_source', 'l.feature_source')} then '${EVAL_SETS.timeHoldout}' else '${EVAL_SETS.timeHoldoutSynthetic}' end end as evaluation_set,
  l.energy as actual_energy,
  case when l.has_model then l.forecast end as predicted_energy,
  case when l.has_model then case when b.kind = 'hour_mean' then coalesce(h.hour_mean, o.train_mean) else o.train_mean end end as baseline_energy,
  '${ENERGY_MODEL.name}' as model_name
from labelled l
left join baselines b on b.listener_id = l.listener_id
left join hourly h on h.listener_id = l.listener_id and h.hour_of_day = l.hour_of_day
left join overall o on o.listener_id = l.listener_id`;
}

interface Baseline {
  listener_id: string;
  kind: 'hour_mean' | 'train_mean';
  mse_hour_mean: number | null;
  mse_train_mean: number | null;
  train_end: string;
  train_rows: number;
}

const fmt = (x: number | null) => (x === null ? 'n/a' : x.toFixed(5));

export function baselineName(b: Baseline | undefined): string {
  const chosen = b?.kind === 'hour_mean'
    ? "per-hour training mean: the listener's mean training energy in the play's local hour"
    : "training mean: the listener's mean training energy";
  return `${chosen} (the stronger of the per-hour and the plain training mean on the latest ${BASELINE_VALIDATION_SHARE * 100} % of the training plays; validation MSE ${fmt(b?.mse_hour_mean ?? null)} vs ${fmt(b?.mse_train_mean ?? null)})`;
}

type ClusterRow = RegressionSums & { listener_id: string; evaluation_set: string; cluster: string };

function addMetrics(report: Report, models: Map<string, TimeModel>, baselines: Map<string, Baseline>, trainedAt: string, rows: ClusterRow[]): void {
  for (const g of groupClusters(rows, (r) => REGRESSION_SUMS.map((k) => Number(r[k]))).values()) {
    const n = g.clusters.reduce((s, c) => s + c[0], 0);
    if (n < MIN_EVAL_ROWS) continue;
    const m = models.get(g.listener)!;
    const synthetic = g.set === EVAL_SETS.timeHoldoutSynthetic;
    report.addMetrics({
      listener_id: g.listener, model_name: ENERGY_MODEL.name, evaluation_set: g.set, model_type: ENERGY_MODEL.modelType,
      target: ENERGY_MODEL.target, features: ENERGY_MODEL.features.join(','),
      train_source: "listener's earlier plays with real energy (Spotify API or Kaggle), before the time cutoff",
      test_source: synthetic ? "listener's plays after the cutoff with synthetic energy (generated values: not a real target)" : "listener's plays after the cutoff with real energy",
      train_rows: m.trainRows, test_rows: n, n_plays: n, n_tracks: g.clusters.length, synthetic_target_share: synthetic ? 1 : 0, seed: null,
      training_seconds: m.trainingSeconds, trained_at: trainedAt, baseline_name: baselineName(baselines.get(g.listener)),
      scope: 'listener', model_id: null,
    }, regressionMetrics(g.clusters, `${ENERGY_MODEL.name}:${g.set}`));
  }
}

export async function runTimeModels(ctx: BuildContext, report: Report): Promise<void> {
  const trainedAt = new Date().toISOString();
  const fitted = await fitTimeModels(ctx.conn);
  ctx.log.debug({ listeners: fitted.length }, 'energy time models: fits done');
  const models = new Map(fitted.map((m) => [m.listenerId, m]));
  await loadRows(ctx.conn, 'predictive_time_models', [{ name: 'listener_id', type: 'VARCHAR' }, ...COEFFS.map((name) => ({ name, type: 'DOUBLE' as const }))],
    fitted.map((m) => [m.listenerId, ...m.coefficients]));
  // The fits and the baseline choice are per-listener aggregates DuckDB computes here; under
  // --engine trino they are handed to Trino, which scores every play (energy_forecasts).
  await ctx.conn.run(`create or replace temp table ${BASELINES_TABLE} as ${baselineChoiceSql()}`);
  const baselines = new Map((await queryRows<Baseline>(ctx.conn, `select * from temp.main.${BASELINES_TABLE}`)).map((b) => [b.listener_id, b]));
  await ctx.tx.share('predictive_time_models');
  await ctx.tx.share(BASELINES_TABLE);
  const parts = await listenerParts(ctx);
  ctx.log.debug('energy time models: baselines chosen');
  await ctx.tx.write(energyForecasts, {
    sql: energyForecastSql(), parts: parts.length > 0 ? parts.map((p) => energyForecastSql(p)) : undefined,
    orderBy: energyForecasts.orderBy, inputs: energyForecasts.inputs, portable: true, variables: sqlVariables(ctx.config),
  });
  await assertTimeSplitHonest(ctx.conn, 'gold.energy_forecasts', fitted.map((m) => {
    const b = baselines.get(m.listenerId);
    return { listenerId: m.listenerId, modelTrainEnd: m.trainEnd, modelTrainRows: m.trainRows, baselineTrainEnd: b?.train_end ?? m.trainEnd, baselineTrainRows: b?.train_rows ?? m.trainRows };
  }));
  await assertBaselineFromTraining(ctx.conn, 'gold.energy_forecasts', `temp.main.${BASELINES_TABLE}`);
  ctx.log.debug('energy_forecasts written and checked');
  const rows = await queryRows<ClusterRow>(ctx.conn, `
    select listener_id, evaluation_set, ${TRACK_CLUSTER_SQL} as cluster, ${regressionSumsSql('actual_energy', 'predicted_energy', 'baseline_energy')}
    from gold.energy_forecasts where split = 'test' group by all order by all`);
  ctx.log.debug({ clusters: rows.length }, 'energy time models: test sums read');
  addMetrics(report, models, baselines, trainedAt, rows);
  for (const m of fitted) {
    ENERGY_MODEL.features.forEach((feature, j) => report.importance.push({
      listener_id: m.listenerId, model_name: ENERGY_MODEL.name, feature, importance: m.importance[j], importance_std: null,
      method: 'abs_coefficient_x_std', evaluation_set: 'train', model_id: null,
    }));
  }
  ctx.log.info({ listeners_with_model: fitted.length }, 'energy time models fitted');
}
