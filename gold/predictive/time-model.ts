// energy_forecasts' model: per listener, a linear regression of the energy of a play on the time of
// day (two harmonics of the local hour) and the weekend, trained on the listener's earlier plays with
// real (Spotify-measured) energy and tested on the later ones. Its baseline (time-job.ts) is the
// stronger of the per-hour and the plain mean energy of the same training plays.
//
// The features take at most 48 distinct values per listener (hour × weekend), so the least-squares
// fit is computed exactly from per-(hour, weekend) counts and means that DuckDB aggregates: rows
// scaled by √count reproduce the full normal equations (ml-regression solves them). This keeps
// memory flat at any number of events. Averages are exact sums (DECIMAL arithmetic is integer
// arithmetic), so that parallel aggregation cannot change their last bits: same inputs, bit-identical
// coefficients and forecasts. (Ordered aggregates gave the same guarantee but buffered every row: at
// 10M plays they alone outgrew a 2 GB DuckDB memory limit.)
import { createRequire } from 'node:module';
import type { DuckDBConnection } from '../../lib/duckdb.ts';
import { queryRows } from '../../lib/duckdb.ts';
import { ENERGY_MODEL, MIN_TIME_TRAIN_ROWS, REAL_SOURCE_SQL, TIME_FEATURES_SQL, TIME_TEST_SHARE, timeFeatures } from './model-settings.ts';
import { isStream } from '../shared/feature-sql.ts';

const require = createRequire(import.meta.url);
const { MultivariateLinearRegression } = require('ml-regression') as {
  MultivariateLinearRegression: new (x: number[][], y: number[][], o?: { intercept?: boolean; statistics?: boolean }) => { weights: number[][] };
};

/**
 * Mean of a 0-1 feature that does not depend on the order rows are summed in: each value is cast to
 * DECIMAL(38,17) (a fixed rounding of the double), the sum is exact, then divided as a double.
 */
export function exactMeanSql(expr: string): string {
  return `(sum((${expr})::decimal(38,17))::double / count(${expr}))`;
}

/** Cutoff per listener: the first played_at of the latest ~20 % of its real-target plays (`filter`: `and …` on the plays, see partFilter). */
export const cutoffSql = (filter = '') => `
  select listener_id, quantile_disc(played_at, ${1 - TIME_TEST_SHARE}) as cutoff
  from silver.listening_with_features
  where ${REAL_SOURCE_SQL} and energy is not null and ${isStream()}${filter}
  group by listener_id`;
export const CUTOFF_SQL = cutoffSql();

export interface HourGroup {
  hour: number;
  weekend: boolean;
  n: number;
  mean: number;
}

export interface TimeModel {
  listenerId: string;
  /** Intercept first, then one coefficient per ENERGY_MODEL feature. */
  coefficients: number[];
  trainRows: number;
  /** |coefficient| × standard deviation of the feature over the training plays. */
  importance: number[];
  trainingSeconds: number;
  /** played_at (UTC, DuckDB's text form) of the latest play the model was fitted on: the end of its training window. */
  trainEnd: string;
}

/** Exact least squares from grouped rows: each group is a row scaled by the square root of its count. */
export function fitTimeModel(listenerId: string, groups: readonly HourGroup[], trainEnd = ''): TimeModel {
  const start = process.hrtime.bigint();
  const X = groups.map((g) => [1, ...timeFeatures(g.hour, g.weekend)].map((v) => v * Math.sqrt(g.n)));
  const y = groups.map((g) => [g.mean * Math.sqrt(g.n)]);
  const reg = new MultivariateLinearRegression(X, y, { intercept: false, statistics: false });
  const coefficients = reg.weights.map((w) => w[0]);
  const trainRows = groups.reduce((s, g) => s + g.n, 0);
  const importance = ENERGY_MODEL.features.map((_, j) => {
    const col = groups.map((g) => timeFeatures(g.hour, g.weekend)[j]);
    const m = groups.reduce((s, g, i) => s + g.n * col[i], 0) / trainRows;
    const v = groups.reduce((s, g, i) => s + g.n * (col[i] - m) ** 2, 0) / trainRows;
    return Math.abs(coefficients[j + 1]) * Math.sqrt(v);
  });
  return { listenerId, coefficients, trainRows, importance, trainingSeconds: Number(process.hrtime.bigint() - start) / 1e9, trainEnd };
}

export function predictTime(model: Pick<TimeModel, 'coefficients'>, hour: number, weekend: boolean): number {
  const x = [1, ...timeFeatures(hour, weekend)];
  return x.reduce((s, v, j) => s + v * model.coefficients[j], 0);
}

/** Fits one model per listener with enough real-target training plays before its cutoff. */
export async function fitTimeModels(conn: DuckDBConnection): Promise<TimeModel[]> {
  const rows = await queryRows<{ listener_id: string; hour_of_day: number; is_weekend: boolean; n: number; mean_energy: number; last_played: string }>(conn, `
    with cut as (${CUTOFF_SQL})
    select e.listener_id, e.hour_of_day, e.is_weekend, count(*)::double as n, ${exactMeanSql('e.energy')} as mean_energy,
      max(e.played_at)::varchar as last_played
    from silver.listening_with_features e join cut c on c.listener_id = e.listener_id
    where ${REAL_SOURCE_SQL.replace('feature_source', 'e.feature_source')} and e.energy is not null and ${isStream('e')} and e.played_at < c.cutoff
    group by all order by all`);
  const byListener = new Map<string, HourGroup[]>();
  const ends = new Map<string, string>();
  for (const r of rows) {
    if (r.last_played > (ends.get(r.listener_id) ?? '')) ends.set(r.listener_id, r.last_played);
    const list = byListener.get(r.listener_id) ?? [];
    list.push({ hour: Number(r.hour_of_day), weekend: Boolean(r.is_weekend), n: Number(r.n), mean: Number(r.mean_energy) });
    byListener.set(r.listener_id, list);
  }
  return [...byListener].filter(([, g]) => g.reduce((s, x) => s + x.n, 0) >= MIN_TIME_TRAIN_ROWS).map(([id, g]) => fitTimeModel(id, g, ends.get(id)));
}

/** SQL of the prediction: intercept + Σ coefficient × feature, over columns b0…b5 of the models table. */
export function timePredictionSql(alias = 'm'): string {
  return [`${alias}.b0`, ...TIME_FEATURES_SQL.map((f, j) => `${alias}.b${j + 1} * ${f}`)].join(' + ');
}
