// A fake Last.fm API on 127.0.0.1 for tests, serving the real recorded user.getrecenttracks track
// objects of shared data (jimkollevik's 49-scrobble page, and the now-playing entry of the later
// reply, which the real API puts on top of page 1). `from` (uts, inclusive), `limit` and `page` are
// honoured, newest first, with the real envelope ("@attr" strings). Scripted faults: 429 with
// Retry-After, 500, 503.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface FakeLastfmOptions {
  sharedDataDir: string;
  apiKey: string;
  user: string;
}

export interface LastfmFault { kind: '429' | '500' | '503'; times?: number; retryAfterSec?: number }

type Track = Record<string, unknown> & { date?: { uts: string } };

export function loadRecordedTracks(sharedDataDir: string): { scrobbles: Track[]; nowPlaying: Track } {
  const dir = join(sharedDataDir, 'lastfm', 'jimkollevik__jimkollevik.github.io');
  const page = JSON.parse(readFileSync(join(dir, '68c8e6f', 'recent-tracks.json'), 'utf8')) as { recenttracks: { track: Track[] } };
  const later = JSON.parse(readFileSync(join(dir, 'b63fab1', 'recent-tracks.json'), 'utf8')) as { recenttracks: { track: Track[] } };
  return { scrobbles: page.recenttracks.track, nowPlaying: later.recenttracks.track[0] };
}

export class FakeLastfm {
  readonly requests: { query: Record<string, string>; status: number }[] = [];
  private faults: LastfmFault[] = [];
  private server!: Server;
  url = '';
  private readonly scrobbles: Track[];
  private readonly nowPlaying: Track;

  constructor(private readonly opts: FakeLastfmOptions) {
    const rec = loadRecordedTracks(opts.sharedDataDir);
    this.scrobbles = rec.scrobbles;
    this.nowPlaying = rec.nowPlaying;
  }

  fault(f: LastfmFault): void {
    this.faults.push({ times: 1, ...f });
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const u = new URL(req.url ?? '/', 'http://127.0.0.1');
      const query = Object.fromEntries(u.searchParams.entries());
      const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
        this.requests.push({ query, status });
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(body));
      };
      const f = this.faults[0];
      if (f) {
        if (--f.times! <= 0) this.faults.shift();
        if (f.kind === '429') return send(429, { error: 29, message: 'Rate Limit Exceeded' }, { 'retry-after': String(f.retryAfterSec ?? 0) });
        return send(Number(f.kind), { error: 16, message: 'There was a temporary error processing your request. Please try again' });
      }
      if (query.api_key !== this.opts.apiKey) return send(403, { error: 10, message: 'Invalid API key - You must be granted a valid key by last.fm' });
      if (query.method !== 'user.getrecenttracks') return send(400, { error: 3, message: 'Invalid Method - No method with that name in this package' });
      if (query.user !== this.opts.user) return send(404, { error: 6, message: 'User not found' });
      const from = query.from ? Number(query.from) : 0;
      const limit = Math.min(200, Math.max(1, Number(query.limit ?? 50)));
      const page = Math.max(1, Number(query.page ?? 1));
      const matching = this.scrobbles.filter((t) => Number(t.date!.uts) >= from);
      const totalPages = Math.max(1, Math.ceil(matching.length / limit));
      const slice = matching.slice((page - 1) * limit, page * limit);
      const track = page === 1 ? [this.nowPlaying, ...slice] : slice;
      send(200, { recenttracks: { track, '@attr': { user: this.opts.user, totalPages: String(totalPages), page: String(page), perPage: String(limit), total: String(matching.length) } } });
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', () => r()));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/2.0/`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}
