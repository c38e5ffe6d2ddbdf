// Building a report file: opens the lake through one reader session, renders, writes the HTML
// (mode 0600: a report holds personal listening data) or returns it for stdout.
import { renameSync, writeFileSync } from 'node:fs';
import type { Config } from '../lib/config.ts';
import type { Logger } from '../lib/logger.ts';
import { withReader } from '../lib/session.ts';
import pkg from '../package.json' with { type: 'json' };
import { ReportLake } from './lake-data.ts';
import { buildStudyReport, type BuiltReport } from './study.ts';
import { buildListenerReport } from './listener.ts';

export type { BuiltReport };

export type ReportRequest = { kind: 'study'; study?: string } | { kind: 'listener'; listener: string };

export async function buildReport(config: Config, log: Logger, req: ReportRequest, generatedAt = new Date()): Promise<BuiltReport> {
  return withReader(config, log, async (s) => {
    const lake = await ReportLake.open(s.conn, config.dataDir);
    const opts = { generatedAt, version: pkg.version };
    return req.kind === 'study' ? buildStudyReport(lake, { ...opts, study: req.study }) : buildListenerReport(lake, { ...opts, listener: req.listener });
  });
}

/** Writes the file whole or not at all (a temp file renamed into place). */
export function writeReport(file: string, html: string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, html, { mode: 0o600 });
  renameSync(tmp, file);
}
