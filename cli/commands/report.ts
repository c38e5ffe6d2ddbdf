import type { Command } from 'commander';
import { resolve } from 'node:path';
import { cliFor, printJson, verb } from '../app.ts';
import { io } from '../output.ts';
import { checkErasableListenerId } from '../../lib/listener-id.ts';
import { checkStudyId } from '../../lib/study-id.ts';

type Out = { out?: string };

async function emit(cmd: Command, req: { kind: 'study'; study?: string } | { kind: 'listener'; listener: string }, o: Out, defaultName: string): Promise<void> {
  const { config, log, opts } = cliFor(cmd);
  // Loaded here, not at start-up: vega is only needed by this verb.
  const { buildReport, writeReport } = await import('../../reports/index.ts');
  const report = await buildReport(config, log, req);
  const target = o.out ?? defaultName;
  if (target === '-') {
    io.out(report.html);
    return;
  }
  const file = resolve(target);
  writeReport(file, report.html);
  log.info({ file, charts: report.charts.length, bytes: Buffer.byteLength(report.html) }, 'report written');
  for (const n of report.notices) log.info({ section: n }, 'section without data');
  if (opts.json) printJson({ file, bytes: Buffer.byteLength(report.html), charts: report.charts, notices: report.notices, tables: report.tables });
  else io.out(`${file}\n`);
}

export function register(program: Command): void {
  const report = verb(program, 'report', 'static, self-contained HTML reports (one file, opens offline): a study overview and a participant\'s own year in music');
  report.addHelpText('after', '\nExamples:\n  $ lakehouse report study --out study.html\n  $ lakehouse report listener p01 --out p01.html');
  report
    .command('study')
    .description('the cohort of a study at a glance: participants, plays and streams, feature sources, behaviour, models against baselines, data quality, lake versions')
    .option('--study <id>', 'study id (bronze.listeners.study_id, set with `lakehouse listeners add|set --study`; every listener of a lake without studies is in "default")', 'default')
    .option('--out <file>', 'HTML file to write ("-" = stdout); default report-study-<study>.html')
    .addHelpText('after', '\nExamples:\n  $ lakehouse report study --out study.html\n  $ lakehouse report study --study pilot --json')
    .action(async function (this: Command, o: Out & { study: string }) {
      checkStudyId(o.study);
      await emit(this, { kind: 'study', study: o.study }, o, `report-study-${o.study.replace(/[^A-Za-z0-9_.-]/g, '_')}.html`);
    });
  report
    .command('listener')
    .description('one participant\'s own "year-round Wrapped", for a non-specialist: no other participant appears in it')
    .argument('<id>', 'listener id')
    .option('--out <file>', 'HTML file to write ("-" = stdout); default report-listener-<id>.html')
    .addHelpText('after', '\nExamples:\n  $ lakehouse report listener p01 --out p01.html')
    .action(async function (this: Command, id: string, o: Out) {
      checkErasableListenerId(id, 'report listener <id>');
      await emit(this, { kind: 'listener', listener: id }, o, `report-listener-${id}.html`);
    });
}
