import type { Command } from 'commander';
import { cliWithView, printJson, printTable, viewReplacesData } from '../app.ts';
import { io } from '../output.ts';
import { onInterrupt } from '../interrupt.ts';
import type { TerminalView } from '../terminal-view.ts';
import type { RunSummary } from '../../pipeline/run.ts';
import { RunControl, formatDuration } from '../../pipeline/run-control.ts';
import { checkStudyId } from '../../lib/study-id.ts';
import { checkEngine } from '../engine-option.ts';

function summarise(view: TerminalView, s: RunSummary, dataDir: string): void {
  const ok = s.status === 'succeeded';
  const dirArg = dataDir === process.env.LAKEHOUSE_DATA_DIR || dataDir === `${process.cwd()}/data` ? '' : ` --data-dir ${dataDir}`;
  const hasGold = s.tables.some((t) => t.layer === 'gold' && t.table === 'temporal_trends');
  const next = ok
    ? [`lakehouse tables${dirArg}`, `lakehouse query${dirArg} "select * from ${hasGold ? 'gold.temporal_trends' : 'silver.listening_with_features'} limit 10"`]
    : [`lakehouse runs${dirArg} --run ${s.run_id}`, `lakehouse run${dirArg}`];
  if (ok && s.quality.failed.length > 0) next.push(`lakehouse runs${dirArg} --run ${s.run_id}     # every quality check of this run`);
  view.summary({
    ok,
    headline: `run ${s.run_id} ${s.status} in ${formatDuration(s.duration_ms)}${ok ? '' : ` (stage ${s.failed_stage})`}`,
    notes: [...(ok ? [] : [`error: ${s.error}`]), `lake: ${dataDir}`, `publish to Trino: ${s.publish_status.replace(/_/g, ' ')}`],
    checks: s.quality.failed,
    next,
  });
}

export function register(program: Command): void {
  program
    .command('run')
    .description('run every pipeline stage in order: ingest (demo data with --demo), synthetic, silver, gold')
    .option('--demo', 'generate a deterministic demo data set (no credentials, no network) and build everything from it')
    .option('--study <id>', "only this study's listeners: their ingestion and their silver and gold rows; the other studies' rows are kept unchanged")
    .option('--engine <engine>', 'who computes silver and the SQL gold tables: duckdb (embedded) or trino (the cluster at TRINO_URL); default LAKEHOUSE_ENGINE, else duckdb')
    .addHelpText('after', `
On a terminal: one line per table written, a spinner on the running stage and a summary naming every
warning and failed quality check. Piped (or with --json / --log-format json): JSON logs on stderr and
the table list (or the run summary with --json) on stdout. Ctrl-C stops the run cleanly: it is recorded
as aborted in ops.pipeline_runs, nothing unfinished is published, the lock is released (exit code 130).

Examples:
  $ lakehouse run --demo
  $ lakehouse run --study pilot
  $ lakehouse run --engine trino          # silver and SQL gold computed by the Trino at TRINO_URL
  $ lakehouse run --data-dir /srv/lake
  $ lakehouse run --log-format json 2> run.log`)
    .action(async function (this: Command, o: { demo?: boolean; study?: string; engine?: string }) {
      if (o.study !== undefined) checkStudyId(o.study);
      const cli = await cliWithView(this, { engine: checkEngine(o.engine) });
      const { config, log, opts, view } = cli;
      const { executeRun, RunFailedError } = await import('../../pipeline/run.ts');
      const control = new RunControl();
      const off = onInterrupt((reason) => control.abort('shutdown', reason));
      view?.start(`lakehouse run${o.demo ? ' --demo' : ''}${o.study ? ` --study ${o.study}` : ''}  ·  ${config.dataDir}`);
      let summary: RunSummary;
      try {
        summary = await executeRun(config, log, { demo: o.demo, trigger: 'cli', control, study: o.study });
      } finally {
        off();
        view?.stop();
      }
      // The summary is printed for failed runs too: it says which stage failed and what was kept.
      if (opts.json) printJson(summary);
      else {
        if (view) summarise(view, summary, config.dataDir);
        else io.err(`run ${summary.run_id}: ${summary.status}, ${summary.stages.length} stages\n`);
        if (!viewReplacesData(cli)) printTable(summary.tables, ['layer', 'table', 'rows', 'version', 'path']);
      }
      if (summary.status !== 'succeeded') throw new RunFailedError(summary);
    });
}
