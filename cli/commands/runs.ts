import type { Command } from 'commander';
import { cliFor, printJson, printTable, requireExistingDataDir } from '../app.ts';
import { io } from '../output.ts';
import { UsageError } from '../../lib/errors.ts';

export function register(program: Command): void {
  program
    .command('runs')
    .description('run history from ops.pipeline_runs, newest first; --run <id> shows one run with its quality checks')
    .option('--limit <n>', 'how many runs', '20')
    .option('--run <id>', 'one run: stage times, tables written and every quality check (failed first)')
    .addHelpText('after', '\nExamples:\n  $ lakehouse runs\n  $ lakehouse runs --run run-20260101T000000Z-abc123 --json')
    .action(async function (this: Command, o: { limit: string; run?: string }) {
      const { config, log, opts } = cliFor(this);
      requireExistingDataDir(config);
      const limit = Number(o.limit);
      if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`--limit ${o.limit}: expected a positive whole number`);
      const [{ withReader }, { readChecks, readRuns }] = await Promise.all([import('../../lib/session.ts'), import('../../ops/run-history.ts')]);
      const { runs, checks } = await withReader(config, log, async (s) => {
        const all = await readRuns(s.conn, o.run ? 1_000_000 : limit);
        const runs = o.run ? all.filter((r) => r.run_id === o.run) : all;
        return { runs, checks: o.run ? await readChecks(s.conn, o.run) : [] };
      });
      if (o.run && runs.length === 0) throw new UsageError(`--run ${o.run}: no such run in ops.pipeline_runs (lakehouse runs lists them)`);
      if (o.run) {
        const run = { ...runs[0], stage_durations: JSON.parse(runs[0].stage_durations), tables_written: JSON.parse(runs[0].tables_written), summary: JSON.parse(runs[0].summary) };
        if (opts.json) return printJson({ ...run, checks });
        const { summary: _summary, stage_durations, tables_written, ...head } = run;
        printTable([head]);
        io.out('\n');
        printTable(Object.entries(stage_durations).map(([stage, ms]) => ({ stage, ms })));
        io.out('\n');
        printTable(Object.entries(tables_written as Record<string, object>).map(([table, t]) => ({ table, ...t })));
        io.out('\n');
        return printTable(checks as unknown as Record<string, unknown>[], ['check_name', 'table_name', 'column_name', 'level', 'status', 'observed_value', 'threshold', 'detail']);
      }
      if (opts.json) return printJson(runs.map((r) => ({ ...r, stage_durations: JSON.parse(r.stage_durations), tables_written: JSON.parse(r.tables_written), summary: undefined })));
      printTable(runs as unknown as Record<string, unknown>[], ['run_id', 'trigger', 'status', 'started_at', 'duration_ms', 'failed_stage', 'quality_errors', 'quality_warnings', 'publish_status', 'error']);
    });
}
