import type { Command } from 'commander';
import { cliFor, printJson } from '../app.ts';
import { stdoutSink } from '../output.ts';
import { UsageError } from '../../lib/errors.ts';

export function register(program: Command): void {
  program
    .command('export')
    .description('write a table (or one read-only query) as CSV, JSON, NDJSON or Parquet to a file or stdout, streaming')
    .argument('[table]', '<layer>.<table>, e.g. gold.temporal_trends')
    .option('--format <format>', 'csv, json (one array), ndjson or parquet (default: from --out\'s extension, else csv)')
    .option('--out <file>', 'write to this file (replaced atomically when complete); default stdout')
    .option('--where <sql>', 'keep only rows matching this SQL condition')
    .option('--sql <select>', 'export the result of this query instead of a table')
    .addHelpText('after', `
--where and --sql pass the same read-only guard as \`lakehouse query\`. Local wall-clock columns
(*_local) are written with the listener's UTC offset in CSV/JSON; Parquet keeps the column types.

Examples:
  $ lakehouse export gold.temporal_trends > temporal_trends.csv
  $ lakehouse export silver.listening_with_features --out plays.parquet --where "listener_id = 'p01'"
  $ lakehouse export --sql "select listener_id, count(*) as plays from silver.listening_with_features group by 1" --format json`)
    .action(async function (this: Command, table: string | undefined, opts: { format?: string; out?: string; where?: string; sql?: string }) {
      const { config, log, opts: g } = cliFor(this);
      const { runExport, exportFormat } = await import('../../lib/export.ts');
      if (exportFormat(opts.format, opts.out) === 'parquet' && !opts.out && process.stdout.isTTY) {
        throw new UsageError('export: Parquet is binary; give --out <file> or redirect stdout');
      }
      const result = await runExport(config, { table, ...opts }, stdoutSink());
      if (result.out) {
        if (g.json) printJson(result);
        else log.info({ rows: result.rows, format: result.format, out: result.out }, 'exported');
      }
    });
}
