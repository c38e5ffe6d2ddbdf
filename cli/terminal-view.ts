// What a person at a terminal sees during a long writing verb: one line per table written, dbt
// style (`12 of 25  gold.temporal_trends ..... 1,324 rows  0.08 s`), a spinner naming the running
// stage with its elapsed time and current step, warnings from the logs printed as they come, and an
// end summary that names every warning and failed quality check. Only used on a TTY (cli/app.ts);
// piped output keeps JSON logs on stderr and the data on stdout.
import ora, { type Ora } from 'ora';
import { onProgress, type ProgressEvent } from '../lib/progress.ts';
import type { LogSink } from '../lib/logger.ts';
import { formatDuration } from '../pipeline/run-control.ts';
import { onRestoreTerminal } from './interrupt.ts';

interface Stream {
  write(s: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface ViewCheck {
  check_name: string;
  table_name: string;
  column_name: string;
  level: string;
  observed_value: number | null;
  threshold: number;
  detail: string;
}

export interface ViewSummary {
  ok: boolean;
  /** e.g. "run run-… succeeded in 22.4 s". */
  headline: string;
  /** Failed quality checks (errors and warnings), each named in the summary. */
  checks?: ViewCheck[];
  /** Extra lines (what failed, where the lake is). */
  notes?: string[];
  /** Commands to try next. */
  next: string[];
}

const NAME_WIDTH = 46;
const LEVELS: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };
const HIDDEN_LOG_KEYS = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'run_id']);

export const formatCount = (n: number): string => n.toLocaleString('en-US');

/** One table line: counter, name padded with dots, rows and seconds. */
export function tableLine(counter: string, table: string, rows: number, ms: number): string {
  const dots = '.'.repeat(Math.max(3, NAME_WIDTH - table.length));
  return `${counter}  ${table} ${dots} ${formatCount(rows).padStart(9)} ${rows === 1 ? 'row ' : 'rows'}  ${(ms / 1000).toFixed(2).padStart(6)} s`;
}

/** A log record as one readable line: message, then its fields as key=value. */
export function logLine(record: Record<string, unknown>): string {
  const fields = Object.entries(record)
    .filter(([k]) => !HIDDEN_LOG_KEYS.has(k))
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  return [String(record.msg ?? ''), ...fields].join('  ');
}

export class TerminalView {
  readonly logSink: LogSink;
  /** Warnings and errors logged during the verb, for the summary. */
  readonly logWarnings: string[] = [];
  readonly written: { table: string; rows: number; ms: number }[] = [];
  /** Tables staged by a stage that then failed: never published. */
  readonly discarded: string[] = [];
  private stageWritten: string[] = [];
  private plan: string[] = [];
  private numbered = 0;
  private spinner: Ora | null = null;
  private stageName: string | null = null;
  private stageStarted = 0;
  private stepText = '';
  private ticker: NodeJS.Timeout | null = null;
  private unsubscribe: (() => void) | null = null;
  private unrestore: (() => void) | null = null;
  private readonly color: boolean;

  constructor(private readonly stream: Stream, private readonly o: { verbose?: boolean } = {}) {
    this.color = stream.isTTY === true && !process.env.NO_COLOR;
    this.logSink = { write: (line) => this.onLog(line) };
  }

  private paint(code: number, s: string): string {
    return this.color ? `\u001B[${code}m${s}\u001B[0m` : s;
  }

  start(title: string): void {
    this.unsubscribe = onProgress((e) => this.onEvent(e));
    this.unrestore = onRestoreTerminal(() => this.stopSpinner());
    this.stream.write(`${this.paint(1, title)}\n`);
  }

  stop(): void {
    this.unsubscribe?.();
    this.unrestore?.();
    this.stopSpinner();
  }

  /** Prints a line above the spinner. */
  line(s: string): void {
    this.spinner?.clear();
    this.stream.write(`${s}\n`);
    this.spinner?.render();
  }

  private stopSpinner(): void {
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = null;
    this.spinner?.stop();
    this.spinner = null;
  }

  private spinnerText(): string {
    const elapsed = formatDuration(Date.now() - this.stageStarted);
    return `${this.stageName} ${this.paint(2, elapsed)}${this.stepText ? `  ${this.paint(2, this.stepText)}` : ''}`;
  }

