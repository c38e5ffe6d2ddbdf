import type { Command } from 'commander';
import { cliFor, printJson, printTable } from '../app.ts';
import { io } from '../output.ts';
import { executeRun, RunFailedError } from '../../pipeline/run.ts';

export function register(program: Command): void {
  program
    .command('run')
    .description('run every pipeline stage in order: ingest (demo data with --demo), synthetic, silver, gold')
    .option('--demo', 'generate a deterministic demo data set (no credentials, no network) and build everything from it')
    .addHelpText('after', '\nExamples:\n  $ lakehouse run --demo\n  $ lakehouse run --data-dir /srv/lake')
    .action(async function (this: Command, o: { demo?: boolean }) {
      const { config, log, opts } = cliFor(this);
      const summary = await executeRun(config, log, { demo: o.demo, trigger: 'cli' });
      // The summary is printed for failed runs too: it says which stage failed and what was kept.
      if (opts.json) printJson(summary);
      else {
        io.err(`run ${summary.run_id}: ${summary.status}, ${summary.stages.length} stages\n`);
        printTable(summary.tables, ['layer', 'table', 'rows', 'version', 'path']);
      }
      if (summary.status !== 'succeeded') throw new RunFailedError(summary);
    });
}
