import { defineTable } from '../../lib/table-spec.ts';
import { HAS_FEATURES, avgOf, rounded, stddevOf, syntheticShare, STREAMS_SENTENCE } from '../shared/feature-sql.ts';
import { trailingZExceedance } from '../../lib/ml/distributions.ts';

export const Z_ANOMALY = 2;
/** A play's baseline: at most this many earlier streams with features at the same local hour. */
export const ANOMALY_WINDOW = 50;
/** Fewer earlier plays at the hour than this: the play is not scored. */
export const ANOMALY_MIN_HISTORY = 5;

/**
 * Expected share of scored plays flagged by chance, by history length n: valence and energy independent
 * normal draws around a stable hourly mean, each beyond Z_ANOMALY trailing standard deviations with
 * probability q(n) (Student's t, n − 1 degrees of freedom), so either with 1 − (1 − q(n))².
 */
const EXPECTED_BY_HISTORY = Array.from({ length: ANOMALY_WINDOW - ANOMALY_MIN_HISTORY + 1 }, (_, i) => {
  const q = trailingZExceedance(Z_ANOMALY, ANOMALY_MIN_HISTORY + i);
  return 1 - (1 - q) ** 2;
});

/**
 * The expected share of a play with `history` earlier plays (null below ANOMALY_MIN_HISTORY), as a CASE
 * over the history lengths (portable: Trino spells list literals ARRAY[...]). The values are
 * DECIMAL(18, 17), so that their average over an hour is taken from an exact sum: avg(double) depends
 * on the summation order in the last bits (DuckDB run to run, and DuckDB vs Trino).
 */
function expectedShareCase(history: string): string {
  const branches = EXPECTED_BY_HISTORY.map((p, i) =>
    `            when ${ANOMALY_MIN_HISTORY + i} then cast(${p} as decimal(18, 17))`);
  return `case ${history}\n${branches.join('\n')}\n        end`;
}

export const SEVERITY_HIGH = 3;
export const SEVERITY_MEDIUM = 2.5;

/** |x - mean| / sd of the hour; 0 when the hour has no spread (every value equals the mean). */
const absZ = (x: string) => `case when ${x}_sd > 0 then abs(${x} - ${x}_mean) / ${x}_sd else 0 end`;

