import type { Command } from 'commander';
import { cliFor, printJson, verb } from '../app.ts';
import { io } from '../output.ts';
import { UsageError } from '../../lib/errors.ts';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { checkListenerId } from '../../lib/listener-id.ts';
import type { ExportBatch, ExportIngestSummary } from '../../ingestion/exports/ingest.ts';
import { checkStudyId } from '../../lib/study-id.ts';
import { isValidTimeZone } from '../../lib/config.ts';

/** `Europe/Berlin (given)` or `UTC (defaulted: LAKEHOUSE_TIMEZONE)`. */
function zoneNote(s: ExportIngestSummary): string {
  const how = s.timezone_source === 'default' ? 'defaulted: LAKEHOUSE_TIMEZONE; change it with `lakehouse listeners set`'
    : s.timezone_source === 'file' ? 'from the UTC offset in their Apple Music file; change it with `lakehouse listeners set`' : 'given';
  return `${s.timezone} (${how})`;
}

export function register(program: Command): void {
  const ingest = verb(program, 'ingest', 'load a source into bronze (append-only, deduplicated; rejects go to bronze.rejected_rows)');

  ingest
    .command('kaggle')
    .description('load the Kaggle Spotify Tracks CSV into bronze.kaggle_tracks')
    .argument('<csv>', 'path to dataset.csv')
    .addHelpText('after', '\nExamples:\n  $ lakehouse ingest kaggle ~/Downloads/dataset.csv\n  $ lakehouse ingest kaggle dataset.csv --json --data-dir ./study-lake')
    .action(async function (this: Command, csv: string) {
      const { config, log, opts } = cliFor(this);
      const [{ ingestKaggle }, { withWriter }] = await Promise.all([import('../../ingestion/kaggle/ingest.ts'), import('../../lib/session.ts')]);
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
    .command('lastfm')
    .description('load a listener\'s Last.fm scrobbles from the API (user.getrecenttracks, paged, from the stored cursor on; LASTFM_API_KEY)')
    .requiredOption('--listener <id>', 'pseudonymous listener id the scrobbles belong to')
    .option('--user <name>', 'Last.fm user name (stored with the listener; needed the first time)')
    .addHelpText('after', '\nExamples:\n  $ LASTFM_API_KEY=… lakehouse ingest lastfm --listener p07 --user some_scrobbler\n  $ lakehouse ingest lastfm --listener p07     # later runs: from the stored cursor on')
    .action(async function (this: Command, o: { listener: string; user?: string }) {
      const { config, log, opts } = cliFor(this);
      const listener = checkListenerId(o.listener, '--listener');
      const [{ ingestLastfm }, { withWriter }] = await Promise.all([import('../../ingestion/lastfm/api.ts'), import('../../lib/session.ts')]);
      const summary = await withWriter(config, log, 'ingest lastfm', (s) => ingestLastfm(s, config, { listener, user: o.user }));
      log.info({ listener, added: summary.rows_added, pages: summary.pages }, 'Last.fm scrobbles imported');
      if (opts.json) printJson(summary);
      else io.out(`${listener}: ${summary.pages} page(s), ${summary.tracks} entries, ${summary.rows_added} scrobbles added, ${summary.now_playing_skipped} now playing skipped, ${summary.rows_rejected} rejected\n`);
    });

  ingest
    .command('export')
    .description('load listening histories of one listener (Spotify privacy exports, Last.fm CSV/JSON, Apple Music CSVs, YouTube Music Takeout watch-history.json), or of many with --listener-dirs; takes the download as it is (folder or .zip) and skips what is not a listening history')
    .argument('<paths...>', 'export files, folders (searched recursively) or .zip archives (read in place)')
    .option('--listener <id>', 'pseudonymous listener id the files belong to')
    .option('--listener-dirs', 'each subfolder of the given folders is one listener, named like the folder')
    .option('--timezone <zone>', 'IANA time zone of new listeners (default $LAKEHOUSE_TIMEZONE)')
    .addHelpText('after', `
Examples:
  $ lakehouse ingest export ~/Downloads/my_spotify_data --listener p01 --timezone Europe/Berlin
  $ lakehouse ingest export ~/Downloads/my_spotify_data.zip --listener p02
  $ lakehouse ingest export ./study-exports --listener-dirs      # ./study-exports/p01/…, ./study-exports/p02/…
With --listener-dirs, an optional <folder>/listeners.csv (header: listener_id,timezone[,study_id]) gives
each new listener its time zone and study; --timezone is the fallback, the study defaults to 'default'. Files that are not a listening history
(Userdata.json, Playlist1.json, PDFs, …) are listed as skipped and never read further or stored.`)
    .action(async function (this: Command, paths: string[], o: { listener?: string; listenerDirs?: boolean; timezone?: string }) {
      const { config, log, opts } = cliFor(this);
      const [{ checkTimeZone }, { ingestExportBatches }, { skippedLines }, { withWriter }] = await Promise.all([
        import('../../bronze/listener-registry.ts'), import('../../ingestion/exports/ingest.ts'), import('../../ingestion/exports/discover.ts'), import('../../lib/session.ts'),
      ]);
      const timezone = o.timezone ? checkTimeZone(o.timezone) : undefined;
      const batches = await exportBatches(paths, o, timezone);
      const summaries = await withWriter(config, log, 'ingest export', async (s) => {
        const tx = s.begin();
        const result = await ingestExportBatches(s.context(tx), batches);
        await tx.commit();
        return result;
      });
      for (const summary of summaries) log.info({ listener: summary.listener_id, added: summary.rows_added, rejected: summary.rows_rejected }, 'export imported');
      if (opts.json) printJson(o.listenerDirs ? summaries : summaries[0]);
      else {
        for (const summary of summaries) {
          for (const f of summary.files) io.out(`${f.file}: ${f.format}, ${f.records} records, ${f.rejected} rejected${f.not_plays ? `, ${f.not_plays} no plays (${f.format === 'apple_daily_tracks' ? 'daily aggregates, kept in bronze.apple_music_daily_tracks' : 'not YouTube Music, not stored'})` : ''}\n`);
          for (const line of skippedLines(summary.skipped)) io.out(`${line}\n`);
          io.out(`${summary.listener_id}: ${summary.rows_added} plays added, ${summary.duplicates_skipped} already stored, ${summary.rows_rejected} rejected\n`);
          if (summary.new_listener) io.out(`${summary.listener_id}: new listener, time zone ${zoneNote(summary)}\n`);
        }
      }
      const defaulted = summaries.filter((s) => s.new_listener && s.timezone_source === 'default').map((s) => s.listener_id);
      if (defaulted.length > 0) log.warn({ listeners: defaulted, timezone: config.timezone }, `time zone not given for ${defaulted.join(', ')}: defaulted to ${config.timezone} (LAKEHOUSE_TIMEZONE); set it with \`lakehouse listeners set <id> --timezone <zone>\``);
    });
}

async function exportBatches(paths: string[], o: { listener?: string; listenerDirs?: boolean }, timezone: string | undefined): Promise<ExportBatch[]> {
  if (!!o.listener === !!o.listenerDirs) throw new UsageError('ingest export: give exactly one of --listener <id> or --listener-dirs');
  if (o.listener) return [{ listenerId: checkListenerId(o.listener, '--listener'), paths, timezone }];
  const batches: ExportBatch[] = [];
  for (const root of paths) {
    const manifest = await readListenerManifest(join(root, 'listeners.csv'));
    const dirs = readdirSync(root).filter((d) => statSync(join(root, d)).isDirectory()).sort();
    for (const d of dirs) {
      const given = manifest.get(d);
      batches.push({ listenerId: checkListenerId(d, `--listener-dirs folder ${join(root, d)}`), paths: [join(root, d)], timezone: given?.timezone ?? timezone, study: given?.study });
    }
  }
  if (batches.length === 0) throw new UsageError(`ingest export --listener-dirs: no subfolders in ${paths.join(', ')}`);
  return batches;
}

interface ManifestRow { timezone?: string; study?: string }

/**
 * listener_id → time zone and study from an optional listeners.csv beside the listeners' folders
 * (header listener_id plus timezone and/or study_id; an empty cell or a missing column means "not given").
 */
async function readListenerManifest(file: string): Promise<Map<string, ManifestRow>> {
  if (!existsSync(file)) return new Map();
  const { parse } = await import('csv-parse/sync');
  const rows = parse(readFileSync(file), { columns: true, skip_empty_lines: true, trim: true, bom: true }) as Record<string, string>[];
  if (rows.length > 0 && !('listener_id' in rows[0] && ('timezone' in rows[0] || 'study_id' in rows[0]))) {
    throw new UsageError(`${file}: expected the header listener_id,timezone (optionally with study_id, or listener_id,study_id)`);
  }
  return new Map(rows.map((r, i) => {
    const at = `${file} row ${i + 2}`;
    const row: ManifestRow = {};
    if (r.timezone) {
      if (!isValidTimeZone(r.timezone)) throw new UsageError(`${at}, field timezone: "${r.timezone}" is not an IANA time zone (e.g. Europe/Berlin)`);
      row.timezone = r.timezone;
    }
    if (r.study_id) row.study = checkStudyId(r.study_id, `${at}, field study_id`);
    return [r.listener_id, row];
  }));
}
