import type { Command } from 'commander';
import { cliFor, printJson, printTable, type Cli } from '../app.ts';
import { io } from '../output.ts';
import { LakehouseError, UsageError } from '../../lib/errors.ts';
import type { ListenerRow } from '../../bronze/listener-registry.ts';
import type { ListenerPatch } from '../../participants/registry.ts';
import type { ErasureSummary } from '../../participants/erase.ts';
import { LISTENER_ID_RULE } from '../../lib/listener-id.ts';
import { DEFAULT_STUDY, STUDY_ID_RULE, checkStudyId } from '../../lib/study-id.ts';

// The participant modules and the database are loaded when a subcommand runs, not at start-up.
const registry = () => import('../../participants/registry.ts');
const session = () => import('../../lib/session.ts');

interface RowOptions { label?: string; timezone?: string; consentRecordedAt?: string; status?: string; study?: string }

async function patchFrom(o: RowOptions): Promise<ListenerPatch> {
  const { checkLabel, checkStatus, parseInstant } = await registry();
  const patch: ListenerPatch = {};
  if (o.label !== undefined) patch.label = checkLabel(o.label);
  if (o.timezone !== undefined) patch.timezone = o.timezone;
  if (o.consentRecordedAt !== undefined) patch.consentRecordedAt = o.consentRecordedAt.trim() === '' ? null : parseInstant('--consent-recorded-at', o.consentRecordedAt);
  if (o.status !== undefined) patch.status = checkStatus(o.status);
  if (o.study !== undefined) patch.study = checkStudyId(o.study);
  return patch;
}

async function change(cli: Cli, command: string, id: string, patch: ListenerPatch): Promise<void> {
  const [{ updateListener }, { withWriter }] = await Promise.all([registry(), session()]);
  const { before, after } = await withWriter(cli.config, cli.log, command, async (s) => {
    const tx = s.begin();
    try {
      const result = await updateListener(s.context(tx), id, patch);
      await tx.commit();
      return result;
    } catch (err) {
      await tx.abort();
      throw err;
    }
  });
  printRow(cli, after);
  if (before.study_id !== after.study_id) {
    io.err(`study of ${id} changed from ${before.study_id} to ${after.study_id}; silver.listener_studies (and what Trino and Superset filter by study) follows with the next \`lakehouse build silver\` (or \`lakehouse run\`)\n`);
  }
  if (before.timezone !== after.timezone) {
    io.err(`time zone of ${id} changed from ${before.timezone} to ${after.timezone}; local times change with the next \`lakehouse build silver\` and \`lakehouse build gold\` (or \`lakehouse run\`)\n`);
  }
}

function printRow(cli: Cli, row: ListenerRow): void {
  if (cli.opts.json) printJson(row);
  else printTable([{ ...row }], ['listener_id', 'display_label', 'timezone', 'timezone_source', 'created_at', 'consent_recorded_at', 'status', 'study_id']);
}

function printErasure(cli: Cli, s: ErasureSummary): void {
  if (cli.opts.json) return printJson(s);
  printTable(s.tables.map((t) => ({ table: t.table, versions: t.versions.join(','), rows_removed: t.rows_removed, all_versions: t.rows_removed_all_versions, scrubbed: t.rows_scrubbed })));
  for (const f of s.files) io.out(`${s.dry_run ? 'would remove' : 'removed'} ${f.kind}: ${f.path} (${f.files} file${f.files === 1 ? '' : 's'})\n`);
  if (s.dry_run) return;
  io.out(`${s.listener_id}: ${s.rows_removed} rows removed from current tables, ${s.rows_removed_all_versions} over all kept versions, ${s.files_removed} files removed; audit row ${s.erasure_id} in ops.erasures; mirror: ${s.mirror}; Trino: ${s.trino}\n`);
  if (s.residue.length > 0) io.out(`warning: the id still occurs in ${s.residue.length} place(s): ${s.residue.map((r) => `${r.path} (${r.where})`).join(', ')}\n`);
}

