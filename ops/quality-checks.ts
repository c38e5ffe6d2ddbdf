// The data-quality gates run after every build. Each check measures one number and compares it with
// a threshold; 'error' failures block the run's publish to Trino, 'warn' failures are reported.
// Checks read the lake through the session's views, so they see exactly what the run published.
import { VALID_RANGES } from '../lib/audio-features.ts';
import type { DuckDBConnection } from '../lib/duckdb.ts';
import { quoteIdent, queryRows } from '../lib/duckdb.ts';
import { readCatalog, type TableVersionMeta } from '../lib/lake.ts';
import { grainDuplicates } from '../lib/table-loader.ts';
import { historySourceSql } from '../ingestion/exports/platform.ts';
import { RICHNESS, applePairsSql, lastfmPairsSql, playNameKeySql } from '../silver/listening-with-features-sql.ts';

export type CheckLevel = 'error' | 'warn';

export interface CheckResult {
  check_name: string;
  table_name: string;
  /** '' when the check is about the whole table. */
  column_name: string;
  level: CheckLevel;
  status: 'pass' | 'fail';
  observed_value: number | null;
  threshold: number;
  detail: string;
}

export interface QualityOptions {
  allowSynthetic: boolean;
  /** Newest silver play older than this many hours: warn. */
  freshnessHours?: number;
  /** Share of synthetic among rows with features above this: warn. */
  syntheticShareMax?: number;
  /** Share of bronze music plays that silver folds into another source's play above this: warn. */
  reconciliationDropMax?: number;
  now?: Date;
}

export const SILVER = 'silver.listening_with_features';
/** Valid range per feature column (inclusive); the same limits the Kaggle importer rejects on. */
const FEATURE_RANGES: Record<string, readonly [number, number]> = VALID_RANGES;

function result(check_name: string, table_name: string, column_name: string, level: CheckLevel, observed: number | null, threshold: number, detail: string): CheckResult {
  const status = observed !== null && observed > threshold ? 'fail' : 'pass';
  return { check_name, table_name, column_name, level, status, observed_value: observed, threshold, detail };
}

const ref = (m: TableVersionMeta) => `${quoteIdent(m.layer)}.${quoteIdent(m.table)}`;
const qualified = (m: TableVersionMeta) => `${m.layer}.${m.table}`;

async function one(conn: DuckDBConnection, sql: string, params?: Record<string, string>): Promise<Record<string, number | null>> {
  return (await queryRows<Record<string, number | null>>(conn, sql, params))[0] ?? {};
}

async function grainCheck(conn: DuckDBConnection, m: TableVersionMeta): Promise<CheckResult> {
  const grain = m.grain ?? [];
  const cols = grain.map(quoteIdent).join(', ');
  const { n } = await one(conn, `select count(*)::double as n from (select 1 from ${ref(m)} group by ${cols} having count(*) > 1)`);
  const example = n ? await grainDuplicates(conn, { layer: m.layer, name: m.table, grain }, 1) : [];
  const detail = `grain (${grain.join(', ')}) values occurring more than once${example.length ? `, e.g. ${JSON.stringify(example[0])}` : ''}`;
  return result('grain_unique', qualified(m), '', 'error', n ?? 0, 0, detail);
}

/** Columns that must never be null, per core table (error level). */
const KEY_COLUMNS: Record<string, string[]> = {
  'bronze.listening_history': ['listener_id', 'source', 'played_at', 'track_key', 'content_type'],
  'bronze.listeners': ['listener_id', 'timezone', 'status'],
  'bronze.kaggle_tracks': ['track_id'],
  'bronze.rejected_rows': ['file_sha256', 'source_row', 'reason'],
  'silver.listening_with_features': ['listener_id', 'event_id', 'played_at', 'played_at_local', 'date_local', 'timezone', 'feature_source', 'feature_match'],
  'silver.listener_studies': ['listener_id', 'study_id'],
};

/**
 * The core tables' key columns at level error; elsewhere the grain columns at level warn (a grain
 * column may be null by design: ms_played of API plays, listener_id of catalog-level gold rows,
 * which are therefore not checked).
 */
function keyColumns(m: TableVersionMeta): { column: string; level: CheckLevel }[] {
  const names = new Set(m.columns.map((c) => c.name));
  const core = KEY_COLUMNS[qualified(m)];
  if (core) return core.filter((c) => names.has(c)).map((column) => ({ column, level: 'error' }));
  if (m.layer === 'ops') return [];
  return (m.grain ?? []).filter((c) => names.has(c) && c !== 'listener_id').map((column) => ({ column, level: 'warn' }));
}

async function nullChecks(conn: DuckDBConnection, m: TableVersionMeta): Promise<CheckResult[]> {
  const keys = keyColumns(m);
  if (keys.length === 0 || m.rows === 0) return [];
  const rates = await one(conn, `select ${keys.map((k, i) => `avg(case when ${quoteIdent(k.column)} is null then 1 else 0 end)::double as k${i}`).join(', ')} from ${ref(m)}`);
  return keys.map((k, i) => result('key_nulls', qualified(m), k.column, k.level, rates[`k${i}`] ?? 0, 0, `share of rows whose key column ${k.column} is null`));
}

