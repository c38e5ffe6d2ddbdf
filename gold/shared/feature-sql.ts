// SQL pieces every gold table shares, so a rule (what "has features" means, the mood thresholds,
// synthetic_share, rounding, correlations that are undefined) is written once. Each function returns
// a SQL expression over the columns of silver.listening_with_features; none takes user input.

/** Default of LAKEHOUSE_MIN_PLAY_MS: Spotify's (and most research's) 30 s threshold of a stream. */
export const DEFAULT_MIN_PLAY_MS = 30_000;

/** DuckDB variable holding the configured minimum (gold/build.ts sets it on the connection). */
export const MIN_PLAY_MS_VARIABLE = 'min_play_ms';

/** The values of the variables above, for an engine that has none (WriteOptions.variables under --engine trino). */
export function sqlVariables(config: { minPlayMs: number }): Record<string, number> {
  return { [MIN_PLAY_MS_VARIABLE]: config.minPlayMs };
}

/**
 * A stream: a play of at least LAKEHOUSE_MIN_PLAY_MS (default 30 s, 0 keeps every play). Plays whose
 * length is unknown (ms_played null, e.g. Web API rows) are kept: nothing says they were short. The
 * minimum is read from the connection's variable, so no configured value is spliced into SQL; outside
 * a gold build (variable unset) the default applies.
 */
export function isStream(alias?: string): string {
  const ms = alias ? `${alias}.ms_played` : 'ms_played';
  return `(${ms} is null or ${ms} >= coalesce(getvariable('${MIN_PLAY_MS_VARIABLE}'), ${DEFAULT_MIN_PLAY_MS}))`;
}

/** Any play whose feature_source names a source (silver nulls features for 'none'), short or not. */
export const HAS_ANY_FEATURES = "coalesce(feature_source, 'none') <> 'none'";

/**
 * A play that enters the feature statistics: it has features and is a stream (see isStream). Play
 * counts (count(*)) stay counts of every play.
 */
export const HAS_FEATURES = `(${HAS_ANY_FEATURES} and ${isStream()})`;

/** Sentence every gold table built from feature statistics adds to its description. */
export const STREAMS_SENTENCE =
  'Feature statistics (averages, spreads, correlations, shares, sample sizes) count streams: plays of at least ' +
  'LAKEHOUSE_MIN_PLAY_MS (default 30 s; plays of unknown length kept); play counts count every play.';

/** For tables built only from plays with features: every count and statistic in them counts streams. */
export const STREAMS_ONLY_SENTENCE =
  'Every count and statistic here counts streams with features: plays of at least LAKEHOUSE_MIN_PLAY_MS (default 30 s; ' +
  'plays of unknown length kept); a shorter play counts as a play without features.';

/** For the model tables: which plays train and evaluate the models. */
export const MODEL_STREAMS_SENTENCE =
  'Models train on and are evaluated on streams only: plays of at least LAKEHOUSE_MIN_PLAY_MS (default 30 s; plays of ' +
  "unknown length kept); shorter plays still get a prediction, with split 'apply'.";

/** For tables counting plays regardless of their length. */
export const PLAYS_SENTENCE = 'Counts plays: every play, streams (plays of at least LAKEHOUSE_MIN_PLAY_MS) or not.';

/** Mood thresholds of the issue, shared with the predictive and prescriptive tables. */
export const MOOD_HIGH = 0.6;
export const MOOD_LOW = 0.4;
export const MOOD_CATEGORIES = ['Happy_Energetic', 'Happy_Calm', 'Sad_Energetic', 'Sad_Calm', 'Neutral'] as const;

/** Mood category of one event; null when valence or energy is missing. */
export function moodCategory(valence = 'valence', energy = 'energy'): string {
  return `case
      when ${valence} is null or ${energy} is null then null
      when ${valence} >= ${MOOD_HIGH} and ${energy} >= ${MOOD_HIGH} then 'Happy_Energetic'
      when ${valence} >= ${MOOD_HIGH} and ${energy} < ${MOOD_LOW} then 'Happy_Calm'
      when ${valence} < ${MOOD_LOW} and ${energy} >= ${MOOD_HIGH} then 'Sad_Energetic'
      when ${valence} < ${MOOD_LOW} and ${energy} < ${MOOD_LOW} then 'Sad_Calm'
      else 'Neutral'
    end`;
}