export function register(program: Command): void {
  const listeners = program.command('listeners').description('the participant registry: list, add, change, pause, resume, erase and export listeners')
    .addHelpText('after', '\nExamples:\n  $ lakehouse listeners list\n  $ lakehouse listeners add p07 --timezone America/New_York');

  listeners.command('list').description('registered listeners with study, time zone (given or default), consent, status, stored plays and Spotify connection')
    .addHelpText('after', '\nExamples:\n  $ lakehouse listeners list\n  $ lakehouse listeners list --json')
    .action(async function (this: Command) {
      const cli = cliFor(this);
      const [{ listListeners }, { withReader }] = await Promise.all([import('../../participants/list.ts'), session()]);
      const rows = await withReader(cli.config, cli.log, (s) => listListeners(s));
      if (cli.opts.json) printJson(rows);
      else printTable(rows.map((r) => ({ ...r })), ['listener_id', 'display_label', 'timezone', 'timezone_source', 'status', 'study_id', 'consent_recorded_at', 'created_at', 'plays', 'spotify_connected']);
    });

  listeners.command('add').description('register a listener; without an id an opaque one is generated')
    .argument('[id]', `pseudonymous id (${LISTENER_ID_RULE}); never a name or a Spotify user id`)
    .option('--label <text>', 'label for the researcher (stored in bronze only, never published to Trino)')
    .option('--timezone <zone>', 'IANA time zone (default $LAKEHOUSE_TIMEZONE)')
    .option('--consent-recorded-at <time>', 'when consent was recorded: ISO-8601 (no zone = UTC) or "now"')
    .option('--study <id>', `the study the listener takes part in (${STUDY_ID_RULE}; default ${DEFAULT_STUDY})`)
    .addHelpText('after', '\nExamples:\n  $ lakehouse listeners add --timezone Europe/Berlin --consent-recorded-at now\n  $ lakehouse listeners add p07 --label "cohort B" --timezone America/New_York --study pilot')
    .action(async function (this: Command, id: string | undefined, o: RowOptions) {
      const cli = cliFor(this);
      const p = await patchFrom(o);
      const [{ addListener }, { withWriter }] = await Promise.all([registry(), session()]);
      const row = await withWriter(cli.config, cli.log, 'listeners add', async (s) => {
        const tx = s.begin();
        try {
          const added = await addListener(s.context(tx), { id, label: p.label, timezone: p.timezone, consentRecordedAt: p.consentRecordedAt, study: p.study });
          await tx.commit();
          return added;
        } catch (err) {
          await tx.abort();
          throw err;
        }
      });
      printRow(cli, row);
    });

  listeners.command('set').description('change a listener\'s time zone, label, consent time, status or study')
    .argument('<id>')
    .option('--timezone <zone>', 'IANA time zone used for local-time analytics')
    .option('--label <text>', 'label for the researcher ("" clears it)')
    .option('--consent-recorded-at <time>', 'ISO-8601 (no zone = UTC), "now", or "" to clear')
    .option('--status <status>', 'active, paused or withdrawn')
    .option('--study <id>', `move the listener to this study (${STUDY_ID_RULE})`)
    .addHelpText('after', '\nExamples:\n  $ lakehouse listeners set p01 --timezone Europe/Amsterdam\n  $ lakehouse listeners set p01 --consent-recorded-at 2026-03-01T09:30:00Z\n  $ lakehouse listeners set p01 --study pilot')
    .action(async function (this: Command, id: string, o: RowOptions) {
      const patch = await patchFrom(o);
      if (Object.keys(patch).length === 0) throw new UsageError('listeners set: give at least one of --timezone, --label, --consent-recorded-at, --status, --study');
      await change(cliFor(this), 'listeners set', id, patch);
    });

  listeners.command('pause').description('stop ingesting a listener (Spotify and inbox); their stored data stays')
    .argument('<id>')
    .addHelpText('after', '\nExample:\n  $ lakehouse listeners pause p03')
    .action(async function (this: Command, id: string) { await change(cliFor(this), 'listeners pause', id, { status: 'paused' }); });

  listeners.command('resume').description('ingest a paused or withdrawn listener again')
    .argument('<id>')
    .addHelpText('after', '\nExample:\n  $ lakehouse listeners resume p03')
    .action(async function (this: Command, id: string) { await change(cliFor(this), 'listeners resume', id, { status: 'active' }); });

  listeners.command('delete').description('erase a listener from every table, every kept version and every file (needs --confirm)')
    .argument('<id>')
    .option('--confirm', 'really erase (without it: show what would be erased and change nothing)')
    .addHelpText('after', '\nExamples:\n  $ lakehouse listeners delete p03            # preview\n  $ lakehouse listeners delete p03 --confirm')
    .action(async function (this: Command, id: string, o: { confirm?: boolean }) {
      const cli = cliFor(this);
      const { eraseListener } = await import('../../participants/erase.ts');
      const summary = await eraseListener(cli.config, cli.log, id, { dryRun: !o.confirm });
      printErasure(cli, summary);
      if (!o.confirm) throw new UsageError(`listeners delete: nothing was erased; repeat with --confirm to erase ${id}`);
      if (summary.mirror === 'failed') throw new LakehouseError(`listeners delete: ${id} was erased from the data dir, but the mirror ${cli.config.objectStore.mirrorUri} still holds their rows (${summary.mirror_error}); run \`lakehouse mirror\``);
      if (summary.trino === 'failed') throw new LakehouseError(`listeners delete: ${id} was erased from the data dir, but republishing to Trino failed (${summary.trino_error}); run \`lakehouse publish\``);
    });

  listeners.command('export').description('write everything stored about a listener to a folder (CSV per table, their files, manifest.json)')
    .argument('<id>')
    .argument('<dir>', 'new or empty folder')
    .addHelpText('after', '\nExample:\n  $ lakehouse listeners export p03 ./p03-data     # answer a data-access request')
    .action(async function (this: Command, id: string, dir: string) {
      const cli = cliFor(this);
      const { exportListener } = await import('../../participants/export.ts');
      const result = await exportListener(cli.config, cli.log, id, dir);
      if (cli.opts.json) printJson(result);
      else {
        printTable(result.tables.map((t) => ({ ...t })), ['table', 'version', 'rows', 'file']);
        for (const f of result.files) io.out(`copied ${f.kind}: ${f.from} -> ${f.to} (${f.files} files)\n`);
        io.out(`written to ${result.dir} (see manifest.json)\n`);
      }
    });
}