async function rangeChecks(conn: DuckDBConnection, m: TableVersionMeta): Promise<CheckResult[]> {
  const cols = m.columns.filter((c) => c.name in FEATURE_RANGES && ['DOUBLE', 'FLOAT', 'DECIMAL'].some((t) => c.type.startsWith(t)));
  if (cols.length === 0 || m.layer === 'ops') return [];
  const outside = (c: string) => {
    const [lo, hi] = FEATURE_RANGES[c];
    const low = Number.isFinite(lo) ? `${quoteIdent(c)} < ${lo} or ` : '';
    return `count(*) filter (where ${low}${quoteIdent(c)} > ${hi} or isnan(${quoteIdent(c)}))::double`;
  };
  const counts = await one(conn, `select ${cols.map((c, i) => `${outside(c.name)} as c${i}`).join(', ')} from ${ref(m)}`);
  return cols.map((c, i) => {
    const [lo, hi] = FEATURE_RANGES[c.name];
    const range = Number.isFinite(lo) ? `[${lo}, ${hi}]` : `at most ${hi}`;
    return result('feature_range', qualified(m), c.name, 'error', counts[`c${i}`] ?? 0, 0, `values of ${c.name} outside ${range} (or NaN)`);
  });
}

async function reconciliation(conn: DuckDBConnection, o: QualityOptions): Promise<CheckResult[]> {
  const rows = await queryRows<{ listener_id: string; bronze: number; silver: number }>(conn, `
    with b as (select listener_id, count(*)::double as bronze from bronze.listening_history where content_type = 'track' group by all),
         s as (select listener_id, count(*)::double as silver from ${SILVER} group by all)
    select coalesce(b.listener_id, s.listener_id) as listener_id, coalesce(bronze, 0) as bronze, coalesce(silver, 0) as silver
    from b full join s using (listener_id) order by 1`);
  const bronze = rows.reduce((n, r) => n + r.bronze, 0);
  const silver = rows.reduce((n, r) => n + r.silver, 0);
  const extra = rows.filter((r) => r.silver > r.bronze);
  const missing = rows.filter((r) => r.bronze > 0 && r.silver === 0);
  return [
    result('bronze_silver_reconciliation', SILVER, '', 'error', extra.reduce((n, r) => n + r.silver - r.bronze, 0), 0,
      `silver events beyond the bronze music plays they come from (bronze ${bronze}, silver ${silver})${extra.length ? `; listeners: ${extra.map((r) => r.listener_id).join(', ')}` : ''}`),
    result('bronze_silver_reconciliation', SILVER, 'dropped_share', 'warn', bronze ? (bronze - silver) / bronze : 0, o.reconciliationDropMax ?? 0.25,
      'share of bronze music plays not in silver (the same play seen by two sources is kept once)'),
    result('silver_listener_coverage', SILVER, 'listener_id', 'error', missing.length, 0,
      `listeners with bronze music plays but no silver event${missing.length ? `: ${missing.map((r) => r.listener_id).join(', ')}` : ''}`),
  ];
}

/**
 * How many plays silver folded into another source's play under the Last.fm rule, per pair of
 * sources (kept ← dropped), and how many bronze music plays of each history source silver left out
 * (every dedup rule). Informational: they never fail.
 */
export async function crossSourceMerges(conn: DuckDBConnection): Promise<{ kept_source: string; dropped_source: string; plays: number }[]> {
  return queryRows(conn, `with sourced as (
      select *, ${historySourceSql('source')} as history_source from bronze.listening_history where content_type = 'track'
    ), plays as (select *, ${playNameKeySql()} as name_key, ${RICHNESS} as richness from sourced)
    select kept_source, dropped_source, count(*)::double as plays
    from (select distinct kept_source, dropped_source, listener_id, played_at, track_key, ms_played
          from (select * from ${lastfmPairsSql('plays')} union all select * from ${applePairsSql('plays')}))
    group by all order by all`);
}

async function mergeChecks(conn: DuckDBConnection): Promise<CheckResult[]> {
  const pairs = await crossSourceMerges(conn);
  const dropped = await queryRows<{ history_source: string; n: number }>(conn, `
    with b as (select ${historySourceSql('source')} as history_source, count(*)::double as n from bronze.listening_history where content_type = 'track' group by all),
         s as (select history_source, count(*)::double as n from ${SILVER} group by all)
    select b.history_source, b.n - coalesce(s.n, 0) as n from b left join s using (history_source) order by 1`);
  const never = Number.MAX_SAFE_INTEGER;
  return [
    ...pairs.map((p) => result('cross_source_merges', SILVER, `${p.kept_source}<-${p.dropped_source}`, 'warn', p.plays, never,
      `plays of ${p.dropped_source} that are the same play as a ${p.kept_source} play (the Last.fm rule, or Apple Recently Played against Play Activity): kept once, from ${p.kept_source}`)),
    ...dropped.map((d) => result('plays_folded_per_source', SILVER, d.history_source, 'warn', d.n, never,
      `bronze music plays from ${d.history_source} that silver keeps from a richer source instead (every dedup rule)`)),
  ];
}

