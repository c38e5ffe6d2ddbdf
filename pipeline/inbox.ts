// The export inbox: a Spotify download (files, folders or a .zip, as it comes) dropped into
// <dataDir>/inbox/<listener>/ is imported by the next run, one transaction per listener. Histories
// are recognised by content (ingestion/exports/discover.ts). Once the transaction is committed the
// imported files are deleted and only a manifest is kept: <dataDir>/processed/<listener>/<run>/
// manifest.json (name, sha256, size, imported at, row counts), never the exports themselves, which
// carry IP addresses, usernames and user agents. Files that are not a listening history
// (Userdata.json, Playlist1.json, PDFs, …) are never imported, moved or kept: they are deleted from
// the inbox after the listener's histories were imported. A structurally broken history is moved to
// <dataDir>/failed/<listener>/<run>/ with a <file>.error.txt beside it, and the listener's other
// histories are imported without it. Any other failure leaves the files where they are.
import { chmodSync, closeSync, copyFileSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import type { LakeSession } from '../lib/session.ts';
import { InputFileError, errorMessage } from '../lib/errors.ts';
import { fileSha256 } from '../lib/files.ts';
import { readListeners } from '../bronze/listener-registry.ts';
import { isListenerId, listenerIdProblem } from '../lib/listener-id.ts';
import { classifyHead, discoverExports, readdressError, type ExportDiscovery, type FoundHistory, type SkippedFile } from '../ingestion/exports/discover.ts';
import type { ExportIngestSummary } from '../ingestion/exports/ingest.ts';
import { ingestExportStage, type StageResult } from './stages.ts';

export interface InboxFile {
  listener_id: string;
  /** Path inside inbox/<listener>/ (a zip entry as <archive>/<entry>). */
  file: string;
  status: 'imported' | 'failed' | 'skipped';
  /** imported: the manifest that records it; failed: where the file was moved. */
  moved_to?: string;
  error?: string;
  /** skipped: why it is not a listening history (the file was deleted from the inbox). */
  reason?: string;
}

export interface InboxProblem {
  /** Path relative to inbox/ (folders end in /). */
  entry: string;
  /** The rule it breaks. */
  rule: string;
}

export interface InboxSummary {
  files: InboxFile[];
  imported: number;
  failed_files: number;
  /** Files that are not a listening history, deleted after the listener's histories were imported. */
  skipped_deleted: number;
  /** Listeners whose import failed for a reason other than a broken file; their files stay in the inbox. */
  listeners_failed: { listener_id: string; error: string }[];
  rows_added: number;
  waiting: number;
  /** Inbox entries that are not in a valid listener folder: left alone, reported as a warning. */
  ignored: InboxProblem[];
  /** Listeners this run registered, with the zone they got: given, or defaulted to LAKEHOUSE_TIMEZONE. */
  new_listeners: { listener_id: string; timezone: string; timezone_source: 'given' | 'default' | 'file' | null }[];
}

export interface InboxOptions {
  /** Files modified less than this long ago may still be being copied: left for the next run. */
  settleMs?: number;
  now?: number;
  /** Only these listeners' folders (run --study); the others are left for a later run. */
  only?: (listener: string) => boolean;
}

export interface ProcessedManifest {
  listener_id: string;
  run_id: string;
  imported_at: string;
  rows_added: number;
  duplicates_skipped: number;
  rows_rejected: number;
  files: { file: string; sha256: string; bytes: number; format: string | null; records: number | null; rejected: number | null; archive?: string }[];
  archives: { file: string; sha256: string; bytes: number }[];
  /** Names only: what was deleted as not a listening history. */
  not_history_deleted: { file: string; reason: string }[];
}

export const inboxDir = (dataDir: string) => join(dataDir, 'inbox');

function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...listFiles(p));
    else out.push(p);
  }
  return out;
}

