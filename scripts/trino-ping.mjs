#!/usr/bin/env node
// Runs `select 1` through trino-client against the Trino at the given URL (default TRINO_URL or
// https://127.0.0.1:8080), as TRINO_USER (default lakehouse) with TRINO_PASSWORD over HTTPS trusting
// TRINO_CA_FILE; exit 0 when it answers 1. Used by scripts/trino-start.sh as the last health check.
// With --active-workers it prints instead how many workers (non-coordinator nodes) the coordinator
// lists as active in system.runtime.nodes (the start script waits for --workers N of them).
import { readFileSync } from 'node:fs';
import { BasicAuth, Trino } from 'trino-client';

const args = process.argv.slice(2);
const countWorkers = args.includes('--active-workers');
const server = args.find((a) => !a.startsWith('--')) ?? process.env.TRINO_URL ?? 'https://127.0.0.1:8080';
const sql = countWorkers ? "select count(*) from system.runtime.nodes where coordinator = false and state = 'active'" : 'select 1';
const user = process.env.TRINO_USER || 'lakehouse';
const password = process.env.TRINO_PASSWORD || undefined;
const ca = process.env.TRINO_CA_FILE ? readFileSync(process.env.TRINO_CA_FILE) : undefined;
const trino = Trino.create({
  server, source: 'lakehouse-ping', ...(password ? { auth: new BasicAuth(user, password) } : {}), ...(ca ? { ssl: { ca } } : {}),
});
let value;
try {
  const iter = await trino.query({ query: sql, user });
  for (;;) {
    const { value: result, done } = await iter.next();
    if (result?.error) {
      console.error(`trino-ping: ${sql} failed: ${result.error.message}`);
      process.exit(1);
    }
    if (result?.data?.length) value = result.data[0][0];
    if (done) break;
  }
} catch (err) {
  const status = err?.response?.status;
  console.error(`trino-ping: ${server} refused ${sql} as ${user}: ${status === 401 ? 'wrong credentials (HTTP 401)' : err?.message ?? err}`);
  process.exit(1);
}
if (countWorkers) {
  process.stdout.write(`${value}\n`);
  process.exit(0);
}
if (value !== 1) {
  console.error(`trino-ping: select 1 returned ${JSON.stringify(value)}`);
  process.exit(1);
}
console.error(`trino-ping: select 1 ok at ${server} as ${user}`);