export default defineTable({
  layer: 'gold',
  category: 'cognitive',
  name: 'listening_anomalies',
  grainSentence: 'one row per listener and local hour of day with at least one unusual play',
  grain: ['listener_id', 'hour_of_day'],
  description:
    "Plays whose music is unusual for the hour at which the listener played it, judged only by what came before: each play's " +
    `baseline is the mean and sample standard deviation of valence and of energy over the listener's previous (up to ${ANOMALY_WINDOW}) ` +
    `streams with features at the same local hour (a trailing window, ordered by played_at); plays with fewer than ${ANOMALY_MIN_HISTORY} ` +
    `such earlier plays are not scored. A scored play is anomalous when the absolute z-score of its valence or of its energy exceeds ${Z_ANOMALY} ` +
    '(compared after rounding to 6 decimals; a baseline without spread gives z = 0). Beside the observed share of anomalous scored plays, ' +
    'expected_anomaly_share is what chance alone gives if valence and energy were independent normal draws around a stable hourly mean ' +
    `(Student's t with the history length minus one degrees of freedom, either of the two beyond ${Z_ANOMALY}); an observed share near it ` +
    'is no evidence of unusual listening. Per hour: the anomalous plays, the average absolute z-scores of valence ' +
    `and of energy over them, and anomaly_severity: High if either average exceeds ${SEVERITY_HIGH}, Medium if either exceeds ` +
    `${SEVERITY_MEDIUM}, else Low (on the 3-decimal averages). Hours without anomalies are omitted; rows are ordered High, ` +
    'Medium, Low, then by hour. Describes departures from listening habits, not anything about the listener.' + ' ' + STREAMS_SENTENCE,
  columns: [
    { name: 'listener_id', type: 'VARCHAR', description: 'Pseudonymous id of the listener' },
    { name: 'hour_of_day', type: 'INTEGER', description: 'Local hour 0-23' },
    { name: 'plays_with_features', type: 'BIGINT', description: 'Plays of this hour with features: the baseline sample' },
    { name: 'scored_plays', type: 'BIGINT', description: `Plays of this hour with at least ${ANOMALY_MIN_HISTORY} earlier streams with features at the hour: the plays that were scored` },
    { name: 'anomaly_count', type: 'BIGINT', description: `Scored plays whose valence or energy z-score against their trailing baseline exceeds ${Z_ANOMALY} in absolute value` },
    { name: 'observed_anomaly_share', type: 'DOUBLE', description: 'anomaly_count / scored_plays' },
    { name: 'expected_anomaly_share', type: 'DOUBLE', description: `Share of the scored plays expected to exceed |z| > ${Z_ANOMALY} by chance (normal, independent valence and energy, stable hourly mean; by each play's history length), averaged over the scored plays` },
    { name: 'baseline_valence', type: 'DOUBLE', description: "Mean valence of all the hour's streams with features, 3 decimals (descriptive; each play is scored against its trailing baseline)" },
    { name: 'baseline_energy', type: 'DOUBLE', description: "Mean energy of all the hour's streams with features, 3 decimals (descriptive; each play is scored against its trailing baseline)" },
    { name: 'valence_stddev', type: 'DOUBLE', description: 'Sample standard deviation of valence in the hour, 3 decimals' },
    { name: 'energy_stddev', type: 'DOUBLE', description: 'Sample standard deviation of energy in the hour, 3 decimals' },
    { name: 'avg_valence_deviation', type: 'DOUBLE', description: 'Average absolute valence z-score of the anomalous plays, 3 decimals' },
    { name: 'avg_energy_deviation', type: 'DOUBLE', description: 'Average absolute energy z-score of the anomalous plays, 3 decimals' },
    { name: 'anomaly_severity', type: 'VARCHAR', description: `High (an average deviation above ${SEVERITY_HIGH}), Medium (above ${SEVERITY_MEDIUM}) or Low` },
    { name: 'interpretation', type: 'VARCHAR', description: 'What the row says about listening habits, in our own words (one text per severity)' },
    { name: 'synthetic_share', type: 'DOUBLE', description: 'Fraction of the baseline plays of this hour whose features are synthetic' },
  ],
  inputs: ['silver.listening_with_features'],
  sql: `
with events as (
    select * from silver.listening_with_features
),

with_features as (
    select listener_id, hour_of_day, played_at, play_seq, event_id, feature_source, ms_played, valence, energy
    from events
    where ${HAS_FEATURES}
),

with_baseline as (
    select
        *,
        count(*) over trailing_plays as history,
        avg(valence) over trailing_plays as valence_mean,
        stddev_samp(valence) over trailing_plays as valence_sd,
        avg(energy) over trailing_plays as energy_mean,
        stddev_samp(energy) over trailing_plays as energy_sd
    from with_features
    window trailing_plays as (partition by listener_id, hour_of_day order by played_at, play_seq, event_id rows between ${ANOMALY_WINDOW} preceding and 1 preceding)
),

scored as (
    select
        *,
        history >= ${ANOMALY_MIN_HISTORY} as is_scored,
        case when history >= ${ANOMALY_MIN_HISTORY} then ${absZ('valence')} end as valence_z,
        case when history >= ${ANOMALY_MIN_HISTORY} then ${absZ('energy')} end as energy_z,
        ${expectedShareCase('history')} as expected_share
    from with_baseline
),

by_hour as (
    select
        listener_id,
        hour_of_day,
        count(*)::bigint as plays_with_features,
        count(*) filter (where is_scored)::bigint as scored_plays,
        count(*) filter (where round(valence_z, 6) > ${Z_ANOMALY} or round(energy_z, 6) > ${Z_ANOMALY})::bigint as anomaly_count,
        cast(sum(expected_share) as double) / nullif(count(expected_share), 0) as expected_anomaly_share,
        ${avgOf('valence')} as baseline_valence,
        ${avgOf('energy')} as baseline_energy,
        ${stddevOf('valence')} as valence_stddev,
        ${stddevOf('energy')} as energy_stddev,
        ${rounded(`avg(valence_z) filter (where round(valence_z, 6) > ${Z_ANOMALY} or round(energy_z, 6) > ${Z_ANOMALY})`)} as avg_valence_deviation,
        ${rounded(`avg(energy_z) filter (where round(valence_z, 6) > ${Z_ANOMALY} or round(energy_z, 6) > ${Z_ANOMALY})`)} as avg_energy_deviation,
        ${syntheticShare()} as synthetic_share
    from scored
    group by listener_id, hour_of_day
),

classified as (
    select
        *,
        case
            when greatest(avg_valence_deviation, avg_energy_deviation) > ${SEVERITY_HIGH} then 'High'
            when greatest(avg_valence_deviation, avg_energy_deviation) > ${SEVERITY_MEDIUM} then 'Medium'
            else 'Low'
        end as anomaly_severity
    from by_hour
    where anomaly_count > 0
)

select
    listener_id, hour_of_day::integer as hour_of_day, plays_with_features, scored_plays, anomaly_count,
    anomaly_count::double / scored_plays as observed_anomaly_share, expected_anomaly_share, baseline_valence, baseline_energy,
    valence_stddev, energy_stddev, avg_valence_deviation, avg_energy_deviation, anomaly_severity,
    case anomaly_severity
        when 'High' then 'At this hour some plays are far from your usual music for the hour: a clear break from habit'
        when 'Medium' then 'At this hour some plays stand well apart from your usual music for the hour'
        else 'At this hour a few plays differ somewhat from your usual music for the hour'
    end as interpretation,
    synthetic_share
from classified`,
  orderBy: "listener_id, case anomaly_severity when 'High' then 1 when 'Medium' then 2 else 3 end, hour_of_day",
});
