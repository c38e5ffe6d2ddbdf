// Track tables without a listener_id whose rows exist only because someone played the track: the
// synthetic features (one row per track id or "artist — title" key of a play without features), and
// the Web API track metadata and audio features (tracks seen in someone's recently-played responses).
// After an erasure, the rows whose key no remaining listener's play uses would be a fingerprint of
// the person's listening, so the erasure removes them from every version and the residue scan looks
// for them. A key counts as used when any row of any kept version of bronze.listening_history, other
// than the erased listener's, has it (the same key silver joins on: the track id, else the name key).
// The Kaggle catalog (bronze.kaggle_tracks, silver.catalog_tracks) is public data and stays whole.
import type { DuckDBConnection } from '../lib/duckdb.ts';
import { quoteIdent, quoteLiteral, queryRows } from '../lib/duckdb.ts';
import { nameKeySql } from '../lib/name-key.ts';
import { distinctParts } from './data-parts.ts';

/** "layer.table" → the column holding the track key. */
export const PLAY_KEYED_TABLES: Readonly<Record<string, string>> = {
  'bronze.track_features_synthetic': 'feature_key',
  'bronze.track_features_api': 'track_id',
  'bronze.track_metadata_api': 'track_id',
};

export const USED_KEYS_TABLE = '_erase_used_keys';

/**
 * Fills the temp table USED_KEYS_TABLE with the keys of every play kept in any version of
 * bronze.listening_history, leaving out `exceptListener`'s plays. False when there is no history on
 * disk (then no key can be called unused).
 */
export async function collectUsedKeys(conn: DuckDBConnection, dataDir: string, exceptListener: string | null): Promise<boolean> {
  const parts = distinctParts(dataDir, 'bronze', 'listening_history');
  if (parts.length === 0) return false;
  const files = `[${parts.map(quoteLiteral).join(', ')}]`;
  await conn.run(`create or replace temp table ${USED_KEYS_TABLE} as
    select distinct k as key from (
      select coalesce(track_id, ${nameKeySql('artist_name', 'track_name')}) as k
      from read_parquet(${files}, union_by_name = true)
      where listener_id is distinct from $id)
    where k is not null`, { id: exceptListener ?? '' });
  return true;
}

export async function dropUsedKeys(conn: DuckDBConnection): Promise<void> {
  await conn.run(`drop table if exists ${USED_KEYS_TABLE}`);
}

/** SQL condition: the row's key is used by no kept play (needs USED_KEYS_TABLE). */
export function unusedKeyCondition(keyColumn: string): string {
  return `(${quoteIdent(keyColumn)} is not null and ${quoteIdent(keyColumn)} not in (select key from ${USED_KEYS_TABLE}))`;
}

/** Rows of play-keyed tables (every version) whose key no kept play uses: "path of part" → rows. */
export async function unusedKeyRows(conn: DuckDBConnection, dataDir: string): Promise<{ path: string; rows: number }[]> {
  if (!(await collectUsedKeys(conn, dataDir, null))) return [];
  const out: { path: string; rows: number }[] = [];
  try {
    for (const [qualified, keyColumn] of Object.entries(PLAY_KEYED_TABLES)) {
      for (const part of distinctParts(dataDir, 'bronze', qualified.split('.')[1])) {
        const [r] = await queryRows<{ n: number }>(conn, `select count(*)::double as n from read_parquet(${quoteLiteral(part)}) where ${unusedKeyCondition(keyColumn)}`);
        if (Number(r.n) > 0) out.push({ path: part, rows: Number(r.n) });
      }
    }
  } finally {
    await dropUsedKeys(conn);
  }
  return out;
}