async function silverChecks(conn: DuckDBConnection, o: QualityOptions): Promise<CheckResult[]> {
  const now = (o.now ?? new Date()).toISOString().replace('Z', '');
  const s = await one(conn, `select
      (epoch_ms($now::timestamp) - epoch_ms(max(played_at))) / 3600000.0 as age_hours,
      (count(*) filter (where feature_source = 'synthetic'))::double / nullif(count(*) filter (where feature_source <> 'none'), 0) as synthetic_share
    from ${SILVER}`, { now });
  const maxShare = o.allowSynthetic ? (o.syntheticShareMax ?? 0.5) : 0;
  return [
    result('freshness', SILVER, 'played_at', 'warn', s.age_hours ?? null, o.freshnessHours ?? 168, 'hours since the newest play in silver'),
    result('synthetic_share', SILVER, 'feature_source', o.allowSynthetic ? 'warn' : 'error', s.synthetic_share ?? 0, maxShare,
      `share of events with features whose features are synthetic${o.allowSynthetic ? '' : ' (ALLOW_SYNTHETIC=false: must be 0)'}`),
    ...(o.allowSynthetic ? [await listenerSyntheticShare(conn, o.syntheticShareMax ?? 0.5)] : []),
  ];
}

/** Active listeners whose time zone nobody gave: their local times use LAKEHOUSE_TIMEZONE, which may be wrong. */
async function defaultZoneCheck(conn: DuckDBConnection): Promise<CheckResult> {
  const rows = await queryRows<{ listener_id: string; timezone: string }>(conn,
    "select listener_id, timezone from bronze.listeners where timezone_source = 'default' and status = 'active' order by 1");
  return result('default_timezone', 'bronze.listeners', 'timezone', 'warn', rows.length, 0,
    `listeners whose time zone was not given and defaulted to LAKEHOUSE_TIMEZONE${rows.length ? `: ${rows.map((r) => `${r.listener_id} (${r.timezone})`).join(', ')}; set it with \`lakehouse listeners set <id> --timezone <zone>\`` : ''}`);
}

/**
 * The same share per listener: one listener whose plays are mostly synthetic can hide behind a low
 * overall share. Observed is the highest listener's share; the detail names every listener above the
 * threshold with their share. (With ALLOW_SYNTHETIC=false the overall check already fails on any.)
 */
async function listenerSyntheticShare(conn: DuckDBConnection, max: number): Promise<CheckResult> {
  const rows = await queryRows<{ listener_id: string; share: number; plays: number }>(conn, `select listener_id,
      (count(*) filter (where feature_source = 'synthetic'))::double / count(*) as share,
      count(*)::double as plays
    from ${SILVER} where feature_source <> 'none' group by all order by share desc, listener_id`);
  const above = rows.filter((r) => r.share > max);
  const pct = (x: number) => `${Math.round(x * 1000) / 10} %`;
  const detail = above.length > 0
    ? `listeners with more than ${pct(max)} of their plays with features from synthetic values: ${above.map((r) => `${r.listener_id} ${pct(r.share)} of ${r.plays.toLocaleString('en-US')}`).join(', ')}; their mood and feature results describe generated values, not the music (add Kaggle or Spotify API features)`
    : `share of each listener's plays with features whose features are synthetic (highest: ${rows[0] ? `${rows[0].listener_id} ${pct(rows[0].share)}` : 'none'})`;
  return result('synthetic_share_listener', SILVER, 'listener_id', 'warn', rows[0]?.share ?? 0, max, detail);
}

/** Runs every check over the current lake. */
export async function runQualityChecks(conn: DuckDBConnection, dataDir: string, o: QualityOptions): Promise<CheckResult[]> {
  const tables = Object.values(readCatalog(dataDir).tables).sort((a, b) => qualified(a).localeCompare(qualified(b)));
  const out: CheckResult[] = [];
  for (const m of tables) {
    if ((m.grain ?? []).length > 0) out.push(await grainCheck(conn, m));
    out.push(...(await nullChecks(conn, m)), ...(await rangeChecks(conn, m)));
  }
  const names = new Set(tables.map(qualified));
  if (names.has(SILVER) && names.has('bronze.listening_history')) out.push(...(await reconciliation(conn, o)), ...(await mergeChecks(conn)));
  if (names.has(SILVER)) out.push(...(await silverChecks(conn, o)));
  const registry = tables.find((m) => qualified(m) === 'bronze.listeners');
  if (registry?.columns.some((c) => c.name === 'timezone_source')) out.push(await defaultZoneCheck(conn));
  return out;
}

export function failures(results: CheckResult[], level: CheckLevel): CheckResult[] {
  return results.filter((r) => r.status === 'fail' && r.level === level);
}
