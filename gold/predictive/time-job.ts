// The time half of the job: fit each listener's energy model on its earlier real-target plays, write
// energy_forecasts (every play, with the per-hour baseline) and the per-listener test metrics.
import type { BuildContext } from '../../lib/build-context.ts';
import { queryRows } from '../../lib/duckdb.ts';
import { loadRows } from '../../lib/appender.ts';
import { regressionMetrics, regressionStatsSql, type RegressionStats } from './evaluation.ts';
import { ENERGY_MODEL, EVAL_SETS, MIN_EVAL_ROWS, REAL_SOURCE_SQL } from './model-settings.ts';
import { CUTOFF_SQL, exactMeanSql, fitTimeModels, timePredictionSql, type TimeModel } from './time-model.ts';
import type { Report } from './report-rows.ts';
import energyForecasts from './energy_forecasts.ts';

const COEFFS = ['b0', ...ENERGY_MODEL.features.map((_, j) => `b${j + 1}`)];

export function energyForecastSql(): string {
  return `
with events as (
  select * from silver.listening_with_features
), cut as (${CUTOFF_SQL}
), models as (
  select * from temp.main.predictive_time_models
), labelled as (
  select e.*, m.listener_id is not null as has_model, ${timePredictionSql('m')} as forecast,
    case when m.listener_id is null then 'apply'
         when ${REAL_SOURCE_SQL.replace('feature_source', 'e.feature_source')} and e.energy is not null and e.played_at < c.cutoff then 'train'
         when e.played_at >= c.cutoff and e.energy is not null then 'test'
         else 'apply' end as split
  from events e
  left join cut c on c.listener_id = e.listener_id
  left join models m on m.listener_id = e.listener_id
), hourly as (
  select listener_id, hour_of_day, ${exactMeanSql('energy')} as hour_mean from labelled where split = 'train' group by all
), overall as (
  select listener_id, ${exactMeanSql('energy')} as train_mean from labelled where split = 'train' group by all
)
select l.listener_id, l.event_id, l.played_at, l.hour_of_day, l.is_weekend, l.track_id, l.track_name, l.artist_name, l.feature_source, l.split,
  case when l.split = 'test' then case when ${REAL_SOURCE_SQL.replace('feature_source', 'l.feature_source')} then '${EVAL_SETS.timeHoldout}' else '${EVAL_SETS.timeHoldoutSynthetic}' end end as evaluation_set,
  l.energy as actual_energy,
  case when l.has_model then l.forecast end as predicted_energy,
  case when l.has_model then coalesce(h.hour_mean, o.train_mean) end as baseline_energy,
  '${ENERGY_MODEL.name}' as model_name
from labelled l
left join hourly h on h.listener_id = l.listener_id and h.hour_of_day = l.hour_of_day
left join overall o on o.listener_id = l.listener_id`;
}

function addMetrics(report: Report, models: Map<string, TimeModel>, trainedAt: string, rows: (RegressionStats & { listener_id: string; evaluation_set: string })[]): void {
  for (const r of rows.filter((x) => x.n >= MIN_EVAL_ROWS)) {
    const m = models.get(r.listener_id)!;
    const synthetic = r.evaluation_set === EVAL_SETS.timeHoldoutSynthetic;
    report.addMetrics({
      listener_id: r.listener_id, model_name: ENERGY_MODEL.name, evaluation_set: r.evaluation_set, model_type: ENERGY_MODEL.modelType,
      target: ENERGY_MODEL.target, features: ENERGY_MODEL.features.join(','),
      train_source: "listener's earlier plays with real energy (Spotify API or Kaggle), before the time cutoff",
      test_source: synthetic ? "listener's plays after the cutoff with synthetic energy (generated values: not a real target)" : "listener's plays after the cutoff with real energy",
      train_rows: m.trainRows, test_rows: r.n, synthetic_target_share: synthetic ? 1 : 0, seed: null,
      training_seconds: m.trainingSeconds, trained_at: trainedAt, baseline_name: "per-hour historical mean: the listener's mean training energy in the play's local hour",
      scope: 'listener', model_id: null,
    }, regressionMetrics(r));
  }
}

export async function runTimeModels(ctx: BuildContext, report: Report): Promise<void> {
  const trainedAt = new Date().toISOString();
  const fitted = await fitTimeModels(ctx.conn);
  const models = new Map(fitted.map((m) => [m.listenerId, m]));
  await loadRows(ctx.conn, 'predictive_time_models', [{ name: 'listener_id', type: 'VARCHAR' }, ...COEFFS.map((name) => ({ name, type: 'DOUBLE' as const }))],
    fitted.map((m) => [m.listenerId, ...m.coefficients]));
  await ctx.tx.write(energyForecasts, { sql: energyForecastSql(), orderBy: energyForecasts.orderBy, inputs: energyForecasts.inputs });
  const rows = await queryRows<RegressionStats & { listener_id: string; evaluation_set: string }>(ctx.conn, `
    select listener_id, evaluation_set, ${regressionStatsSql('actual_energy', 'predicted_energy', 'baseline_energy')}
    from gold.energy_forecasts where split = 'test' group by all order by all`);
  addMetrics(report, models, trainedAt, rows);
  for (const m of fitted) {
    ENERGY_MODEL.features.forEach((feature, j) => report.importance.push({
      listener_id: m.listenerId, model_name: ENERGY_MODEL.name, feature, importance: m.importance[j], importance_std: null,
      method: 'abs_coefficient_x_std', evaluation_set: 'train', model_id: null,
    }));
  }
  ctx.log.info({ listeners_with_model: fitted.length }, 'energy time models fitted');
}