/**
 * Aggregate: among the group's streams with features, the fraction whose features are synthetic;
 * 0 when none is synthetic, null when no row has features. Not rounded, so that one synthetic row
 * among thousands still shows. `stream` is the stream condition ('true' over rows without ms_played).
 */
export function syntheticShare(source = 'feature_source', stream = isStream()): string {
  return `avg(case when coalesce(${source}, 'none') <> 'none' and ${stream} then (${source} = 'synthetic')::integer end)::double`;
}

/** Aggregate: rows of the group without features. */
export function rowsWithoutFeatures(source = 'feature_source'): string {
  return `count(*) filter (where coalesce(${source}, 'none') = 'none')::bigint`;
}

/** Aggregate: streams of the group with features. */
export function rowsWithFeatures(source = 'feature_source'): string {
  return `count(*) filter (where coalesce(${source}, 'none') <> 'none' and ${isStream()})::bigint`;
}

/** Rounding of the gold tables: averages and other statistics to 3 decimals, tempo to 1. */
export function digitsFor(column: string): number {
  return column === 'tempo' ? 1 : 3;
}

export function rounded(expr: string, digits = 3): string {
  return `round(${expr}, ${digits})::double`;
}

/**
 * Aggregate: the average of `expr` (over the rows where `where` holds, if given) from an exact sum: the
 * values are summed as DECIMAL(18, 9) (features have at most 9 decimals), so the result does not depend
 * on the order of summation. avg() of doubles does, in the last bit, on DuckDB from run to run and
 * between DuckDB and Trino; a mean lying exactly on a rounding boundary (0.0425) would then round to
 * 0.042 on one run and 0.043 on another. Null when no row has a value.
 */
export function exactAvg(expr: string, where?: string): string {
  const f = where ? ` filter (where ${where})` : '';
  return `(cast(sum(cast(${expr} as decimal(18, 9)))${f} as double) / nullif(count(${expr})${f}, 0))`;
}

/** Aggregate: rounded average of a feature over the group's streams with features. */
export function avgOf(column: string): string {
  return rounded(exactAvg(column, HAS_FEATURES), digitsFor(column));
}

/** Aggregate: rounded sample standard deviation over the streams with features (null with fewer than two). */
export function stddevOf(column: string): string {
  return rounded(`stddev_samp(${column}) filter (where ${HAS_FEATURES})`, digitsFor(column));
}

/** Aggregate: Pearson correlation, null instead of NaN when a side is constant or has < 2 values. */
export function corrOf(y: string, x: string): string {
  return `(case when isnan(corr(${y}, ${x})) then null else corr(${y}, ${x}) end)`;
}

/**
 * Cyclic encodings of the local hour, the angle being 2*pi*hour/24. Rounded to 12 decimals so that
 * equal values are equal (sin 3h = sin 9h, cos 6h = 0) and floating-point noise does not turn a
 * constant into a perfect correlation.
 */
export const HOUR_COS = 'round(cos(2 * pi() * hour_of_day / 24), 12)';
export const HOUR_SIN = 'round(sin(2 * pi() * hour_of_day / 24), 12)';

/**
 * Aggregate: circular-linear correlation of a linear value x with the hour angle:
 * r = sqrt((r_xc^2 + r_xs^2 - 2 r_xc r_xs r_cs) / (1 - r_cs^2)), r_xc = corr(x, cos),
 * r_xs = corr(x, sin), r_cs = corr(cos, sin). Null when any correlation is undefined or when cos and
 * sin are (almost) collinear, e.g. events in only two distinct hours. In [0, 1].
 */
export function circularLinearR(x: string): string {
  const xc = corrOf(x, HOUR_COS);
  const xs = corrOf(x, HOUR_SIN);
  // cos-sin correlation over the same rows as x (the rows where x is known).
  const cs = corrOf(`case when ${x} is not null then ${HOUR_COS} end`, `case when ${x} is not null then ${HOUR_SIN} end`);
  return `(case
      when ${xc} is null or ${xs} is null or ${cs} is null or 1 - ${cs} * ${cs} < 1e-9 then null
      else least(1.0, sqrt(greatest(0.0, (${xc} * ${xc} + ${xs} * ${xs} - 2 * ${xc} * ${xs} * ${cs}) / (1 - ${cs} * ${cs}))))
    end)`;
}
