import type { Command } from 'commander';
import { cliFor, printJson, verb } from '../app.ts';
import { io } from '../output.ts';
import { withWriter } from '../../lib/session.ts';
import { ingestKaggle } from '../../ingestion/kaggle/ingest.ts';
import { ingestExports } from '../../ingestion/exports/ingest.ts';
import { checkListenerId, checkTimeZone } from '../../bronze/listener-registry.ts';

export function register(program: Command): void {
  const ingest = verb(program, 'ingest', 'load a source into bronze (append-only, deduplicated; rejects go to bronze.rejected_rows)');

  ingest
    .command('kaggle')
    .description('load the Kaggle Spotify Tracks CSV into bronze.kaggle_tracks')
    .argument('<csv>', 'path to dataset.csv')
    .action(async function (this: Command, csv: string) {
      const { config, log, opts } = cliFor(this);
      const summary = await withWriter(config, log, 'ingest kaggle', async (s) => {
        const tx = s.begin();
        const result = await ingestKaggle(s.context(tx), csv);
        await tx.commit();
        return result;
      });
      log.info(summary, `kaggle: ${summary.rows_added} rows added, ${summary.rows_rejected} rejected`);
      if (opts.json) printJson(summary);
      else io.out(`${summary.file}: ${summary.rows_read} rows read, ${summary.rows_added} added, ${summary.rows_rejected} rejected (see bronze.rejected_rows)\n`);
    });

  ingest
    .command('export')
    .description('load Spotify privacy-export JSON files (extended, legacy endsong, account data) of one listener')
    .argument('<paths...>', 'export files or folders (searched recursively for .json)')
    .requiredOption('--listener <id>', 'pseudonymous listener id')
    .option('--timezone <zone>', 'IANA time zone of a new listener (default $LAKEHOUSE_TIMEZONE)')
    .addHelpText('after', '\nExample:\n  $ lakehouse ingest export ~/Downloads/my_spotify_data --listener p01 --timezone Europe/Berlin')
    .action(async function (this: Command, paths: string[], o: { listener: string; timezone?: string }) {
      const { config, log, opts } = cliFor(this);
      const listener = checkListenerId(o.listener);
      const timezone = o.timezone ? checkTimeZone(o.timezone) : undefined;
      const summary = await withWriter(config, log, 'ingest export', async (s) => {
        const tx = s.begin();
        const result = await ingestExports(s.context(tx), paths, listener, timezone);
        await tx.commit();
        return result;
      });
      log.info({ listener, added: summary.rows_added, rejected: summary.rows_rejected }, 'export imported');
      if (opts.json) printJson(summary);
      else {
        for (const f of summary.files) io.out(`${f.file}: ${f.format}, ${f.records} records, ${f.rejected} rejected\n`);
        io.out(`${listener}: ${summary.rows_added} plays added, ${summary.duplicates_skipped} already stored, ${summary.rows_rejected} rejected\n`);
      }
    });
}
