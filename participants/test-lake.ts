// Test support: a lake with two real listeners (exports from ../shared/data) in several versions,
// plus one file of every other kind the erasure must find (inbox, processed, failed, models, landed
// responses, tokens, cursor, demo inputs, spill files), and snapshots of every table version's rows.
import { linkSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../lib/config.ts';
import { silentLogger } from '../lib/logger.ts';
import { withWriter, type LakeSession } from '../lib/session.ts';
import { quoteLiteral, queryRows, type DuckDBConnection } from '../lib/duckdb.ts';
import { listVersions, tableDir, versionDirName } from '../lib/lake.ts';
import { historyDir, kaggleSample } from '../test/helpers.ts';
import { ingestExportStage, ingestKaggleStage, silverStage } from '../pipeline/stages.ts';
import { buildGold, GOLD_ROOT } from '../gold/build.ts';
import { tablesOnDisk, isDataPart } from './erase-tables.ts';

export const GONE = 'gone-q7x2v';
export const KEPT = 'kept-z4w9k';

/** A small ops table that names both listeners in free text, as run summaries do. */
async function writeOpsNotes(s: LakeSession): Promise<void> {
  const tx = s.begin();
  await tx.write({ layer: 'ops', name: 'test_notes' }, {
    sql: `select * from (values (null, 'run imported ${GONE}, ${KEPT}'), ('${GONE}', 'only ${GONE}'), ('${KEPT}', 'only ${KEPT}')) t(listener_id, note)`,
  });
  await tx.commit();
}

function writeFile(path: string, content: string): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, content);
}

/** Files outside the tables that hold the listener, and neighbours that must survive. */
function writeSideFiles(dataDir: string): void {
  const w = (rel: string, content: string) => writeFile(join(dataDir, rel), content);
  w(`inbox/${GONE}/Streaming_History_Audio_2030.json`, '[]');
  w(`processed/${GONE}/run-1/StreamingHistory_music_0.json`, '[]');
  w(`failed/${GONE}/run-1/broken.json`, '{');
  w(`processed/${KEPT}/run-1/StreamingHistory_music_0.json`, '[]');
  w(`raw/spotify/${GONE}/run-1/recently-played-0001.json`, '{"items":[]}');
  w(`state/spotify/${GONE}.json`, JSON.stringify({ listener_id: GONE }));
  w(`secrets/spotify/${GONE}.json`, JSON.stringify({ access_token: 'x' }));
  w(`models/mood/${GONE}/forest.json`, '{"trees":[]}');
  w('models/mood-pooled/v1/forest.json', '{"trees":[]}');
  w('models/mood-pooled/v1/meta.json', JSON.stringify({ fitted_on_listeners: [GONE, KEPT] }));
  w('models/catalog-energy/v1/meta.json', JSON.stringify({ fitted_on: 'kaggle_tracks' }));
  w(`_demo_input/exports/${GONE}/Streaming_History_Audio_2025.json`, '[]');
  w('_tmp/duckdb/duckdb_temp_storage-0.tmp', `spilled ${GONE}`);
}

/** Builds the lake: Kaggle, two listeners in separate transactions (shared hard-linked parts), silver twice, descriptive gold. */
export async function buildTwoListenerLake(config: Config): Promise<void> {
  // Small files of two real exports in two formats keep the build short: account data with podcasts, and extended history.
  const gone = ['StreamingHistory_music_2.json', 'StreamingHistory_podcast_0.json'].map((f) => join(historyDir, 'JUSTSUJAY__spotify_analysis', f));
  const kept = ['Streaming_History_Audio_2022.json', 'Streaming_History_Audio_2023.json'].map((f) => join(historyDir, 'Efrrowini__spotify-music-analysis', f));
  await withWriter(config, silentLogger, 'test', async (s) => {
    await ingestKaggleStage(s, kaggleSample);
    await ingestExportStage(s, gone, GONE, 'Asia/Kolkata');
    await silverStage(s);
    await ingestExportStage(s, kept, KEPT, 'Europe/Berlin');
    await silverStage(s);
    await buildGold(s, { root: join(GOLD_ROOT, 'descriptive') });
    await writeOpsNotes(s);
  });
  writeSideFiles(config.dataDir);
}

export interface Snapshot {
  /** "layer.table@version" -> sorted JSON rows that do not belong to GONE. */
  rows: Map<string, string[]>;
  /** "layer.table@version" -> rows belonging to GONE. */
  goneRows: Map<string, number>;
}

/** Every version of every table on disk, read back part by part with DuckDB. */
export async function snapshot(conn: DuckDBConnection, dataDir: string): Promise<Snapshot> {
  const snap: Snapshot = { rows: new Map(), goneRows: new Map() };
  for (const { layer, table } of tablesOnDisk(dataDir)) {
    for (const v of listVersions(dataDir, layer, table)) {
      const dir = join(tableDir(dataDir, layer, table), versionDirName(v));
      if (!readdirSync(dir).some(isDataPart)) continue;
      const rows = await queryRows<Record<string, unknown>>(conn, `select * from read_parquet(${quoteLiteral(join(dir, '*.parquet'))})`);
      const key = `${layer}.${table}@${v}`;
      snap.rows.set(key, rows.filter((r) => r.listener_id !== GONE).map((r) => JSON.stringify(r)).sort());
      snap.goneRows.set(key, rows.filter((r) => r.listener_id === GONE).length);
    }
  }
  return snap;
}

/** Links a part file somewhere else, to prove later that its inode was not modified in place. */
export function keepLink(from: string, to: string): void {
  linkSync(from, to);
}