/** Inbox entries that no listener folder holds: folders named against the id rule, loose files. */
export function inboxProblems(dataDir: string): InboxProblem[] {
  const root = inboxDir(dataDir);
  if (!existsSync(root)) return [];
  const out: InboxProblem[] = [];
  for (const name of readdirSync(root).sort()) {
    if (name.startsWith('.')) continue;
    if (!statSync(join(root, name)).isDirectory()) {
      out.push({ entry: name, rule: 'files belong in a listener folder: inbox/<listener>/<file>' });
      continue;
    }
    const problem = listenerIdProblem(name);
    if (problem) out.push({ entry: `${name}/`, rule: `the folder name is not a valid listener id: ${problem}` });
  }
  return out;
}

/** Listener folders with settled files, in name order. */
export function pendingInbox(dataDir: string, opts: InboxOptions = {}): { listener: string; files: string[]; waiting: number }[] {
  const root = inboxDir(dataDir);
  if (!existsSync(root)) return [];
  const now = opts.now ?? Date.now();
  const settle = opts.settleMs ?? 5000;
  return readdirSync(root).sort()
    .filter((l) => !l.startsWith('.') && isListenerId(l) && statSync(join(root, l)).isDirectory() && (!opts.only || opts.only(l)))
    .map((listener) => {
      const all = listFiles(join(root, listener));
      const files = all.filter((f) => now - statSync(f).mtimeMs >= settle);
      return { listener, files, waiting: all.length - files.length };
    })
    .filter((p) => p.files.length > 0 || p.waiting > 0);
}

/** Moves (or, for a zip entry's temp copy, copies) a refused history to failed/<listener>/<run>/. */
function setAside(dataDir: string, listener: string, runId: string, h: FoundHistory): string {
  const rel = h.path === h.origin ? relative(join(inboxDir(dataDir), listener), h.path) : relative(join(inboxDir(dataDir), listener), h.origin) + h.display.slice(h.display.indexOf('/'));
  const target = join(dataDir, 'failed', listener, runId, rel);
  mkdirSync(dirname(target), { recursive: true });
  if (h.path === h.origin) renameSync(h.path, target);
  else copyFileSync(h.path, target);
  chmodSync(target, 0o600);
  return target;
}

/** Removes folders a dropped export folder leaves behind once its files are gone (not `dir` itself). */
function pruneEmptyFolders(dir: string): void {
  for (const name of existsSync(dir) ? readdirSync(dir) : []) {
    const p = join(dir, name);
    if (!statSync(p).isDirectory()) continue;
    pruneEmptyFolders(p);
    if (readdirSync(p).length === 0) rmdirSync(p);
  }
}

async function writeManifest(session: LakeSession, listener: string, found: ExportDiscovery, imported: FoundHistory[], detail: ExportIngestSummary | undefined, skippedName: (s: SkippedFile) => string): Promise<string> {
  const { dataDir } = session.config;
  const base = join(inboxDir(dataDir), listener);
  const files: ProcessedManifest['files'] = [];
  for (const [i, h] of imported.entries()) {
    const f = detail?.files[i];
    const inArchive = h.path !== h.origin;
    files.push({
      file: inArchive ? `${relative(base, h.origin)}${h.display.slice(h.display.indexOf('/'))}` : relative(base, h.path),
      sha256: await fileSha256(h.path), bytes: statSync(h.path).size,
      format: f?.format ?? null, records: f?.records ?? null, rejected: f?.rejected ?? null,
      ...(inArchive ? { archive: relative(base, h.origin) } : {}),
    });
  }
  const archives: ProcessedManifest['archives'] = [];
  for (const a of found.archives) archives.push({ file: relative(base, a), sha256: await fileSha256(a), bytes: statSync(a).size });
  const manifest: ProcessedManifest = {
    listener_id: listener, run_id: session.runId, imported_at: new Date().toISOString(),
    rows_added: detail?.rows_added ?? 0, duplicates_skipped: detail?.duplicates_skipped ?? 0, rows_rejected: detail?.rows_rejected ?? 0,
    files, archives, not_history_deleted: found.skipped.map((s) => ({ file: skippedName(s), reason: s.reason })),
  };
  const target = join(dataDir, 'processed', listener, session.runId, 'manifest.json');
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
  return target;
}

