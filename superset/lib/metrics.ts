// SQL metrics shared by the built-in charts. Gold tables hold per-group averages; combining groups
// (several hours, days or listeners) weights each average by the plays that had features, so a
// chart over all listeners shows the average of the plays, not the average of the averages.
import type { Metric } from './chart-kinds.ts';

/** Plays with features, for tables that count plays and the plays without features. */
export const FEATURED = (plays: string) => `(${plays} - COALESCE(rows_without_features, 0))`;

/** Average of `col` weighted by `weight`, rounded to 3 decimals. */
export function weightedAvg(label: string, col: string, weight: string): Metric {
  return {
    label,
    sql: `ROUND(SUM(${col} * ${weight}) / NULLIF(SUM(CASE WHEN ${col} IS NOT NULL THEN ${weight} END), 0), 3)`,
  };
}

/** Share of synthetic features behind the shown values (null when no row had features). */
export function syntheticShare(weight?: string): Metric {
  return weight ? weightedAvg('synthetic share', 'synthetic_share', weight) : { label: 'synthetic share', sql: 'ROUND(AVG(synthetic_share), 3)' };
}

/** The same share for event-level tables that keep feature_source instead (predictions). */
export const SYNTHETIC_FROM_SOURCE: Metric = {
  label: 'synthetic share',
  sql: "ROUND(AVG(CASE WHEN feature_source = 'synthetic' THEN 1e0 WHEN feature_source IN ('spotify_api', 'kaggle') THEN 0e0 END), 3)",
};

export function sum(label: string, col: string): Metric {
  return { label, sql: `SUM(${col})` };
}

export function avg(label: string, col: string, digits = 3): Metric {
  return { label, sql: `ROUND(AVG(${col}), ${digits})` };
}

/**
 * Decimal literals such as `1.0` in metric SQL: Trino types them DECIMAL(2,1), and decimal arithmetic
 * keeps the literal's scale, so AVG(CASE … THEN 1.0 …) comes back rounded to one decimal (a 6.66 %
 * share showed as 10.0 %). Write doubles (`1e0`) or CAST(… AS DOUBLE) instead.
 */
export function decimalLiterals(sql: string): string[] {
  const noStrings = sql.replace(/'(?:[^']|'')*'|"(?:[^"]|"")*"/g, ' ');
  return noStrings.match(/(?<![\w.])\d+\.\d+(?![\w.])/g) ?? [];
}

/** Lower-case identifiers in the SQL of a metric or dimension: the columns it reads. */
export function columnsIn(sql: string): string[] {
  const noStrings = sql.replace(/'(?:[^']|'')*'/g, ' ');
  return [...new Set(noStrings.match(/\b[a-z_][a-z0-9_]*\b/g) ?? [])];
}

export const SYNTHETIC_NOTE =
  'Every chart built from audio features shows a **synthetic share**: the fraction of the plays behind it whose ' +
  'features were generated, not measured. A share above 0 means the chart partly describes made-up data.';
