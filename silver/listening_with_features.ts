// Columns of silver.listening_with_features. The SQL that builds it is in listening-with-features-sql.ts.
import { defineTable, type ColumnSpec } from '../lib/table-spec.ts';
import type { BuildContext } from '../lib/build-context.ts';
import type { TableVersionMeta } from '../lib/lake.ts';
import { relationExists } from '../lib/lake.ts';
import { queryRows } from '../lib/duckdb.ts';
import { StageError } from '../lib/errors.ts';
import { silverDedupKeysSql, silverKaggleSql, silverNamesSql, silverSql, silverSupersededSql, type ListenerGroup, type SilverInputs, type SilverIntermediates } from './listening-with-features-sql.ts';
export { groupFilter, type ListenerGroup } from './listening-with-features-sql.ts';
import { audioFeatureColumns } from '../lib/audio-features.ts';
import { CATALOG_FEATURES, CATALOG_INT_FEATURES } from './catalog_tracks.ts';

export const columns: ColumnSpec[] = [
  { name: 'listener_id', type: 'VARCHAR', description: 'Pseudonymous id of the listener (study participant)' },
  { name: 'event_id', type: 'VARCHAR', description: 'Stable id of the listening event: hash of listener, played_at and track key' },
  { name: 'played_at', type: 'TIMESTAMP', description: 'End of playback, UTC (as Spotify reports it)' },
  { name: 'started_at', type: 'TIMESTAMP', description: 'Start of playback, UTC: played_at minus ms_played' },
  { name: 'played_at_local', type: 'TIMESTAMP', description: "played_at in the listener's time zone (wall-clock time, no zone)" },
  { name: 'timezone', type: 'VARCHAR', description: 'IANA time zone of the listener used for the *_local columns and time dimensions' },
  { name: 'date_local', type: 'DATE', description: "Calendar date of played_at in the listener's time zone" },
  { name: 'hour_of_day', type: 'INTEGER', description: 'Hour 0-23 of played_at_local' },
  { name: 'day_of_week', type: 'INTEGER', description: 'ISO day of week of played_at_local: 1 = Monday … 7 = Sunday' },
  { name: 'day_name', type: 'VARCHAR', description: 'English day name of played_at_local (Monday … Sunday)' },
  { name: 'is_weekend', type: 'BOOLEAN', description: 'True on Saturday and Sunday (local)' },
  { name: 'part_of_day', type: 'VARCHAR', description: 'morning (06-11), afternoon (12-17), evening (18-22) or night (23-05), local hours' },
  { name: 'session_id', type: 'VARCHAR', description: 'Listening session: a new session starts after a gap of more than 30 minutes between plays (start of a play minus end of the previous one)' },
  { name: 'session_position', type: 'INTEGER', description: 'Position of the event within its session, 1 = first; plays ending at the same time are ordered by source file and record position, never by name' },
  { name: 'play_seq', type: 'BIGINT', description: "The play's position in the listener's whole history, 1 = first, in the true order of plays (end time, then source file and record position, never by name); order by it wherever the order of plays matters" },
  { name: 'track_id', type: 'VARCHAR', description: 'Spotify track id (22 characters); null for account-data rows without an id' },
  { name: 'track_name', type: 'VARCHAR', description: 'Track title as the source reported it' },
  { name: 'artist_name', type: 'VARCHAR', description: 'Main artist as the source reported it' },
  { name: 'album_name', type: 'VARCHAR', description: 'Album name when the source has it' },
  { name: 'song_key', type: 'VARCHAR', description: 'What counts as "the same track" for repeats and first listens, across sources and re-releases: the normalised "<artist> — <title>" (the name-matching key), else the source\'s own key (track id or URI) when the names are empty' },
  { name: 'artist_key', type: 'VARCHAR', description: 'Normalised main artist name (the normalisation used for name matching); null when the source names no artist' },
  { name: 'is_first_track_play', type: 'BOOLEAN', description: "True on the listener's first play of this song_key in the whole history (a first listen)" },
  { name: 'is_first_artist_play', type: 'BOOLEAN', description: "True on the listener's first play of this artist_key in the whole history; null without an artist" },
  { name: 'ms_played', type: 'BIGINT', description: 'Milliseconds played' },
  { name: 'is_stream', type: 'BOOLEAN', description: 'ms_played >= 30,000 (a stream by Spotify\'s 30-second rule; null when ms_played is unknown); true for a Last.fm scrobble (Last.fm scrobbles only after 30 s and half the track or 4 min)' },
  { name: 'is_skip', type: 'BOOLEAN', description: "skipped is true or reason_end is fwdbtn/backbtn; null when the source carries neither field (account data, Web API): count skips only where it is known" },
  { name: 'skipped', type: 'BOOLEAN', description: 'Whether the track was skipped (null when the source does not say)' },
  { name: 'shuffle', type: 'BOOLEAN', description: 'Whether shuffle was on (null when the source does not say)' },
  { name: 'reason_start', type: 'VARCHAR', description: 'Why playback started (extended exports only)' },
  { name: 'reason_end', type: 'VARCHAR', description: 'Why playback ended (extended exports only)' },
  { name: 'history_source', type: 'VARCHAR', description: 'Where the play came from: spotify_api, export_extended, export_extended_legacy, export_account, apple_music, lastfm or youtube_music (the richest source when several saw the same play; the file format is bronze.listening_history.source)' },
  { name: 'feature_source', type: 'VARCHAR', description: "Where the audio features came from, whole: spotify_api, kaggle, synthetic or none (precedence in that order)" },
  { name: 'feature_match', type: 'VARCHAR', description: 'How the features were matched: track_id, name (normalised artist and title) or none' },
  ...audioFeatureColumns([...CATALOG_FEATURES, ...CATALOG_INT_FEATURES], "from the source named in feature_source, null when feature_source = 'none'", {
    key: 'Pitch class 0-11 (null when unknown)', mode: '1 = major, 0 = minor (null when unknown)',
  }),
  { name: 'genres', type: 'VARCHAR[]', description: 'Kaggle genres of the track (a Kaggle track id can carry several genres); empty when not in Kaggle' },
  { name: 'kaggle_popularity', type: 'INTEGER', description: 'Spotify popularity 0-100 of the matched Kaggle track (as the data set recorded it); null when the play matched no Kaggle track' },
];

