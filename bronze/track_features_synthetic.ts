// bronze.track_features_synthetic: generated features for tracks nobody else describes. Append-only:
// a key once generated keeps its values (they are a pure function of the key anyway).
import { defineTable, type ColumnSpec } from '../lib/table-spec.ts';
import type { BuildContext } from '../lib/build-context.ts';
import { loadRows, type AppendColumn } from '../lib/appender.ts';
import { queryRows } from '../lib/duckdb.ts';
import { relationExists } from '../lib/lake.ts';
import { GENERATOR_VERSION, RANGES, syntheticFeatures } from '../lib/synthetic-features.ts';
import { nameKeySql, kaggleMainArtistSql } from '../lib/name-key.ts';
import { utcNow } from './write-rejects.ts';

const featureColumns: ColumnSpec[] = [
  ...RANGES.map(([name, lo, hi]) => ({ name, type: 'DOUBLE', description: `Synthetic ${name}: Beta(2,2) scaled to [${lo}, ${hi}], 4 decimals` })),
  { name: 'time_signature', type: 'INTEGER', description: 'Synthetic time signature, uniform over {3, 4, 5}' },
  { name: 'key', type: 'INTEGER', description: 'Synthetic key, uniform over 0-11' },
  { name: 'mode', type: 'INTEGER', description: 'Synthetic mode, uniform over {0, 1}' },
];

const spec = defineTable({
  layer: 'bronze',
  name: 'track_features_synthetic',
  grainSentence: 'one row per feature key (track id, or normalised "artist — title" when there is no id)',
  grain: ['feature_key'],
  description: 'SYNTHETIC audio features, generated deterministically (seedrandom seeded with the SHA-256 of the key) only for tracks that have no features from the Spotify API or Kaggle. Not measurements: every value derived from them is tagged feature_source = synthetic.',
  columns: [
    { name: 'feature_key', type: 'VARCHAR', description: 'Track id, or the normalised "artist — title" name key' },
    { name: 'key_type', type: 'VARCHAR', description: 'track_id or name' },
    ...featureColumns,
    { name: 'generator_version', type: 'VARCHAR', description: 'Version of the generator that produced the values' },
    { name: 'generated_at', type: 'TIMESTAMP', description: 'When the row was generated (UTC)' },
    { name: 'run_id', type: 'VARCHAR', description: 'Run that generated the row' },
  ],
  inputs: ['bronze.listening_history', 'bronze.kaggle_tracks', 'bronze.track_features_api'],
});
export default spec;

const INCOMING: AppendColumn[] = [
  { name: 'feature_key', type: 'VARCHAR' }, { name: 'key_type', type: 'VARCHAR' },
  ...featureColumns.map((c) => ({ name: c.name, type: c.type as AppendColumn['type'] })),
];

/** Keys of music plays with no API or Kaggle features and no synthetic row yet. */
async function missingKeys(ctx: BuildContext): Promise<{ feature_key: string; key_type: string }[]> {
  const has = async (t: string) => relationExists(ctx.conn, 'bronze', t);
  if (!(await has('listening_history'))) return [];
  const kaggle = await has('kaggle_tracks');
  const api = await has('track_features_api');
  const synth = await has('track_features_synthetic');
  const nameKey = nameKeySql('artist_name', 'track_name');
  return queryRows(ctx.conn, `
    with played as (
      -- Distinct ids and (id-less) names first: the name key, a chain of regular expressions, is then
      -- computed once per name instead of once per play (half of this query at 1M plays).
      select distinct track_id, case when track_id is null then artist_name end as artist_name, case when track_id is null then track_name end as track_name
      from bronze.listening_history where content_type = 'track'
    ), plays as (
      select distinct coalesce(track_id, ${nameKey}) as feature_key, case when track_id is null then 'name' else 'track_id' end as key_type
      from played
    ), kaggle_keys as (
      ${kaggle ? `select track_id as k from bronze.kaggle_tracks union select ${nameKeySql(kaggleMainArtistSql('artists'), 'track_name')} from bronze.kaggle_tracks` : 'select null::varchar as k where false'}
    )
    select feature_key, key_type from plays p
    where feature_key is not null
      and not exists (select 1 from kaggle_keys k where k.k = p.feature_key)
      ${api ? "and not exists (select 1 from bronze.track_features_api a where a.track_id = p.feature_key and p.key_type = 'track_id')" : ''}
      ${synth ? 'and not exists (select 1 from bronze.track_features_synthetic s where s.feature_key = p.feature_key)' : ''}
    order by feature_key`);
}

export async function buildSynthetic(ctx: BuildContext): Promise<{ generated: number; skipped: boolean }> {
  if (!ctx.config.allowSynthetic) {
    ctx.log.info('ALLOW_SYNTHETIC=false: no synthetic features generated');
    return { generated: 0, skipped: true };
  }
  const keys = await missingKeys(ctx);
  const rows = keys.map(({ feature_key, key_type }) => {
    const f = syntheticFeatures(feature_key);
    return [feature_key, key_type, ...featureColumns.map((c) => f[c.name as keyof typeof f])];
  });
  await loadRows(ctx.conn, '_synthetic_incoming', INCOMING, rows);
  await ctx.tx.write(spec, {
    mode: 'append',
    sql: `select *, $version as generator_version, $now::timestamp as generated_at, $run as run_id from _synthetic_incoming`,
    params: { version: GENERATOR_VERSION, now: utcNow(), run: ctx.runId },
    orderBy: 'feature_key',
    inputs: spec.inputs,
  });
  return { generated: keys.length, skipped: false };
}
