#!/usr/bin/env node
// Runs `select 1` through trino-client against the Trino at the given URL (default TRINO_URL or
// http://127.0.0.1:8080); exit 0 when it answers 1. Used by scripts/trino-start.sh as the last
// health check.
import { Trino } from 'trino-client';

const server = process.argv[2] ?? process.env.TRINO_URL ?? 'http://127.0.0.1:8080';
const trino = Trino.create({ server, source: 'lakehouse-ping' });
const iter = await trino.query({ query: 'select 1', user: process.env.TRINO_USER ?? 'lakehouse' });
let value;
for (;;) {
  const { value: result, done } = await iter.next();
  if (result?.error) {
    console.error(`trino-ping: select 1 failed: ${result.error.message}`);
    process.exit(1);
  }
  if (result?.data?.length) value = result.data[0][0];
  if (done) break;
}
if (value !== 1) {
  console.error(`trino-ping: select 1 returned ${JSON.stringify(value)}`);
  process.exit(1);
}
console.error(`trino-ping: select 1 ok at ${server}`);
