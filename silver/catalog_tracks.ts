// silver.catalog_tracks: the Kaggle catalog as one row per track id, with the same feature values
// silver.listening_with_features gives a Kaggle-matched play (first record of the id by kaggle_index),
// so the track-level models of gold/predictive train on exactly the vectors the listeners' plays carry.
import { defineTable, type ColumnSpec } from '../lib/table-spec.ts';
import { audioFeatureColumns } from '../lib/audio-features.ts';
import type { BuildContext } from '../lib/build-context.ts';
import type { TableVersionMeta } from '../lib/lake.ts';
import { relationExists } from '../lib/lake.ts';

export const CATALOG_FEATURES = ['danceability', 'energy', 'valence', 'acousticness', 'instrumentalness', 'speechiness', 'liveness', 'loudness', 'tempo'] as const;
export const CATALOG_INT_FEATURES = ['key', 'mode', 'time_signature'] as const;
const ALL = [...CATALOG_FEATURES, ...CATALOG_INT_FEATURES];

/**
 * SQL expression: a 16-hex-digit key of the whole audio-feature vector (all twelve features, in a
 * fixed order). Rows with equal keys have identical features: the same recording released under
 * several track ids. Used in silver and in gold on the same DOUBLE/INTEGER columns, so equal values
 * give equal keys.
 */
export function featureKeySql(alias = ''): string {
  const p = alias ? `${alias}.` : '';
  return `substr(md5(${ALL.map((f) => `coalesce(${p}${f}::varchar, '')`).join(` || '|' || `)}), 1, 16)`;
}

export const columns: ColumnSpec[] = [
  { name: 'track_id', type: 'VARCHAR', description: 'Spotify track id (one row per id)' },
  { name: 'track_name', type: 'VARCHAR', description: 'Track title of the first Kaggle record of the id' },
  { name: 'artists', type: 'VARCHAR', description: "Artists of the first Kaggle record of the id (several joined by ';')" },
  ...audioFeatureColumns(ALL, 'as published in the Kaggle data set (first record of the id)'),
  { name: 'genres', type: 'VARCHAR[]', description: 'Every Kaggle genre the id was collected under, sorted' },
  { name: 'kaggle_records', type: 'BIGINT', description: 'Number of Kaggle records (genre rows) of this track id' },
  { name: 'feature_key', type: 'VARCHAR', description: 'Key of the whole feature vector: tracks with equal keys have identical features (the same recording under several ids) and are kept on one side of every train/test split' },
];

const spec = defineTable({
  layer: 'silver',
  name: 'catalog_tracks',
  grainSentence: 'one row per Kaggle track id',
  grain: ['track_id'],
  description:
    'The Kaggle Spotify Tracks catalog deduplicated by track id (the first record by original row index gives the features, as in silver.listening_with_features), with all its genres and a key of the feature vector that groups identical recordings; the training data of the track-level models.',
  columns,
  inputs: ['bronze.kaggle_tracks'],
  orderBy: 'track_id',
});
export default spec;

function catalogSql(hasKaggle: boolean): string {
  if (!hasKaggle) {
    return `select ${columns.map((c) => `null::${c.type} as ${c.name}`).join(', ')} where false`;
  }
  return `
with records as (
  select * from bronze.kaggle_tracks
), tracks as (
  select track_id,
    arg_min(track_name, kaggle_index) as track_name,
    arg_min(artists, kaggle_index) as artists,
    ${ALL.map((f) => `arg_min(${f}, kaggle_index) as ${f}`).join(',\n    ')},
    list(distinct track_genre order by track_genre) filter (where track_genre is not null) as genres,
    count(*)::bigint as kaggle_records
  from records
  group by track_id
)
select track_id, track_name, artists,
  ${CATALOG_FEATURES.map((f) => `${f}::double as ${f}`).join(', ')},
  ${CATALOG_INT_FEATURES.map((f) => `${f}::integer as ${f}`).join(', ')},
  coalesce(genres, []::varchar[]) as genres, kaggle_records,
  ${featureKeySql()} as feature_key
from tracks`;
}

/** Builds the catalog from bronze in the caller's transaction (empty when no Kaggle data is loaded). */
export async function buildCatalogTracks(ctx: BuildContext): Promise<TableVersionMeta> {
  const hasKaggle = await relationExists(ctx.conn, 'bronze', 'kaggle_tracks');
  // Always DuckDB, under --engine trino too: the catalog is reference data of bounded size (the Kaggle
  // tracks, ~100k rows whatever the study's size), read by the catalog model training that stays on
  // one machine; and its feature_key hashes doubles as DuckDB prints them (Trino prints 5.88E-2).
  return ctx.tx.write(spec, { sql: catalogSql(hasKaggle), orderBy: spec.orderBy, inputs: hasKaggle ? spec.inputs : [] });
}
