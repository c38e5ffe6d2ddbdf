// For stack tests that need a raw trino-client query (session properties, another user, the time
// zone header) against the Trino of scripts/test-stack.sh; a failed statement throws
// "<errorName>: <message>".
import { readFileSync } from 'node:fs';
import { BasicAuth, Trino } from 'trino-client';

export interface RawQueryOptions {
  user?: string;
  password?: string;
  session?: Record<string, string>;
  timeZone?: string;
}

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

/** A statement as the engine runs it: as lakehouse, time zone UTC (lib/trino/client.ts sends it too). */
export const engineQuery = (sql: string) => rawQuery(sql, { timeZone: 'UTC' });
