// The logging API: createLogger (lib/create-logger.ts, which loads pino on first use) and a silent
// logger for tests. Code on the CLI's start-up path imports create-logger.ts directly, because the
// silent logger below loads pino as soon as this module is imported.
import { pino, type Logger } from 'pino';

export { createLogger, type LogSink, type Logger } from './create-logger.ts';

/** A logger that drops everything (tests). */
export const silentLogger: Logger = pino({ level: 'silent' });