const spec = defineTable({
  layer: 'silver',
  name: 'listening_with_features',
  grainSentence: 'one row per distinct music listening event (listener, played_at, track)',
  grain: ['listener_id', 'event_id'],
  description:
    'Music listening events of every listener joined with audio features from one source each (Spotify API > Kaggle > synthetic > none), with provenance and time dimensions in the listener\'s time zone.',
  columns,
  inputs: ['bronze.listening_history', 'bronze.listeners', 'bronze.kaggle_tracks', 'bronze.track_features_api', 'bronze.track_features_synthetic'],
  orderBy: 'listener_id, played_at, event_id',
});
export default spec;

/** Plays per part of silver for each GiB of DuckDB's memory limit (see silverParts). */
export const PLAYS_PER_GIB = 1_000_000;

/** DuckDB's memory limit in bytes (the setting reads e.g. "1.8 GiB"). */
export async function memoryLimitBytes(ctx: BuildContext): Promise<number> {
  const [{ v }] = await queryRows<{ v: string }>(ctx.conn, "select current_setting('memory_limit') as v");
  const m = /^([\d.]+)\s*(bytes|[KMGT]i?B)$/i.exec(v.trim());
  if (!m) return Number.POSITIVE_INFINITY;
  const unit = m[2].toUpperCase();
  const power = 'BKMGT'.indexOf(unit[0] === 'B' ? 'B' : unit[0]);
  return Number(m[1]) * (unit.includes('I') ? 1024 : 1000) ** power;
}

/**
 * Groups of listeners (in listener_id order) with at most `playsPerPart` plays each, or one group
 * when everything fits. Silver's windows sort every play of a listener; past memory they spill to
 * disk (10M plays in 2 GB: 205 s whole, 4 x 35 s in four groups). Every rule of silver is per
 * listener, so the groups' rows together are exactly the whole statement's.
 */
export async function silverParts(ctx: BuildContext, playsPerPart: number): Promise<string[][]> {
  return groupsByPlays(await queryRows<{ listener_id: string; n: number }>(ctx.conn,
    "select listener_id, count(*)::double as n from bronze.listening_history where content_type = 'track' group by listener_id order by listener_id"), playsPerPart);
}

/** Listeners (in listener_id order, with their plays) cut into groups of at most `playsPerPart` plays; a listener is never split. */
export function groupsByPlays(counts: readonly { listener_id: string; n: number }[], playsPerPart: number): string[][] {
  const groups: string[][] = [];
  let size = Number.POSITIVE_INFINITY;
  for (const { listener_id, n } of counts) {
    if (size + Number(n) > playsPerPart && (groups.length === 0 || groups[groups.length - 1].length > 0)) {
      groups.push([]);
      size = 0;
    }
    groups[groups.length - 1].push(listener_id);
    size += Number(n);
  }
  return groups.length > 0 ? groups : [[]];
}

