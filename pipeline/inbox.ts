// The export inbox: Spotify privacy-export files dropped into <dataDir>/inbox/<listener>/ are imported
// by the next run, one transaction per listener, and moved to <dataDir>/processed/<listener>/<run>/
// once that transaction is committed. A structurally broken file is moved to
// <dataDir>/failed/<listener>/<run>/ with a <file>.error.txt beside it, and the listener's other files
// are imported without it. Any other failure leaves the files where they are for the next run.
import { existsSync, mkdirSync, readdirSync, renameSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import type { LakeSession } from '../lib/session.ts';
import { InputFileError, errorMessage } from '../lib/errors.ts';
import { readListeners } from '../bronze/listener-registry.ts';
import { isListenerId } from '../lib/listener-id.ts';
import { ingestExportStage, type StageResult } from './stages.ts';

// Folders not named by a valid listener id (lib/listener-id.ts) are not listeners' and are left alone.

export interface InboxFile {
  listener_id: string;
  file: string;
  status: 'imported' | 'failed';
  moved_to: string;
  error?: string;
}

export interface InboxSummary {
  files: InboxFile[];
  imported: number;
  failed_files: number;
  /** Listeners whose import failed for a reason other than a broken file; their files stay in the inbox. */
  listeners_failed: { listener_id: string; error: string }[];
  rows_added: number;
  waiting: number;
}

export interface InboxOptions {
  /** Files modified less than this long ago may still be being copied: left for the next run. */
  settleMs?: number;
  now?: number;
}

export const inboxDir = (dataDir: string) => join(dataDir, 'inbox');

function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...listFiles(p));
    else if (name.toLowerCase().endsWith('.json')) out.push(p);
  }
  return out;
}

/** Listener folders with settled .json files, in name order. */
export function pendingInbox(dataDir: string, opts: InboxOptions = {}): { listener: string; files: string[]; waiting: number }[] {
  const root = inboxDir(dataDir);
  if (!existsSync(root)) return [];
  const now = opts.now ?? Date.now();
  const settle = opts.settleMs ?? 5000;
  return readdirSync(root).sort()
    .filter((l) => isListenerId(l) && statSync(join(root, l)).isDirectory())
    .map((listener) => {
      const all = listFiles(join(root, listener));
      const files = all.filter((f) => now - statSync(f).mtimeMs >= settle);
      return { listener, files, waiting: all.length - files.length };
    })
    .filter((p) => p.files.length > 0 || p.waiting > 0);
}

function moveTo(dataDir: string, area: 'processed' | 'failed', listener: string, runId: string, file: string): string {
  const target = join(dataDir, area, listener, runId, relative(join(inboxDir(dataDir), listener), file));
  mkdirSync(dirname(target), { recursive: true });
  renameSync(file, target);
  return target;
}

/** Removes folders a dropped export folder leaves behind once its files moved (not `dir` itself). */
function pruneEmptyFolders(dir: string): void {
  for (const name of existsSync(dir) ? readdirSync(dir) : []) {
    const p = join(dir, name);
    if (!statSync(p).isDirectory()) continue;
    pruneEmptyFolders(p);
    if (readdirSync(p).length === 0) rmdirSync(p);
  }
}

/** Imports one listener's files; a broken file is set aside and the rest retried. */
async function importListener(session: LakeSession, listener: string, files: string[], out: InboxSummary, results: StageResult[]): Promise<void> {
  const { dataDir } = session.config;
  let todo = [...files];
  while (todo.length > 0) {
    try {
      const result = await ingestExportStage(session, todo, listener);
      results.push(result);
      out.rows_added += result.detail?.rows_added ?? 0;
      for (const f of todo) out.files.push({ listener_id: listener, file: f, status: 'imported', moved_to: moveTo(dataDir, 'processed', listener, session.runId, f) });
      out.imported += todo.length;
      session.log.info({ listener, files: todo.length, rows_added: result.detail?.rows_added }, 'inbox files imported and moved to processed/');
      return;
    } catch (err) {
      const bad = err instanceof InputFileError ? todo.find((f) => f === err.file) : undefined;
      if (!bad) throw err;
      const movedTo = moveTo(dataDir, 'failed', listener, session.runId, bad);
      writeFileSync(`${movedTo}.error.txt`, `${errorMessage(err)}\n`);
      out.files.push({ listener_id: listener, file: bad, status: 'failed', moved_to: movedTo, error: errorMessage(err) });
      out.failed_files++;
      session.log.error({ listener, file: bad, moved_to: movedTo, error: errorMessage(err) }, 'inbox file refused; moved to failed/');
      todo = todo.filter((f) => f !== bad);
    }
  }
}

/** Imports every listener's settled inbox files. One listener's failure does not stop the others. */
export async function importInbox(session: LakeSession, opts: InboxOptions = {}): Promise<{ summary: InboxSummary; results: StageResult[] }> {
  const summary: InboxSummary = { files: [], imported: 0, failed_files: 0, listeners_failed: [], rows_added: 0, waiting: 0 };
  const results: StageResult[] = [];
  const inactive = new Set((await readListeners(session.conn)).filter((l) => l.status !== 'active').map((l) => l.listener_id));
  for (const { listener, files, waiting } of pendingInbox(session.config.dataDir, opts)) {
    summary.waiting += waiting;
    if (inactive.has(listener)) {
      session.log.warn({ listener, files: files.length }, 'inbox files of a paused or withdrawn listener are left in place');
      continue;
    }
    try {
      await importListener(session, listener, files, summary, results);
    } catch (err) {
      summary.listeners_failed.push({ listener_id: listener, error: errorMessage(err) });
      session.log.error({ listener, error: errorMessage(err) }, 'inbox import failed for listener; its files stay in the inbox');
    }
    pruneEmptyFolders(join(inboxDir(session.config.dataDir), listener));
  }
  return { summary, results };
}
