// What every verb shares: the global options, the config and logger built from them, and the
// printing helpers (data to stdout, logs to stderr).
import type { Command } from 'commander';
import { loadConfig, type Config, type ConfigOverrides } from '../lib/config.ts';
import { createLogger, type Logger } from '../lib/logger.ts';
import { io } from './output.ts';

export interface GlobalOptions {
  dataDir?: string;
  json?: boolean;
  quiet?: boolean;
}

export interface Cli {
  opts: GlobalOptions;
  config: Config;
  log: Logger;
}

/** Builds config and logger for a verb; call inside the action. */
export function cliFor(cmd: Command, overrides: ConfigOverrides = {}): Cli {
  const opts = cmd.optsWithGlobals() as GlobalOptions;
  const config = loadConfig({ dataDir: opts.dataDir, ...overrides });
  const level = opts.quiet ? 'warn' : config.logLevel;
  return { opts, config, log: createLogger(level) };
}

export function printJson(value: unknown): void {
  io.out(`${JSON.stringify(value, null, 2)}\n`);
}

/** An aligned text table (stdout). */
export function printTable(rows: Record<string, unknown>[], columns?: string[]): void {
  const cols = columns ?? (rows.length > 0 ? Object.keys(rows[0]) : []);
  if (cols.length === 0) {
    io.out('(no rows)\n');
    return;
  }
  const cell = (v: unknown) => (v === null || v === undefined ? 'NULL' : typeof v === 'object' ? JSON.stringify(v) : String(v));
  const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (vals: string[]) => vals.map((v, i) => v.padEnd(widths[i])).join('  ').trimEnd();
  const out = [line(cols), line(widths.map((w) => '-'.repeat(w))), ...rows.map((r) => line(cols.map((c) => cell(r[c]))))];
  io.out(`${out.join('\n')}\n(${rows.length} row${rows.length === 1 ? '' : 's'})\n`);
}

/**
 * The top-level verb `name`, created if no other command file has created it yet. Verbs with
 * subcommands in several files (ingest, build) use this, so load order does not matter.
 */
export function verb(program: Command, name: string, description: string): Command {
  const existing = program.commands.find((c) => c.name() === name);
  if (existing) {
    if (!existing.description()) existing.description(description);
    return existing;
  }
  return program.command(name).description(description);
}