  private onEvent(e: ProgressEvent): void {
    if (e.kind === 'plan') {
      this.plan = e.tables;
      this.numbered = 0;
    } else if (e.kind === 'stage-start') {
      this.stopSpinner();
      this.stageName = e.stage;
      this.stageWritten = [];
      this.stageStarted = Date.now();
      this.stepText = '';
      // A terminal that reports no width (some pseudo-terminals) gets the lines without a spinner.
      if (!this.stream.columns) return;
      this.spinner = ora({ text: this.spinnerText(), stream: this.stream as NodeJS.WritableStream, discardStdin: false, hideCursor: true }).start();
      this.ticker = setInterval(() => this.spinner && (this.spinner.text = this.spinnerText()), 250);
      this.ticker.unref();
    } else if (e.kind === 'stage-end') {
      this.stopSpinner();
      if (!e.ok) {
        this.line(this.paint(31, `  ✗ ${e.stage} stopped after ${formatDuration(e.ms)}: nothing it wrote was published`));
        this.discarded.push(...this.stageWritten);
        this.written.splice(0, this.written.length, ...this.written.filter((t) => !this.stageWritten.includes(t.table)));
      }
      this.stageWritten = [];
      this.stageName = null;
    } else if (e.kind === 'step') {
      this.stepText = e.total ? `${e.what} (${e.done ?? 0}/${e.total})` : e.what;
      if (this.spinner) this.spinner.text = this.spinnerText();
    } else if (e.kind === 'table') {
      this.stepText = '';
      this.written.push({ table: e.table, rows: e.rows, ms: e.ms });
      this.stageWritten.push(e.table);
      const width = Math.max(8, `${this.plan.length} of ${this.plan.length}`.length);
      const [kind, ...rest] = (this.stageName ?? e.table.split('.')[0]).split(' ');
      const numbered = this.plan.includes(e.table);
      const counter = numbered ? `${++this.numbered} of ${this.plan.length}`.padStart(width) : kind.padEnd(width);
      // An unnumbered line says which part of its stage wrote it (e.g. the listener of an import).
      const context = !numbered && rest.length > 0 ? `  ${this.paint(2, rest.join(' '))}` : '';
      this.line(`  ${tableLine(counter, e.table, e.rows, e.ms)}${context}`);
    }
  }

  private onLog(raw: string): void {
    let record: Record<string, unknown>;
    try {
      record = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      this.line(raw.trimEnd());
      return;
    }
    const level = Number(record.level);
    const text = logLine(record);
    if (level >= 40) {
      // Errors end the verb and are in its summary already; warnings are collected for it.
      if (level < 50) this.logWarnings.push(text);
      this.line(this.paint(level >= 50 ? 31 : 33, `  ${level >= 50 ? '✗' : '!'} ${text}`));
    } else if (this.o.verbose) {
      this.line(this.paint(2, `  · ${LEVELS[level] ?? level} ${text}`));
    }
  }

  /** The end summary: what was built, every warning and failed check by name, what to try next. */
  summary(s: ViewSummary): void {
    this.stopSpinner();
    const out: string[] = [''];
    const byLayer = new Map<string, number>();
    for (const t of this.written) byLayer.set(t.table.split('.')[0], (byLayer.get(t.table.split('.')[0]) ?? 0) + 1);
    out.push(this.paint(s.ok ? 32 : 31, `${s.ok ? '✓' : '✗'} ${s.headline}`));
    if (this.written.length > 0) {
      out.push(`  ${this.written.length} table version${this.written.length === 1 ? '' : 's'} written: ${[...byLayer].map(([l, n]) => `${l} ${n}`).join(', ')}`);
    }
    if (this.discarded.length > 0) out.push(`  ${this.discarded.length} table version${this.discarded.length === 1 ? '' : 's'} of the stopped stage discarded (the previous versions stay current)`);
    for (const n of s.notes ?? []) out.push(`  ${n}`);
    const checks = s.checks ?? [];
    const problems = checks.length + this.logWarnings.length;
    if (problems > 0) {
      out.push('', this.paint(33, `Warnings and failed checks (${problems}):`));
      for (const c of checks) {
        const where = `${c.table_name}${c.column_name ? `.${c.column_name}` : ''}`;
        const tag = c.level === 'error' ? this.paint(31, 'ERROR') : this.paint(33, 'WARN ');
        out.push(`  ${tag} ${c.check_name} on ${where}: ${c.detail} (observed ${formatObserved(c.observed_value)}, threshold ${formatObserved(c.threshold)})`);
      }
      for (const w of this.logWarnings) out.push(`  ${this.paint(33, 'WARN ')} ${w}`);
    } else {
      out.push(s.checks ? '  no warnings, every quality check passed' : '  no warnings');
    }
    if (s.next.length > 0) out.push('', 'Next:', ...s.next.map((n) => `  $ ${n}`));
    this.stream.write(`${out.join('\n')}\n`);
  }
}

function formatObserved(v: number | null): string {
  if (v === null) return 'none';
  return Number.isInteger(v) ? formatCount(v) : String(Math.round(v * 1000) / 1000);
}
