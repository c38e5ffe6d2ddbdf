// Writes parsed Spotify rows into bronze inside the caller's transaction: plays through the same
// append-with-dedup path as the export importer (bronze.listening_history, source 'spotify_api'),
// track metadata (latest sighting wins) and audio features (first answer kept).
import type { BuildContext } from '../../lib/build-context.ts';
import { queryRows } from '../../lib/duckdb.ts';
import { relationExists } from '../../lib/lake.ts';
import { loadRows, type AppendColumn, type AppendValue } from '../../lib/appender.ts';
import { historyColumns } from '../../bronze/listening_history.ts';
import trackFeaturesApi, { trackFeaturesApiColumns } from '../../bronze/track_features_api.ts';
import trackMetadataApi from '../../bronze/track_metadata_api.ts';
import { appendHistory } from '../exports/ingest.ts';
import { utcNow } from '../../bronze/write-rejects.ts';
import type { FeatureRow, PlayRow, TrackMetaRow } from './parse.ts';

const DERIVED = new Set(['started_at', 'track_key', 'ingested_at', 'run_id']);
const appendType = (t: string): AppendColumn['type'] => (t === 'BIGINT' || t === 'INTEGER' || t === 'DOUBLE' || t === 'BOOLEAN' ? t : 'VARCHAR');

async function load(ctx: BuildContext, name: string, names: string[], types: Record<string, string>, rows: Record<string, unknown>[]): Promise<void> {
  const columns = names.map((n) => ({ name: n, type: appendType(types[n] ?? 'VARCHAR') }));
  await loadRows(ctx.conn, name, columns, rows.map((r) => names.map((n) => {
    const v = r[n];
    return (Array.isArray(v) ? JSON.stringify(v) : v ?? null) as AppendValue;
  })));
}

/** Appends plays to bronze.listening_history; returns rows added (duplicates are skipped). */
export async function writePlays(ctx: BuildContext, rows: PlayRow[]): Promise<number> {
  const staging = historyColumns.filter((c) => !DERIVED.has(c.name));
  const given = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const types = Object.fromEntries(staging.map((c) => [c.name, c.type === 'TIMESTAMP' ? 'VARCHAR' : c.type]));
  await load(ctx, '_spotify_plays_in', given, types, rows);
  const select = staging.map((c) => {
    if (!given.includes(c.name)) return `null::${c.type} as ${c.name}`;
    return c.type === 'TIMESTAMP' ? `timezone('UTC', ${c.name}::timestamptz) as ${c.name}` : c.name;
  });
  await ctx.conn.run(`create or replace temp table _spotify_history as select ${select.join(', ')}, null::varchar as reject_reason from _spotify_plays_in`);
  const added = await appendHistory(ctx, '_spotify_history');
  await ctx.conn.run('drop table if exists _spotify_plays_in; drop table if exists _spotify_history');
  return added;
}

const META_TYPES: Record<string, string> = { duration_ms: 'BIGINT', popularity: 'INTEGER', explicit: 'BOOLEAN', is_local: 'BOOLEAN' };

/** Replaces bronze.track_metadata_api with previous rows plus these, the latest sighting per track. */
export async function writeTrackMetadata(ctx: BuildContext, rows: TrackMetaRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  const names = Object.keys(rows[0]);
  await load(ctx, '_spotify_tracks_in', names, META_TYPES, rows);
  const cols = trackMetadataApi.columns.map((c) => c.name);
  const incoming = cols.map((c) => {
    if (c === 'artist_ids' || c === 'artist_names') return `from_json(${c}, '["VARCHAR"]') as ${c}`;
    if (c === 'last_seen_at') return `timezone('UTC', last_seen_at::timestamptz) as last_seen_at`;
    if (c === 'ingested_at') return '$now::timestamp as ingested_at';
    if (c === 'run_id') return '$run as run_id';
    return c;
  });
  const previous = (await relationExists(ctx.conn, 'bronze', 'track_metadata_api')) ? `select ${cols.join(', ')} from bronze.track_metadata_api union all ` : '';
  await ctx.tx.write(trackMetadataApi, {
    mode: 'replace',
    sql: `with incoming as (select ${incoming.join(', ')} from _spotify_tracks_in),
          all_rows as (${previous}select ${cols.join(', ')} from incoming)
          select ${cols.join(', ')} from all_rows
          qualify row_number() over (partition by track_id order by last_seen_at desc, ingested_at desc) = 1`,
    params: { now: utcNow(), run: ctx.runId },
    orderBy: 'track_id',
  });
  await ctx.conn.run('drop table if exists _spotify_tracks_in');
  return rows.length;
}

/** Appends audio features of tracks not yet in bronze.track_features_api; returns rows added. */
export async function writeFeatures(ctx: BuildContext, rows: FeatureRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  const names = trackFeaturesApiColumns.map((c) => c.name).filter((n) => n !== 'ingested_at' && n !== 'run_id');
  await load(ctx, '_spotify_features_in', names, Object.fromEntries(trackFeaturesApiColumns.map((c) => [c.name, c.type])), rows);
  const exists = await relationExists(ctx.conn, 'bronze', 'track_features_api');
  const [{ n: before }] = exists ? await queryRows<{ n: number }>(ctx.conn, 'select count(*)::integer as n from bronze.track_features_api') : [{ n: 0 }];
  const meta = await ctx.tx.write(trackFeaturesApi, {
    mode: 'append',
    sql: `select ${names.join(', ')}, $now::timestamp as ingested_at, $run as run_id from _spotify_features_in f
          ${exists ? 'where not exists (select 1 from bronze.track_features_api b where b.track_id = f.track_id)' : ''}
          qualify row_number() over (partition by track_id order by source_file) = 1`,
    params: { now: utcNow(), run: ctx.runId },
    orderBy: 'track_id',
  });
  await ctx.conn.run('drop table if exists _spotify_features_in');
  return meta.rows - before;
}

/** Track ids among `ids` that bronze.track_features_api does not hold yet. */
export async function missingFeatureIds(ctx: BuildContext, ids: string[]): Promise<string[]> {
  if (ids.length === 0 || !(await relationExists(ctx.conn, 'bronze', 'track_features_api'))) return ids;
  await loadRows(ctx.conn, '_spotify_ids', [{ name: 'track_id', type: 'VARCHAR' }], ids.map((id) => [id]));
  const have = await queryRows<{ track_id: string }>(ctx.conn, 'select track_id from bronze.track_features_api semi join _spotify_ids using (track_id)');
  await ctx.conn.run('drop table if exists _spotify_ids');
  const known = new Set(have.map((r) => r.track_id));
  return ids.filter((id) => !known.has(id));
}
