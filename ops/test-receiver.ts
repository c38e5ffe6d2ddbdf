// Tests only: a webhook receiver on 127.0.0.1 (random port) that records every request and answers
// with the status the test chooses per request.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Received {
  path: string;
  contentType: string | undefined;
  body: any;
}

export async function webhookReceiver(status: (n: number) => number = () => 200): Promise<{ url: string; received: Received[]; close: () => Promise<void> }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (d) => (text += d));
    req.on('end', () => {
      received.push({ path: req.url ?? '', contentType: req.headers['content-type'], body: JSON.parse(text) });
      const code = status(received.length);
      res.writeHead(code, { 'content-type': 'text/plain' }).end(code < 300 ? 'ok' : 'receiver refused');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, received, close: () => new Promise((r) => server.close(() => r())) };
}

/** Writes alerts.yaml into a data dir. */
export function writeRules(dataDir: string, yaml: string): string {
  const file = join(dataDir, 'alerts.yaml');
  writeFileSync(file, yaml);
  return file;
}
