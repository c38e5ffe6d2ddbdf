// Structured logs to stderr: JSON lines when stderr is not a TTY (containers, CI), pretty on a TTY.
// Secrets are redacted by key name wherever they appear in a log object. pino (and the dozen modules
// it requires, about 20 ms of CPU) is loaded by the first createLogger call, not on import: the CLI
// creates its logger only when a verb asks for it (cli/app.ts), and `query` never does.
import { createRequire } from 'node:module';
import type * as Pino from 'pino';
import type { Logger } from 'pino';

export type { Logger };

const redact = {
  paths: ['*.access_token', '*.refresh_token', '*.token', '*.secret', '*.client_secret', '*.password', '*.authorization', '*.secrets', 'secrets', 'access_token', 'refresh_token', 'token', 'client_secret', 'password', 'authorization'],
  censor: '[redacted]',
};

/** A sink for JSON log lines (the CLI's terminal view shows them above its progress line). */
export interface LogSink {
  write(line: string): void;
}

export function createLogger(level = 'info', pretty = process.stderr.isTTY === true, sink?: LogSink): Logger {
  const { pino } = createRequire(import.meta.url)('pino') as typeof Pino;
  if (sink) return pino({ level, redact, base: undefined }, sink);
  if (pretty) {
    return pino({
      level,
      redact,
      transport: { target: 'pino-pretty', options: { destination: 2, colorize: true, ignore: 'pid,hostname', translateTime: 'SYS:HH:MM:ss' } },
    });
  }
  return pino({ level, redact, base: { pid: process.pid } }, pino.destination({ fd: 2, sync: true }));
}
