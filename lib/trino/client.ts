// trino-client, wrapped: it returns query errors inside the result instead of throwing and never
// retries. Here a failed statement throws TrinoQueryError (the SQL and Trino's message), and an
// HTTP 502/503/504 (or 429, or a refused connection while Trino restarts) is retried with backoff,
// and a statement Trino failed for a reason of the cluster, not of the statement (a worker gone, a
// task nobody polled in time), is run again.
// Our Trino authenticates every user with a password over HTTPS (trino/README.md): the client sends
// TRINO_USER/TRINO_PASSWORD as HTTP basic auth and trusts the certificate in TRINO_CA_FILE; refused
// credentials and an untrusted certificate fail with a message saying what to set.
import { readFileSync } from 'node:fs';
import { BasicAuth, Trino, type QueryResult } from 'trino-client';
import type { Config } from '../config.ts';
import { ConfigError, LakehouseError, errorMessage } from '../errors.ts';

/** The Trino catalog that serves the lake (trino/etc/catalog/lakehouse.properties). */
export const TRINO_CATALOG = 'lakehouse';

export interface TrinoColumn {
  name: string;
  type: string;
}

/** What Trino reports about a finished query: its id (for system.runtime.queries) and its times. */
export interface TrinoQueryStats {
  queryId: string;
  /** CPU time summed over every task and node. */
  cpuTimeMillis: number;
  /** Wall time from submission to completion, as the coordinator measured it. */
  elapsedTimeMillis: number;
  queuedTimeMillis: number;
}

export interface TrinoResult {
  columns: TrinoColumn[];
  rows: unknown[][];
  /** From the last page of the query (absent when Trino sent no statistics). */
  stats?: TrinoQueryStats;
}

export class TrinoQueryError extends LakehouseError {
  constructor(readonly sql: string, readonly trinoMessage: string, readonly errorName?: string, options?: { cause?: unknown }) {
    super(`trino: ${trinoMessage}${errorName ? ` [${errorName}]` : ''} — in: ${abbreviate(sql)}`, options);
  }
}

/** A statement on one line, cut at `max` characters (for error messages and logs). */
export function abbreviate(sql: string, max = 300): string {
  const oneLine = sql.replace(/\s+/g, ' ').trim();
  return oneLine.length > max ? `${oneLine.slice(0, max)}…` : oneLine;
}

const TRANSIENT_STATUS = new Set([429, 502, 503, 504]);
const TRANSIENT_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT']);

function isTransient(err: unknown): boolean {
  const e = err as { response?: { status?: number }; code?: string };
  return (e.response?.status !== undefined && TRANSIENT_STATUS.has(e.response.status)) || (e.code !== undefined && TRANSIENT_CODES.has(e.code));
}

function describeHttpError(err: unknown): string {
  const e = err as { response?: { status?: number; data?: unknown }; message?: string };
  if (e.response?.status) return `HTTP ${e.response.status}${typeof e.response.data === 'string' && e.response.data ? `: ${e.response.data.slice(0, 200)}` : ''}`;
  return errorMessage(err);
}

/**
 * Trino's error names (io.trino.spi.StandardErrorCode) for a statement that failed because of the
 * cluster, not because of the statement or its data: a node gone, shutting down or starting, pages
 * lost between nodes, or a task or query that nobody polled within its timeout (task.client.timeout,
 * 2 min; seen when a machine stalls and its clock jumps, as on a busy 2-core CI host). The same
 * statement run again can succeed; Trino's own retry-policy=QUERY retries failures of this kind.
 * A failed statement commits nothing (Trino rolls its transaction back), so running it again is safe.
 */
export const TRANSIENT_QUERY_ERRORS: ReadonlySet<string> = new Set([
  'ABANDONED_TASK', 'ABANDONED_QUERY', 'REMOTE_TASK_ERROR', 'REMOTE_TASK_MISMATCH', 'REMOTE_HOST_GONE',
  'REMOTE_BUFFER_CLOSE_FAILED', 'TOO_MANY_REQUESTS_FAILED', 'PAGE_TRANSPORT_ERROR', 'PAGE_TRANSPORT_TIMEOUT',
  'NO_NODES_AVAILABLE', 'SERVER_SHUTTING_DOWN', 'SERVER_STARTING_UP',
]);

/** A statement Trino failed for a reason of the cluster (TRANSIENT_QUERY_ERRORS): worth running again. */
export function isTransientQueryFailure(err: unknown): err is TrinoQueryError {
  return err instanceof TrinoQueryError && err.errorName !== undefined && TRANSIENT_QUERY_ERRORS.has(err.errorName);
}

