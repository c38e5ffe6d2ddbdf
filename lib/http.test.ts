// The source-neutral retrying fetch, against a real local HTTP server: what the API clients
// (ingestion/spotify, ingestion/lastfm) rely on without any source's code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { backoffDelay } from './retry.ts';
import { createResilientFetch, DEFAULT_POLICY, emptyStats, HttpNetworkError, parseRetryAfter, redactUrl } from './http.ts';

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ url: string; stop: () => Promise<void> }> {
  const server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, stop: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }) };
}

function capture() {
  const lines: string[] = [];
  const stream = new Writable({ write(chunk, _enc, cb) { lines.push(String(chunk)); cb(); } });
  return { log: pino({ level: 'trace' }, stream), lines };
}

test('backoff grows exponentially with jitter and is capped; Retry-After parses seconds and dates', () => {
  const p = { ...DEFAULT_POLICY, baseDelayMs: 100, maxDelayMs: 1000 };
  assert.equal(backoffDelay(0, p, () => 0), 50);
  assert.equal(backoffDelay(0, p, () => 1), 100);
  assert.equal(backoffDelay(3, p, () => 1), 800);
  assert.equal(backoffDelay(10, p, () => 1), 1000);
  assert.equal(parseRetryAfter('7'), 7000);
  assert.equal(parseRetryAfter(new Date(Date.UTC(2030, 0, 1, 0, 0, 10)).toUTCString(), Date.UTC(2030, 0, 1)), 10_000);
  assert.equal(parseRetryAfter(null), null);
  assert.equal(parseRetryAfter('soon'), null);
});

test('a 5xx is retried, logged under the service name without the query string, then succeeds', async () => {
  let calls = 0;
  const server = await serve((_req, res) => {
    calls++;
    if (calls === 1) res.writeHead(503).end('busy');
    else res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  });
  try {
    const { log, lines } = capture();
    const stats = emptyStats();
    const http = createResilientFetch({ service: 'Example', stats, log, policy: { baseDelayMs: 1 } });
    const res = await http(`${server.url}/v1/items?api_key=SECRET123&page=1`);
    assert.deepEqual(await res.json(), { ok: true });
    assert.deepEqual({ requests: stats.requests, retries: stats.retries, server_errors: stats.server_errors, failures: stats.failures },
      { requests: 2, retries: 1, server_errors: 1, failures: 0 });
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /retrying Example request/);
    assert.match(lines[0]!, /\/v1\/items"/);
    assert.doesNotMatch(lines.join(''), /SECRET123/);
  } finally {
    await server.stop();
  }
});

test('a body that is never valid JSON fails with an HttpNetworkError naming the path, never the key', async () => {
  const server = await serve((_req, res) => void res.writeHead(200, { 'content-type': 'application/json' }).end('{not json'));
  try {
    const stats = emptyStats();
    const http = createResilientFetch({ stats, policy: { maxRetries: 1, baseDelayMs: 1 } });
    await assert.rejects(http(`${server.url}/api/token?code=SECRET456`), (err: Error) =>
      err instanceof HttpNetworkError && err.message === `${server.url}/api/token: response body is not valid JSON after 2 attempt(s)`);
    assert.deepEqual({ malformed: stats.malformed_bodies, failures: stats.failures }, { malformed: 2, failures: 1 });
  } finally {
    await server.stop();
  }
});

test('redactUrl keeps origin and path only', () => {
  assert.equal(redactUrl('https://ws.example.org/2.0/?method=x&api_key=k'), 'https://ws.example.org/2.0/');
  assert.equal(redactUrl('not a url'), '<url>');
});
