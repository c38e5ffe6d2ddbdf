import type { Command } from 'commander';
import { rmSync } from 'node:fs';
import { leaveSignalsToVerb } from '../interrupt.ts';
import { cliFor } from '../app.ts';

/** After the grace period, how long a stage that ignores its abort may still take before the process exits anyway. */
export const FORCE_EXIT_AFTER_GRACE_MS = 10_000;

export function register(program: Command): void {
  program
    .command('schedule')
    .description('run the whole pipeline on a schedule (SCHEDULE_CRON, default every 6 hours) until SIGTERM/SIGINT; the Docker image runs this')
    .option('--run-at-start', 'also run once right away')
    .option('--cron <expression>', 'cron expression (5 fields, or 6 with seconds first); default $SCHEDULE_CRON')
    .addHelpText('after', `
Each run: the export inbox (<data dir>/inbox/<listener>/*.json), the Spotify API for connected
listeners, silver, gold, the quality checks, and the publish to Trino when TRINO_URL is set. Runs
never overlap (a tick finding a run going, or the data dir locked by another command, is skipped).
On SIGTERM/SIGINT no new run starts; the current stage may finish for LAKEHOUSE_SHUTDOWN_GRACE,
then it is aborted; the lock is released and the exit code is 0.

Examples:
  $ lakehouse schedule --run-at-start
  $ SCHEDULE_CRON="30 2 * * *" SCHEDULE_TIMEZONE=Europe/Berlin lakehouse schedule`)
    .action(async function (this: Command, o: { runAtStart?: boolean; cron?: string }) {
      const { config, log } = cliFor(this);
      const [{ releaseHeldLocks }, { PipelineScheduler }] = await Promise.all([import('../../lib/lock.ts'), import('../../pipeline/scheduler.ts')]);
      leaveSignalsToVerb();
      const scheduler = new PipelineScheduler({ config, log, cron: o.cron });
      scheduler.start();
      if (o.runAtStart) void scheduler.tick('startup');
      const signal = await new Promise<NodeJS.Signals>((resolve) => {
        process.once('SIGTERM', () => resolve('SIGTERM'));
        process.once('SIGINT', () => resolve('SIGINT'));
      });
      log.info({ signal, running: scheduler.running }, 'shutdown requested: no new runs');
      for (const again of ['SIGTERM', 'SIGINT'] as const) {
        process.on(again, () => {
          log.warn({ signal: again }, 'second signal: exiting at once (the next writer recovers the lock)');
          process.exit(1);
        });
      }
      const grace = config.ops.shutdownGraceMs;
      let forced = false;
      await Promise.race([
        scheduler.stop(grace, `${signal} received`),
        new Promise<void>((resolve) => setTimeout(() => { forced = true; resolve(); }, grace + FORCE_EXIT_AFTER_GRACE_MS).unref()),
      ]);
      if (forced) {
        // The stage ignored the abort (e.g. a request that does not time out): exit anyway, without leaving our lock.
        releaseHeldLocks();
        log.error('the current run did not stop in time; exiting anyway (its uncommitted work is discarded)');
      }
      log.info('scheduler stopped');
    });
}