export interface RetryPolicy {
  attempts: number;
  baseDelayMs: number;
}

/** Statements failed by the cluster: run up to three times in all, 2 s then 4 s apart. */
const STATEMENT_RETRY: RetryPolicy = { attempts: 3, baseDelayMs: 2000 };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Calls fn, retrying with exponential backoff the failures `retryable` accepts (by default transient
 * HTTP failures). `onRetry` runs before each new attempt (awaited: it may clean up after the failed one).
 */
export async function withRetry<T>(
  fn: () => Promise<T>, policy: RetryPolicy, onRetry?: (attempt: number, err: unknown) => void | Promise<void>,
  retryable: (err: unknown) => boolean = isTransient,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!retryable(err) || attempt >= policy.attempts) throw err;
      await onRetry?.(attempt, err);
      await sleep(policy.baseDelayMs * 2 ** (attempt - 1));
    }
  }
}

/** Trino answered 401: the user is unknown, the password wrong, or none was sent. */
export class TrinoAuthError extends LakehouseError {}

const TLS_TRUST_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'ERR_TLS_CERT_ALTNAME_INVALID', 'CERT_HAS_EXPIRED', 'CERT_SIGNATURE_FAILURE',
]);

export interface TrinoClientOptions {
  /** Sent as HTTP basic auth (HTTPS only). */
  password?: string;
  /** PEM certificate(s) to trust for an https server, e.g. the self-signed one of scripts/trino-start.sh. */
  caFile?: string;
  retry?: RetryPolicy;
  /** Statements the cluster failed (TRANSIENT_QUERY_ERRORS); default three attempts, 2 s then 4 s apart. */
  statementRetry?: RetryPolicy;
  /** Told of every statement run again (e.g. to log it); the error names Trino's reason. */
  onStatementRetry?: (attempt: number, err: TrinoQueryError) => void;
}

/** Per statement: what to do before it runs again after a cluster failure (e.g. empty the folder it writes to). */
export interface StatementOptions {
  /** Trino session properties for this statement only (e.g. { join_distribution_type: 'BROADCAST' }). */
  session?: Record<string, string>;
  beforeRetry?: (err: TrinoQueryError) => Promise<void>;
}

export class TrinoClient {
  private readonly trino: Trino;
  private readonly retry: RetryPolicy;
  private readonly statementRetry: RetryPolicy;
  private readonly onStatementRetry?: (attempt: number, err: TrinoQueryError) => void;
  private readonly hasPassword: boolean;

  constructor(readonly server: string, readonly user: string, options: TrinoClientOptions = {}) {
    this.retry = options.retry ?? { attempts: 5, baseDelayMs: 500 };
    this.statementRetry = options.statementRetry ?? STATEMENT_RETRY;
    this.onStatementRetry = options.onStatementRetry;
    this.hasPassword = !!options.password;
    const https = /^https:/i.test(server);
    if (options.password && !https) {
      throw new ConfigError(`TRINO_URL=${server}: a password is only sent over https (Trino refuses it over plain http); use https://…`);
    }
    let ca: Buffer | undefined;
    if (options.caFile) {
      try {
        ca = readFileSync(options.caFile);
      } catch (err) {
        throw new ConfigError(`TRINO_CA_FILE=${options.caFile}: cannot read the certificate (${errorMessage(err)})`);
      }
    }
    this.trino = Trino.create({
      // Every session in UTC: the lake's timestamps are UTC instants, whatever zone the cluster runs in.
      // PARAMETRIC_DATETIME: Trino reports timestamp(6) as such, with its microseconds; to a client
      // without it Trino says "timestamp" (which means timestamp(3) in DDL) and rounds the values to
      // milliseconds, so a scratch table typed from a query's columns was refused by the connector.
      server, source: 'lakehouse', catalog: TRINO_CATALOG,
      extraHeaders: { 'X-Trino-User': user, 'X-Trino-Time-Zone': 'UTC', 'X-Trino-Client-Capabilities': 'PARAMETRIC_DATETIME' },
      ...(options.password ? { auth: new BasicAuth(user, options.password) } : {}),
      ...(ca ? { ssl: { ca } } : {}),
    });
  }

