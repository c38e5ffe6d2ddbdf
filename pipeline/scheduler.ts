// `lakehouse schedule`: runs the pipeline on a cron schedule (node-schedule). Runs never overlap: a
// tick that finds this scheduler's previous run still going is skipped, and a tick that finds the
// data-dir lock held by another process (a manual `lakehouse run`, an import) is skipped naming the
// holder. stop() lets the current stage finish within a grace period, then aborts it cleanly.
import { rmSync, writeFileSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import schedule from 'node-schedule';
import type { Config } from '../lib/config.ts';
import type { Logger } from '../lib/logger.ts';
import { ConfigError, LockHeldError, errorMessage } from '../lib/errors.ts';
import { readLockHolder, type LockHolder } from '../lib/lock.ts';
import { RunControl, formatDuration } from './run-control.ts';
import { executeRun, type RunOptions, type RunSummary } from './run.ts';

export type TickOutcome =
  | { outcome: 'ran'; summary: RunSummary }
  | { outcome: 'skipped_running'; running: string }
  | { outcome: 'skipped_locked'; holder: LockHolder | null; message: string }
  | { outcome: 'stopping' }
  | { outcome: 'error'; error: string };

export type Runner = (trigger: string, control: RunControl) => Promise<RunSummary>;

export interface SchedulerOptions {
  config: Config;
  log: Logger;
  cron?: string;
  timezone?: string;
  /** What a tick runs; default executeRun with runOptions. */
  runner?: Runner;
  runOptions?: Omit<RunOptions, 'trigger' | 'control' | 'demo'>;
  /** Sees every tick's outcome (cron ticks are not awaited by anyone else). */
  onTick?: (t: TickOutcome, trigger: string) => void;
}

export const SCHEDULER_STATE_FILE = '_scheduler.json';

export interface SchedulerState {
  pid: number;
  host: string;
  started_at: string;
  cron: string;
  timezone: string;
  next_run: string | null;
  last_tick_at: string | null;
  last_outcome: string | null;
}

export function readSchedulerState(dataDir: string): SchedulerState | null {
  try {
    return JSON.parse(readFileSync(join(dataDir, SCHEDULER_STATE_FILE), 'utf8')) as SchedulerState;
  } catch {
    return null;
  }
}

/** Next time a cron expression fires (null when it never does); throws ConfigError when it is invalid. */
export function nextCronRun(cron: string, timezone: string): Date | null {
  const job = schedule.scheduleJob({ rule: cron, tz: timezone }, () => undefined);
  if (!job) throw new ConfigError(`SCHEDULE_CRON: "${cron}" is not a valid cron expression (5 fields, or 6 with seconds first)`);
  const next = job.nextInvocation();
  job.cancel();
  return next ? new Date(next.getTime()) : null;
}

export class PipelineScheduler {
  readonly cron: string;
  readonly timezone: string;
  private job: schedule.Job | null = null;
  private current: { promise: Promise<TickOutcome>; control: RunControl; trigger: string; started: string } | null = null;
  private stopping = false;
  private readonly state: SchedulerState;

  constructor(private readonly o: SchedulerOptions) {
    this.cron = o.cron ?? o.config.schedule.cron;
    this.timezone = o.timezone ?? o.config.schedule.timezone;
    this.state = { pid: process.pid, host: hostname(), started_at: new Date().toISOString(), cron: this.cron, timezone: this.timezone, next_run: null, last_tick_at: null, last_outcome: null };
  }

  start(): void {
    nextCronRun(this.cron, this.timezone);
    this.job = schedule.scheduleJob({ rule: this.cron, tz: this.timezone }, () => void this.tick('schedule'));
    this.saveState();
    this.o.log.info({ cron: this.cron, timezone: this.timezone, next_run: this.nextRun()?.toISOString() ?? null }, 'scheduler started');
  }

  nextRun(): Date | null {
    const next = this.job?.nextInvocation();
    return next ? new Date(next.getTime()) : null;
  }

  get running(): boolean {
    return this.current !== null;
  }

  /** One scheduled (or injected) trigger. Resolves when its run ends or at once when it is skipped. */
  async tick(trigger = 'schedule'): Promise<TickOutcome> {
    if (this.stopping) return { outcome: 'stopping' };
    if (this.current) {
      const running = `${this.current.trigger} run started at ${this.current.started}`;
      this.o.log.warn({ trigger, running }, 'tick skipped: the previous run is still going');
      return this.remember({ outcome: 'skipped_running', running }, trigger);
    }
    const control = new RunControl();
    const promise = this.runOnce(trigger, control);
    this.current = { promise, control, trigger, started: new Date().toISOString() };
    try {
      return this.remember(await promise, trigger);
    } finally {
      this.current = null;
      this.saveState();
    }
  }

  private async runOnce(trigger: string, control: RunControl): Promise<TickOutcome> {
    const runner: Runner = this.o.runner ?? ((t, c) => executeRun(this.o.config, this.o.log, { ...this.o.runOptions, trigger: t, control: c }));
    try {
      return { outcome: 'ran', summary: await runner(trigger, control) };
    } catch (err) {
      if (err instanceof LockHeldError) {
        const holder = readLockHolder(this.o.config.dataDir);
        const who = holder ? `pid ${holder.pid} on ${holder.host} running "${holder.command}" since ${holder.started_at}` : 'another process';
        this.o.log.warn({ trigger, holder }, `tick skipped: the data dir is locked by ${who}`);
        return { outcome: 'skipped_locked', holder, message: errorMessage(err) };
      }
      this.o.log.error({ trigger, error: errorMessage(err) }, 'scheduled run could not start');
      return { outcome: 'error', error: errorMessage(err) };
    }
  }

  private remember(t: TickOutcome, trigger: string): TickOutcome {
    this.o.onTick?.(t, trigger);
    this.state.last_tick_at = new Date().toISOString();
    this.state.last_outcome = t.outcome === 'ran' ? `ran: ${t.summary.status}` : t.outcome;
    this.saveState();
    return t;
  }

  private saveState(): void {
    if (this.stopping) return;
    this.state.next_run = this.nextRun()?.toISOString() ?? null;
    try {
      writeFileSync(join(this.o.config.dataDir, SCHEDULER_STATE_FILE), JSON.stringify(this.state, null, 2));
    } catch (err) {
      this.o.log.warn({ error: errorMessage(err) }, 'could not write the scheduler state file');
    }
  }

  /** No new runs; the current stage may finish within graceMs, then it is aborted. Resolves when the run has ended. */
  async stop(graceMs = this.o.config.ops.shutdownGraceMs, reason = 'shutdown requested'): Promise<void> {
    this.stopping = true;
    this.job?.cancel();
    this.job = null;
    const current = this.current;
    if (current) {
      this.o.log.info({ grace_ms: graceMs }, 'waiting for the current stage to finish');
      current.control.requestStop('shutdown', reason);
      const timer = setTimeout(() => current.control.abort('shutdown', `${reason}; the grace period of ${formatDuration(graceMs)} passed`), graceMs);
      await current.promise;
      clearTimeout(timer);
    }
    rmSync(join(this.o.config.dataDir, SCHEDULER_STATE_FILE), { force: true });
  }
}
