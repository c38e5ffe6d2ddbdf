import type { Command } from 'commander';
import { cliFor, printJson, printTable, requireExistingDataDir } from '../app.ts';
import { io } from '../output.ts';
import type { StatusReport } from '../../pipeline/status.ts';

function printText(r: StatusReport): void {
  const lines = [`data dir:      ${r.data_dir}`, `health:        ${r.healthy ? 'ok' : 'NOT OK'}`];
  for (const p of r.problems) lines.push(`  - ${p}`);
  const last = r.last_run;
  lines.push(last
    ? `last run:      ${last.run_id} (${last.trigger}) ${last.status} at ${last.finished_at}, ${Math.round(last.duration_ms / 100) / 10} s; quality ${last.quality_errors} error(s), ${last.quality_warnings} warning(s); publish ${last.publish_status}${last.error ? `\n               ${last.error}` : ''}`
    : 'last run:      none recorded yet');
  lines.push(`last success:  ${r.last_success_at ?? 'never'} (stale after ${r.stale_after_hours} h)`);
  const s = r.scheduler;
  lines.push(s?.alive
    ? `next run:      ${r.next_run ?? 'never'} (scheduler pid ${s.pid}, cron "${s.cron}" ${s.timezone}; last tick ${s.last_tick_at ?? 'none'}: ${s.last_outcome ?? '-'})`
    : 'next run:      none (the scheduler is not running: lakehouse schedule)');
  lines.push(r.lock
    ? `lock:          held by pid ${r.lock.pid} on ${r.lock.host} running "${r.lock.command}" since ${r.lock.started_at}, heartbeat ${r.lock.heartbeat_at}${r.lock.alive ? '' : ` (stale: ${r.lock.state}; the next writer takes it over)`}`
    : 'lock:          free');
  io.out(`${lines.join('\n')}\n\n`);
  printTable(r.tables, ['table', 'version', 'rows', 'built_at', 'age_hours']);
}

export function register(program: Command): void {
  program
    .command('status')
    .description('last run, next run, table freshness and lock holder; exit code 1 when the last run failed or the data is stale (container healthcheck)')
    .addHelpText('after', `
Stale means: no successful run for LAKEHOUSE_STALE_AFTER (default: two schedule intervals plus the
run time limit). A lake without any recorded run is healthy (nothing failed yet).

Examples:
  $ lakehouse status
  $ lakehouse status --json -q || echo unhealthy`)
    .action(async function (this: Command) {
      const { config, log, opts } = cliFor(this);
      requireExistingDataDir(config);
      const { lakeStatus } = await import('../../pipeline/status.ts');
      const report = await lakeStatus(config, log);
      if (opts.json) printJson(report);
      else printText(report);
      if (!report.healthy) process.exitCode = 1;
    });
}