/** Builds silver from the current bronze tables, in the caller's transaction. */
export async function buildSilver(ctx: BuildContext, opts: { playsPerPart?: number } = {}): Promise<TableVersionMeta> {
  const has = (t: string) => relationExists(ctx.conn, 'bronze', t);
  for (const t of ['listening_history', 'listeners']) {
    if (!(await has(t))) throw new StageError('build silver', `bronze.${t} does not exist yet: import listening history first (lakehouse ingest export …)`);
  }
  const inputs = {
    hasApiFeatures: await has('track_features_api'),
    hasSynthetic: await has('track_features_synthetic'),
    hasKaggle: await has('kaggle_tracks'),
    allowSynthetic: ctx.config.allowSynthetic,
    // Under --study only the study's plays are built; the other listeners' rows are carried over.
    scopeTable: ctx.tx.scope?.table,
  };
  if (!inputs.hasKaggle) ctx.log.warn('bronze.kaggle_tracks does not exist: no Kaggle features (lakehouse ingest kaggle …)');
  // Parts are DuckDB's: another engine computes the whole statement, and a scope is one group already.
  const byDuckDB = !ctx.tx.remote;
  const from = byDuckDB ? undefined : await remoteIntermediates(ctx, inputs);
  return withListenerGroups(ctx, 'silver', byDuckDB && !inputs.scopeTable, opts.playsPerPart, async (groups) => {
    // Every join of silver has the plays on its probe side and a smaller relation to build. DuckDB
    // estimates the plays of a group or study at a 30th of their number and then built its hash
    // tables on the plays (out of memory at 2.5M plays in 2 GB): keep the sides as written.
    if (byDuckDB) await ctx.conn.run("set disabled_optimizers = 'build_side_probe_side'");
    try {
      return await ctx.tx.write(spec, {
        sql: silverSql(inputs, from),
        parts: groups.length > 0 ? groups.map((group) => silverSql({ ...inputs, group })) : undefined,
        orderBy: spec.orderBy,
        portable: !inputs.scopeTable,
        inputs: spec.inputs.filter((t) => t !== 'bronze.track_features_synthetic' || (inputs.allowSynthetic && inputs.hasSynthetic)),
      });
    } finally {
      if (byDuckDB) await ctx.conn.run('reset disabled_optimizers');
    }
  });
}

/**
 * For another engine (Trino): the relations the statement would reference several times, computed
 * once each first. Trino inlines a CTE at every reference (DuckDB materialises it): the dedup keys,
 * read by nine relations of the dedup rules, all twice over (the ordered plays feed two branches),
 * made one statement of 81 stages that scanned bronze.listening_history 41 times; on the demo lake it
 * took 34 s to plan and run, for 6,080 plays. The name keys (a chain of regular expressions per
 * distinct name) and the Kaggle features (three references) are computed once too.
 */
async function remoteIntermediates(ctx: BuildContext, inputs: SilverInputs): Promise<SilverIntermediates> {
  // Side by side: each is a small statement that keeps the cluster waiting on its stages more than
  // working. All settle before a failure is thrown (an abort must not race a statement still running).
  const settled = await Promise.allSettled([
    ctx.tx.scratch('silver_dedup_keys', silverDedupKeysSql(inputs)).then(() => ctx.tx.scratch('silver_superseded', silverSupersededSql('temp.silver_dedup_keys'))),
    ctx.tx.scratch('silver_names', silverNamesSql(inputs)),
    inputs.hasKaggle ? ctx.tx.scratch('silver_kaggle', silverKaggleSql()) : undefined,
  ]);
  for (const r of settled) if (r.status === 'rejected') throw r.reason;
  return { superseded: 'temp.silver_superseded', names: 'temp.silver_names', kaggle: inputs.hasKaggle ? 'temp.silver_kaggle' : undefined };
}

/**
 * Runs `write` with the listener groups (silverParts; none when everything fits or `enabled` is
 * false). Silver and its sessions are built per group by DuckDB when the plays exceed the memory
 * budget (PLAYS_PER_GIB per GiB of DuckDB's memory limit, or `playsPerPart`).
 */
export async function withListenerGroups<T>(ctx: BuildContext, prefix: string, enabled: boolean, playsPerPart: number | undefined,
  write: (groups: ListenerGroup[]) => Promise<T>): Promise<T> {
  const budget = playsPerPart ?? Math.max(100_000, Math.floor((await memoryLimitBytes(ctx)) / 2 ** 30 * PLAYS_PER_GIB));
  const groups = enabled ? await silverParts(ctx, budget) : [[]];
  const parts = groups.length > 1 ? groups.map((ids) => ({ lo: ids[0], hi: ids[ids.length - 1] })) : [];
  if (parts.length > 0) ctx.log.info(`${prefix}: ${parts.length} groups of listeners of at most ${budget} plays each (a listener's plays are never split)`);
  return write(parts);
}
