// The `lakehouse` CLI. This file only wires verbs together: every file in cli/commands/ exports
// register(program), found by listing the folder, so adding a verb is adding a file.
import { readdirSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Command, CommanderError } from 'commander';
import { LakehouseError, errorMessage } from '../lib/errors.ts';
import { io } from './output.ts';
import { MODULE_EXT } from '../lib/module-ext.ts';
import { packageVersion } from '../lib/version.ts';
import { exitCodeFor, installSignalHandlers, interruptedBy, restoreTerminal } from './interrupt.ts';

const started = Date.now();

/**
 * The verb files a call needs. A verb `x` lives in cli/commands/x.ts and x-*.ts (cli/lazy-load.test.ts
 * checks that no file registers any other verb), so a call whose first word names a verb loads only
 * those files: importing all of them cost a small query about 40 ms of CPU. Anything else (no verb,
 * an option first, `help`, a mistyped verb) loads every file, so help lists all verbs and commander
 * can still suggest the verb that was meant.
 */
export function verbFiles(files: readonly string[], argv?: readonly string[]): string[] {
  const word = argv?.[2];
  if (!word || word.startsWith('-')) return [...files];
  const own = files.filter((f) => {
    const stem = f.slice(0, -MODULE_EXT.length);
    return stem === word || stem.startsWith(`${word}-`);
  });
  return own.length > 0 ? own : [...files];
}

/** The program with every verb, or with only the verb argv names (see verbFiles). */
export async function buildProgram(argv?: readonly string[]): Promise<Command> {
  const program = new Command('lakehouse')
    .description('A medallion lakehouse for music-listening research (bronze/silver/gold Parquet on DuckDB, served by Trino).')
    .version(packageVersion(), '-V, --version', 'print the version of lakehouse')
    .option('--data-dir <dir>', 'lake folder (default $LAKEHOUSE_DATA_DIR, else ./data)')
    .option('--json', 'machine-readable output on stdout')
    .option('-q, --quiet', 'only warnings and errors on stderr')
    .option('-v, --verbose', 'debug logs on stderr (on a terminal, shown above the progress view)')
    .option('--log-format <format>', 'logs on stderr as pretty (default on a terminal: progress view) or json (default when piped)')
    .showHelpAfterError()
    .configureHelp({ showGlobalOptions: true })
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    .exitOverride()
    .addHelpText('after', `
Examples:
  $ lakehouse run --demo                         build everything from a generated demo data set
  $ lakehouse ingest kaggle dataset.csv          load the Kaggle Spotify Tracks CSV into bronze
  $ lakehouse ingest export ~/export --listener p01 --timezone Europe/Berlin
  $ lakehouse build silver                       rebuild silver from bronze
  $ lakehouse tables --json                      list tables with version, rows and build time
  $ lakehouse query "select * from gold.feature_source_coverage"

Exit codes: 0 success, 1 run failure, 2 usage error or missing input path, 130 interrupted (Ctrl-C).`);
  const dir = join(import.meta.dirname, 'commands');
  const files = readdirSync(dir).filter((f) => f.endsWith(MODULE_EXT) && !f.endsWith(`.test${MODULE_EXT}`)).sort();
  for (const f of verbFiles(files, argv)) {
    const mod = (await import(pathToFileURL(join(dir, f)).href)) as { register?: (p: Command) => void };
    mod.register?.(program);
  }
  const all = (c: Command): Command[] => [c, ...c.commands.flatMap(all)];
  for (const c of all(program).slice(1)) c.exitOverride();
  return program;
}

function reportRusage(): void {
  const file = process.env.LAKEHOUSE_RUSAGE_FILE;
  if (!file) return;
  const u = process.resourceUsage();
  const line = { argv: process.argv.slice(2), wall_ms: Date.now() - started, max_rss_kb: u.maxRSS, user_ms: Math.round(u.userCPUTime / 1000), sys_ms: Math.round(u.systemCPUTime / 1000), compiled: MODULE_EXT === '.js' };
  appendFileSync(file, `${JSON.stringify(line)}\n`);
}

const VERSION_FLAGS = new Set(['--version', '-V']);

/**
 * Everything the CLI creates is private to its user: the data dir 0700, its files 0600 (the lake
 * holds personal listening data). Trino and Superset read it as the same user (uid 1000 in compose).
 */
export const PRIVATE_UMASK = 0o077;

export async function main(argv = process.argv): Promise<number> {
  // The version needs no verb: answer before importing them (the database binding alone takes ~0.3 s).
  if (argv.length === 3 && VERSION_FLAGS.has(argv[2])) {
    io.out(`${packageVersion()}\n`);
    return 0;
  }
  process.umask(PRIVATE_UMASK);
  try {
    const program = await buildProgram(argv);
    await program.parseAsync(argv);
    return process.exitCode === undefined ? 0 : Number(process.exitCode);
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help' || err.exitCode === 0) return 0;
      return 2;
    }
    const signal = interruptedBy();
    if (signal) {
      io.err(`error: ${errorMessage(err)}\n`);
      return exitCodeFor(signal);
    }
    const code = err instanceof LakehouseError ? err.exitCode : 1;
    io.err(`error: ${errorMessage(err)}\n`);
    if (!(err instanceof LakehouseError) && process.env.LAKEHOUSE_DEBUG) io.err(`${(err as Error).stack}\n`);
    return code;
  }
}

/** The process entry (bin/lakehouse.js): runs the CLI, reports resource usage, exits with the code. */
export async function run(): Promise<void> {
  installSignalHandlers();
  const code = await main();
  restoreTerminal();
  reportRusage();
  process.exit(code);
}
