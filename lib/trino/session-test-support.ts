// For stack tests that need what lib/trino/client.ts does not set: session properties (the Trino
// engine's lakehouse.timestamp_precision) and the X-Trino-Time-Zone header. A raw trino-client
// query against the Trino of scripts/test-stack.sh; a failed statement throws "<errorName>: <message>".
import { readFileSync } from 'node:fs';
import { BasicAuth, Trino } from 'trino-client';

export interface RawQueryOptions {
  user?: string;
  password?: string;
  session?: Record<string, string>;
  timeZone?: string;
}

/** The session the Trino engine runs with (trino/README.md, "Trino as the engine"). */
export const ENGINE_SESSION = { 'lakehouse.timestamp_precision': 'MICROSECONDS' };

export async function rawQuery(sql: string, opts: RawQueryOptions = {}): Promise<unknown[][]> {
  const user = opts.user ?? 'lakehouse';
  const caFile = process.env.TRINO_CA_FILE;
  const trino = Trino.create({
    server: process.env.TRINO_URL, catalog: 'lakehouse', source: 'lakehouse-stack-test',
    auth: new BasicAuth(user, opts.password ?? process.env.TRINO_PASSWORD),
    ...(caFile ? { ssl: { ca: readFileSync(caFile) } } : {}), session: opts.session ?? {},
    extraHeaders: { 'X-Trino-User': user, ...(opts.timeZone ? { 'X-Trino-Time-Zone': opts.timeZone } : {}) },
  });
  const rows: unknown[][] = [];
  for await (const page of await trino.query(sql)) {
    if (page.error) throw new Error(`${page.error.errorName}: ${page.error.message}`);
    if (page.data) rows.push(...page.data);
  }
  return rows;
}

/** A statement in the engine's session (microsecond timestamps, time zone UTC), as lakehouse. */
export const engineQuery = (sql: string) => rawQuery(sql, { session: ENGINE_SESSION, timeZone: 'UTC' });