/** Imports one listener's histories; a broken one is set aside and the rest retried. */
async function importListener(session: LakeSession, listener: string, found: ExportDiscovery, out: InboxSummary, results: StageResult[]): Promise<void> {
  const { dataDir } = session.config;
  const base = join(inboxDir(dataDir), listener);
  const shown = (h: FoundHistory) => (h.path === h.origin ? relative(base, h.path) : `${relative(base, h.origin)}${h.display.slice(h.display.indexOf('/'))}`);
  const skippedName = (s: SkippedFile) => (found.archives.includes(s.origin) ? `${relative(base, s.origin)}${s.file.slice(s.file.indexOf('/'))}` : relative(base, s.origin));
  let todo = [...found.histories];
  let detail: ExportIngestSummary | undefined;
  while (todo.length > 0) {
    try {
      const result = await ingestExportStage(session, todo.map((h) => h.path), listener);
      results.push(result);
      detail = result.detail;
      break;
    } catch (err) {
      const bad = err instanceof InputFileError ? todo.find((h) => h.path === err.file) : undefined;
      if (!bad) throw err;
      const message = errorMessage(readdressError(err, found)).replace(bad.path, shown(bad));
      const movedTo = setAside(dataDir, listener, session.runId, bad);
      writeFileSync(`${movedTo}.error.txt`, `${message}\n`);
      out.files.push({ listener_id: listener, file: shown(bad), status: 'failed', moved_to: movedTo, error: message });
      out.failed_files++;
      session.log.error({ listener, file: shown(bad), moved_to: movedTo, error: message }, 'inbox file refused; moved to failed/');
      todo = todo.filter((h) => h !== bad);
    }
  }
  // Committed (or nothing left to import): keep a manifest, then delete what was dropped.
  if (todo.length > 0 || found.archives.length > 0) {
    const manifest = await writeManifest(session, listener, found, todo, detail, skippedName);
    for (const h of todo) out.files.push({ listener_id: listener, file: shown(h), status: 'imported', moved_to: manifest });
    out.imported += todo.length;
    out.rows_added += detail?.rows_added ?? 0;
    if (detail?.new_listener) out.new_listeners.push({ listener_id: listener, timezone: detail.timezone, timezone_source: detail.timezone_source });
    session.log.info({ listener, files: todo.length, rows_added: detail?.rows_added, manifest }, 'inbox histories imported; kept as a manifest in processed/');
  }
  for (const h of todo) if (h.path === h.origin) rmSync(h.path, { force: true });
  for (const a of found.archives) rmSync(a, { force: true });
  const notHistory = found.skipped.filter((s) => !found.archives.includes(s.origin));
  for (const s of notHistory) rmSync(s.origin, { force: true });
  for (const s of found.skipped) out.files.push({ listener_id: listener, file: skippedName(s), status: 'skipped', reason: s.reason });
  out.skipped_deleted += found.skipped.length;
  if (found.skipped.length > 0) {
    session.log.info({ listener, files: found.skipped.map((s) => `${skippedName(s)} (${s.reason})`) }, `inbox: deleted ${found.skipped.length} file(s) that are not a listening history, without reading or keeping them`);
  }
}

/**
 * Brings processed/ and failed/ of lakes written before this version in line: exports kept in
 * processed/ become manifest entries (name, sha256, size, their time as imported_at) and are deleted;
 * files in failed/ that are not a listening history are deleted with their error note.
 */
