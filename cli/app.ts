// What every verb shares: the global options, the config and logger built from them, and the
// printing helpers (data to stdout, logs to stderr). Every verb file imports this one when the CLI
// starts, so it stays light: nothing here may load the database, the terminal view (ora) or a layer
// (cli/lazy-load.test.ts checks what `--help` loads).
import type { Command } from 'commander';
import { loadConfig, type Config, type ConfigOverrides } from '../lib/config.ts';
import { createLogger, type Logger } from '../lib/create-logger.ts';
import { UsageError } from '../lib/errors.ts';
import { requireDataDir } from '../lib/files.ts';
import { io } from './output.ts';
import type { TerminalView } from './terminal-view.ts';
import { emitProgress } from '../lib/progress.ts';
import { formatDuration } from '../pipeline/run-control.ts';

export interface GlobalOptions {
  dataDir?: string;
  json?: boolean;
  quiet?: boolean;
  verbose?: boolean;
  logFormat?: string;
}

export interface Cli {
  opts: GlobalOptions;
  config: Config;
  log: Logger;
  /** The progress view on a terminal (verbs that asked for one); null when piped, --json or --log-format json. */
  view: TerminalView | null;
}

const LOG_FORMATS = ['pretty', 'json'];

/** True when a person watches: stderr is a terminal and no machine format was asked for. */
export function wantsTerminalView(opts: GlobalOptions): boolean {
  return process.stderr.isTTY === true && !opts.json && opts.logFormat !== 'json';
}

/** Builds config and logger for a verb; call inside the action. */
export function cliFor(cmd: Command, overrides: ConfigOverrides = {}): Cli {
  return buildCli(cmd, overrides, null);
}

/**
 * cliFor for long writing verbs: a person at a terminal gets the progress view, which also shows the
 * logs (warnings always, everything with -v). The view is loaded only then.
 */
export async function cliWithView(cmd: Command, overrides: ConfigOverrides = {}): Promise<Cli> {
  const wanted = wantsTerminalView(cmd.optsWithGlobals() as GlobalOptions);
  return buildCli(cmd, overrides, wanted ? (await import('./terminal-view.ts')).TerminalView : null);
}

/** Verbs that read a lake mirrored to object storage (an s3:// --data-dir); every other verb needs a local one. */
const REMOTE_LAKE_VERBS = new Set(['query', 'tables', 'export']);

function buildCli(cmd: Command, overrides: ConfigOverrides, View: typeof TerminalView | null): Cli {
  const opts = cmd.optsWithGlobals() as GlobalOptions;
  if (opts.logFormat !== undefined && !LOG_FORMATS.includes(opts.logFormat)) {
    throw new UsageError(`--log-format ${opts.logFormat}: expected ${LOG_FORMATS.join(' or ')}`);
  }
  const config = loadConfig({ dataDir: opts.dataDir, ...overrides });
  if (/^s3:\/\//i.test(config.dataDir)) {
    const verb: string[] = [];
    for (let c: Command | null = cmd; c?.parent; c = c.parent) verb.unshift(c.name());
    if (!REMOTE_LAKE_VERBS.has(verb.join(' '))) {
      throw new UsageError(`${config.dataDir}: a lake on object storage is a mirror that only ${[...REMOTE_LAKE_VERBS].join(', ')} read; run \`${verb.join(' ')}\` on the local data dir (\`lakehouse mirror\` copies it to object storage)`);
    }
  }
  const level = opts.verbose ? 'debug' : opts.quiet ? 'warn' : config.logLevel;
  if (View && wantsTerminalView(opts)) {
    const view = new View(process.stderr, { verbose: opts.verbose === true });
    const viewLevel = opts.verbose ? 'debug' : config.logLevel === 'silent' ? 'silent' : 'warn';
    return withLazyLog({ opts, config, view }, () => createLogger(viewLevel, false, view.logSink));
  }
  const pretty = opts.logFormat ? opts.logFormat === 'pretty' : undefined;
  return withLazyLog({ opts, config, view: null }, () => createLogger(level, pretty));
}

/** The logger is created when a verb first reads `log` (a verb that never logs, like query, loads no pino). */
function withLazyLog(cli: Omit<Cli, 'log'>, create: () => Logger): Cli {
  let log: Logger | undefined;
  return Object.defineProperty(cli, 'log', { get: () => (log ??= create()), enumerable: true }) as Cli;
}

/**
 * Read-only verbs (query, tables, runs, status, export) call this first: a data dir that does not
 * exist is an error naming it (exit code 2), and reading never creates it.
 */
export function requireExistingDataDir(config: Config): void {
  requireDataDir(config.dataDir);
}

/** Data for stdout is still printed when the view is on but stdout goes to a file or a pipe. */
export function viewReplacesData(cli: Pick<Cli, 'view'>): boolean {
  return cli.view !== null && process.stdout.isTTY === true;
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

/**
 * A writing verb's work under the terminal view, when there is one: a spinner named `stage`, a line
 * per table written (numbered when `plan` lists the tables), then a summary with every logged
 * warning. Without a view it only runs fn.
 */
export async function withProgress<T>(cli: Cli, title: string, stage: string, fn: () => Promise<T>, plan: string[] = []): Promise<T> {
  const view = cli.view;
  if (!view) return fn();
  view.start(title);
  if (plan.length > 0) emitProgress({ kind: 'plan', tables: plan });
  emitProgress({ kind: 'stage-start', stage });
  const started = Date.now();
  let ok = false;
  try {
    const result = await fn();
    ok = true;
    return result;
  } finally {
    emitProgress({ kind: 'stage-end', stage, ms: Date.now() - started, ok });
    view.stop();
    if (ok) view.summary({ ok, headline: `${stage} done in ${formatDuration(Date.now() - started)}`, notes: [`lake: ${cli.config.dataDir}`], next: ['lakehouse tables'] });
  }
}
