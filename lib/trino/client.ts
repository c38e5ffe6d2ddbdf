// trino-client, wrapped: it returns query errors inside the result instead of throwing and never
// retries. Here a failed statement throws TrinoQueryError (the SQL and Trino's message), and an
// HTTP 502/503/504 (or 429, or a refused connection while Trino restarts) is retried with backoff.
import { Trino, type QueryResult } from 'trino-client';
import type { Config } from '../config.ts';
import { ConfigError, LakehouseError, errorMessage } from '../errors.ts';

/** The Trino catalog that serves the lake (trino/etc/catalog/lakehouse.properties). */
export const TRINO_CATALOG = 'lakehouse';

export interface TrinoColumn {
  name: string;
  type: string;
}

export interface TrinoResult {
  columns: TrinoColumn[];
  rows: unknown[][];
}

export class TrinoQueryError extends LakehouseError {
  constructor(readonly sql: string, readonly trinoMessage: string, readonly errorName?: string, options?: { cause?: unknown }) {
    super(`trino: ${trinoMessage}${errorName ? ` [${errorName}]` : ''} — in: ${abbreviate(sql)}`, options);
  }
}

function abbreviate(sql: string, max = 300): string {
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

export interface RetryPolicy {
  attempts: number;
  baseDelayMs: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Calls fn, retrying transient HTTP failures with exponential backoff. */
export async function withRetry<T>(fn: () => Promise<T>, policy: RetryPolicy, onRetry?: (attempt: number, err: unknown) => void): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!isTransient(err) || attempt >= policy.attempts) throw err;
      onRetry?.(attempt, err);
      await sleep(policy.baseDelayMs * 2 ** (attempt - 1));
    }
  }
}

export class TrinoClient {
  private readonly trino: Trino;

  constructor(
    readonly server: string,
    readonly user: string,
    private readonly retry: RetryPolicy = { attempts: 5, baseDelayMs: 500 },
  ) {
    this.trino = Trino.create({ server, source: 'lakehouse', catalog: TRINO_CATALOG, extraHeaders: { 'X-Trino-User': user } });
  }

  /** Runs one statement to completion; throws TrinoQueryError on any failure. */
  async query(sql: string): Promise<TrinoResult> {
    const fail = (msg: string, name?: string, cause?: unknown): never => {
      throw new TrinoQueryError(sql, msg, name, { cause });
    };
    const iter = await withRetry(() => this.trino.query({ query: sql, user: this.user }), this.retry).catch((err: unknown) =>
      fail(`${this.server} did not accept the query (${describeHttpError(err)})`, undefined, err),
    );
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
      if (step.done) return result;
    }
  }

  /** Rows as objects keyed by column name (values as Trino's JSON protocol gives them). */
  async rows(sql: string): Promise<Record<string, unknown>[]> {
    const { columns, rows } = await this.query(sql);
    return rows.map((r) => Object.fromEntries(columns.map((c, i) => [c.name, r[i]])));
  }
}

/** A client for the configured Trino; a clear error when TRINO_URL is not set. */
export function trinoFromConfig(config: Config): TrinoClient {
  if (!config.trino.url) throw new ConfigError('TRINO_URL is not set: point it at the Trino that serves this data dir, e.g. http://127.0.0.1:8080');
  return new TrinoClient(config.trino.url.replace(/\/+$/, ''), config.trino.user);
}
