// `lakehouse listeners export <id> <dir>`: everything stored about one person, for an access
// request. Every current table with a listener_id column gives <layer>.<table>.csv with exactly the
// person's rows (the registry row included, label and all); files kept about them outside the
// tables (landed API responses, inbox/processed exports, per-listener models) are copied under
// files/; manifest.json lists what is there and what is deliberately not (tokens, older versions).
import { cpSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../lib/config.ts';
import type { Logger } from '../lib/logger.ts';
import { UsageError } from '../lib/errors.ts';
import { withReader, type LakeSession } from '../lib/session.ts';
import { listTables } from '../lib/lake.ts';
import { quoteIdent, quoteLiteral, queryRows } from '../lib/duckdb.ts';
import { checkErasableListenerId } from '../lib/listener-id.ts';
import { TokenStore } from '../ingestion/spotify/tokens.ts';
import { personalPaths, relativeTo } from './personal-files.ts';

export interface ExportedTable {
  table: string;
  version: number;
  rows: number;
  file: string;
}

export interface ListenerExport {
  listener_id: string;
  exported_at: string;
  dir: string;
  tables: ExportedTable[];
  files: { kind: string; from: string; to: string; files: number }[];
  not_included: string[];
}

const NOT_INCLUDED = [
  'Spotify OAuth tokens (secrets; they grant access to the account, so they are never copied)',
  'older kept versions of the tables (earlier states of the same rows)',
  'track catalog rows (Kaggle, Web API metadata and features, synthetic features): they describe tracks, not people',
  'aggregates without a listener id (ops tables: run and quality-check summaries)',
];

function checkTarget(dir: string): void {
  if (existsSync(dir) && readdirSync(dir).length > 0) throw new UsageError(`listeners export: ${dir} exists and is not empty; give a new or empty folder`);
  mkdirSync(dir, { recursive: true });
}

async function exportTables(s: LakeSession, id: string, dir: string): Promise<ExportedTable[]> {
  const out: ExportedTable[] = [];
  for (const meta of listTables(s.config.dataDir)) {
    if (!meta.columns.some((c) => c.name === 'listener_id')) continue;
    const rel = `${quoteIdent(meta.layer)}.${quoteIdent(meta.table)}`;
    const [{ n }] = await queryRows<{ n: number }>(s.conn, `select count(*)::double as n from ${rel} where listener_id = $id`, { id });
    if (Number(n) === 0) continue;
    const file = `${meta.layer}.${meta.table}.csv`;
    await s.conn.run(`copy (select * from ${rel} where listener_id = $id) to ${quoteLiteral(join(dir, file))} (format csv, header true)`, { id });
    out.push({ table: `${meta.layer}.${meta.table}`, version: meta.version, rows: Number(n), file });
  }
  return out;
}

/** Writes the person's data to `dir` (new or empty). */
export async function exportListener(config: Config, log: Logger, listenerId: string, dir: string): Promise<ListenerExport> {
  const id = checkErasableListenerId(listenerId);
  return withReader(config, log, async (s) => {
    const tokenFile = TokenStore.fromConfig(config).fileFor(id, { erasable: true });
    const paths = personalPaths(config, id).filter((p) => p.path !== tokenFile);
    const tablesFound = await countListenerRows(s, id);
    if (tablesFound === 0 && paths.length === 0) throw new UsageError(`listeners export: nothing is stored about ${id}`);
    checkTarget(dir);
    const tables = await exportTables(s, id, dir);
    const files = paths.map((p) => {
      const rel = relativeTo(config.dataDir, p.path);
      const to = join('files', rel);
      cpSync(p.path, join(dir, to), { recursive: true });
      return { kind: p.kind, from: rel, to, files: p.files };
    });
    const result: ListenerExport = { listener_id: id, exported_at: new Date().toISOString(), dir, tables, files, not_included: NOT_INCLUDED };
    writeFileSync(join(dir, 'manifest.json'), `${JSON.stringify({ ...result, dir: undefined }, null, 2)}\n`);
    return result;
  });
}

async function countListenerRows(s: LakeSession, id: string): Promise<number> {
  let total = 0;
  for (const meta of listTables(s.config.dataDir)) {
    if (!meta.columns.some((c) => c.name === 'listener_id')) continue;
    const [{ n }] = await queryRows<{ n: number }>(s.conn, `select count(*)::double as n from ${quoteIdent(meta.layer)}.${quoteIdent(meta.table)} where listener_id = $id`, { id });
    total += Number(n);
  }
  return total;
}