  /** A clear error for failures that are about who we are or whom we talk to, else null. */
  private connectionProblem(err: unknown): LakehouseError | null {
    const e = err as { response?: { status?: number }; code?: string; cause?: { code?: string } };
    if (e.response?.status === 401) {
      return new TrinoAuthError(this.hasPassword
        ? `Trino refused the credentials of user ${this.user} at ${this.server} (unknown user or wrong password): check TRINO_USER and TRINO_PASSWORD`
        : `Trino at ${this.server} requires a password for user ${this.user}: set TRINO_PASSWORD`, { cause: err });
    }
    const code = e.code ?? e.cause?.code;
    if (code && TLS_TRUST_CODES.has(code)) {
      return new LakehouseError(`cannot trust the certificate of ${this.server} (${code}): set TRINO_CA_FILE to the PEM certificate Trino serves (scripts/trino-start.sh generates <TRINO_SECURITY_DIR>/tls/ca.pem)`, { cause: err });
    }
    return null;
  }

  /**
   * Runs one statement to completion; throws TrinoQueryError on any failure. A statement the cluster
   * failed (isTransientQueryFailure) runs again, after `options.beforeRetry`.
   */
  async query(sql: string, options: StatementOptions = {}): Promise<TrinoResult> {
    return withRetry(() => this.queryOnce(sql, options.session), this.statementRetry, async (attempt, err) => {
      const failure = err as TrinoQueryError;
      this.onStatementRetry?.(attempt, failure);
      await options.beforeRetry?.(failure);
    }, isTransientQueryFailure);
  }

  private async queryOnce(sql: string, session: Record<string, string> | undefined): Promise<TrinoResult> {
    const fail = (msg: string, name?: string, cause?: unknown): never => {
      throw new TrinoQueryError(sql, msg, name, { cause });
    };
    const iter = await withRetry(() => this.trino.query({ query: sql, user: this.user, ...(session ? { session } : {}) }), this.retry).catch((err: unknown) => {
      const problem = this.connectionProblem(err);
      if (problem) throw problem;
      return fail(`${this.server} did not accept the query (${describeHttpError(err)})`, undefined, err);
    });
    const result: TrinoResult = { columns: [], rows: [] };
    for (;;) {
      // A failed next() leaves the iterator on the same nextUri, so calling it again retries the page.
      const step = await withRetry(() => iter.next(), this.retry).catch((err: unknown) =>
        fail(`lost the query while reading results (${describeHttpError(err)})`, undefined, err),
      );
      const page = step.value as QueryResult | undefined;
      if (page?.error) fail(page.error.message, page.error.errorName);
      if (page?.columns && result.columns.length === 0) result.columns = page.columns.map((c) => ({ name: c.name, type: c.type }));
      if (page?.data) for (const row of page.data) result.rows.push(row as unknown[]);
      if (page?.stats && page.id) {
        const { cpuTimeMillis, elapsedTimeMillis, queuedTimeMillis } = page.stats;
        result.stats = { queryId: page.id, cpuTimeMillis, elapsedTimeMillis, queuedTimeMillis };
      }
      if (step.done) return result;
    }
  }

  /** Rows as objects keyed by column name (values as Trino's JSON protocol gives them). */
  async rows(sql: string): Promise<Record<string, unknown>[]> {
    const { columns, rows } = await this.query(sql);
    return rows.map((r) => Object.fromEntries(columns.map((c, i) => [c.name, r[i]])));
  }
}

/** A client for the configured Trino; a clear error when TRINO_URL or (for https) TRINO_PASSWORD is not set. */
export function trinoFromConfig(config: Config, options: Pick<TrinoClientOptions, 'onStatementRetry'> = {}): TrinoClient {
  const { url, user, password, caFile } = config.trino;
  if (!url) throw new ConfigError('TRINO_URL is not set: point it at the Trino that serves this data dir, e.g. https://127.0.0.1:8080');
  if (/^https:/i.test(url) && !password) {
    throw new ConfigError(`TRINO_PASSWORD is not set: the Trino at ${url} authenticates every user; set TRINO_PASSWORD to the password of TRINO_USER=${user} (scripts/trino-start.sh keeps lakehouse's in <TRINO_SECURITY_DIR>/lakehouse.password)`);
  }
  return new TrinoClient(url.replace(/\/+$/, ''), user, { password, caFile, ...options });
}

/** A client from the environment: TRINO_URL, TRINO_USER (default lakehouse), TRINO_PASSWORD, TRINO_CA_FILE. */
export function trinoFromEnv(env: Record<string, string | undefined> = process.env, user?: string, password?: string): TrinoClient {
  const url = env.TRINO_URL;
  if (!url) throw new ConfigError('TRINO_URL is not set');
  return new TrinoClient(url.replace(/\/+$/, ''), user ?? (env.TRINO_USER || 'lakehouse'), {
    password: user === undefined ? env.TRINO_PASSWORD || undefined : password, caFile: env.TRINO_CA_FILE || undefined,
  });
}