export async function tidyInboxAreas(dataDir: string): Promise<{ processed_copies_removed: number; failed_non_history_removed: number }> {
  const out = { processed_copies_removed: 0, failed_non_history_removed: 0 };
  const processed = join(dataDir, 'processed');
  for (const listener of existsSync(processed) ? readdirSync(processed) : []) {
    for (const run of statSync(join(processed, listener)).isDirectory() ? readdirSync(join(processed, listener)) : []) {
      const dir = join(processed, listener, run);
      if (!statSync(dir).isDirectory()) continue;
      const copies = allFilesIn(dir).filter((f) => f !== join(dir, 'manifest.json'));
      if (copies.length === 0) continue;
      const manifestPath = join(dir, 'manifest.json');
      const manifest = (existsSync(manifestPath) ? JSON.parse(readFileSync(manifestPath, 'utf8')) : {
        listener_id: listener, run_id: run, imported_at: null, rows_added: null, duplicates_skipped: null, rows_rejected: null, files: [], archives: [], not_history_deleted: [],
      }) as ProcessedManifest & { converted_from_copies?: boolean };
      for (const f of copies) {
        const st = statSync(f);
        manifest.files.push({ file: relative(dir, f), sha256: await fileSha256(f), bytes: st.size, format: null, records: null, rejected: null });
        manifest.imported_at ??= st.mtime.toISOString();
      }
      manifest.converted_from_copies = true;
      writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
      for (const f of copies) rmSync(f);
      pruneEmptyFolders(dir);
      out.processed_copies_removed += copies.length;
    }
  }
  const failed = join(dataDir, 'failed');
  if (existsSync(failed)) {
    for (const f of allFilesIn(failed).filter((x) => !x.endsWith('.error.txt'))) {
      const fd = openSync(f, 'r');
      const head = Buffer.alloc(256 * 1024);
      let n: number;
      try { n = readSync(fd, head, 0, head.length, 0); } finally { closeSync(fd); }
      if (classifyHead(head.subarray(0, n), n < head.length, basename(f)).kind !== 'skip') continue;
      rmSync(f);
      rmSync(`${f}.error.txt`, { force: true });
      out.failed_non_history_removed++;
    }
    pruneEmptyFolders(failed);
  }
  return out;
}

function allFilesIn(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? allFilesIn(p) : [p];
  });
}

/** Imports every listener's settled inbox files. One listener's failure does not stop the others. */
export async function importInbox(session: LakeSession, opts: InboxOptions = {}): Promise<{ summary: InboxSummary; results: StageResult[] }> {
  const summary: InboxSummary = { files: [], imported: 0, failed_files: 0, skipped_deleted: 0, listeners_failed: [], rows_added: 0, waiting: 0, ignored: inboxProblems(session.config.dataDir), new_listeners: [] };
  for (const p of summary.ignored) session.log.warn({ entry: p.entry, rule: p.rule }, `inbox/${p.entry} is not imported: ${p.rule}`);
  const results: StageResult[] = [];
  const inactive = new Set((await readListeners(session.conn)).filter((l) => l.status !== 'active').map((l) => l.listener_id));
  for (const { listener, files, waiting } of pendingInbox(session.config.dataDir, opts)) {
    summary.waiting += waiting;
    if (files.length === 0) continue;
    if (inactive.has(listener)) {
      session.log.warn({ listener, files: files.length }, 'inbox files of a paused or withdrawn listener are left in place');
      continue;
    }
    let found: ExportDiscovery | undefined;
    try {
      found = await discoverExports(files, { classifyGivenFiles: true });
      await importListener(session, listener, found, summary, results);
    } catch (err) {
      summary.listeners_failed.push({ listener_id: listener, error: errorMessage(err) });
      session.log.error({ listener, error: errorMessage(err) }, 'inbox import failed for listener; its files stay in the inbox');
    } finally {
      found?.cleanup();
    }
    pruneEmptyFolders(join(inboxDir(session.config.dataDir), listener));
  }
  return { summary, results };
}
