// A few named errors. Library code throws them; only the CLI entry point catches and picks the exit
// code. Every message starts with what failed (file, row, table, field).

export class LakehouseError extends Error {
  /** Process exit code the CLI uses for this error: 1 = run failed, 2 = usage error, 130 = interrupted. */
  readonly exitCode: number = 1;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The user asked for something malformed: bad flag, unknown table, invalid config value. */
export class UsageError extends LakehouseError {
  override readonly exitCode = 2;
}

/** The command was stopped by Ctrl-C (SIGINT) or SIGTERM before it finished; nothing unfinished was published. */
export class InterruptedError extends LakehouseError {
  override readonly exitCode = 130;
}

/** Bad config (environment, .env or flags). */
export class ConfigError extends UsageError {}

/** An input file is structurally broken and was refused whole. */
export class InputFileError extends LakehouseError {
  constructor(readonly file: string, detail: string, options?: { cause?: unknown }) {
    super(`${file}: ${detail}`, options);
  }
}

/** Another process holds the data-dir writer lock. */
export class LockHeldError extends LakehouseError {}

/** A built table does not match its declaration (schema or grain). */
export class TableContractError extends LakehouseError {
  constructor(readonly table: string, detail: string) {
    super(`${table}: ${detail}`);
  }
}

/** A stage of the pipeline failed. */
export class StageError extends LakehouseError {
  constructor(readonly stage: string, detail: string, options?: { cause?: unknown }) {
    super(`${stage}: ${detail}`, options);
  }
}

/**
 * The message of anything thrown. Libraries (trino-client's query errors, HTTP bodies) sometimes throw
 * or hand back plain objects: their `message` is used, else their JSON, never "[object Object]".
 */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (err && typeof err === 'object') {
    const message = (err as { message?: unknown }).message;
    if (typeof message === 'string' && message) return message;
    try {
      return JSON.stringify(err) ?? String(err);
    } catch {
      return `an object with keys ${Object.keys(err).join(', ') || '(none)'}`;
    }
  }
  return String(err);
}
