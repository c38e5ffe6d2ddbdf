// A fake Spotify (accounts + Web API) on 127.0.0.1 for tests, serving the real recorded responses in
// shared data. Recently played behaves like the real service: only the last `windowSize` plays of the
// timeline revealed so far are reachable; `after`/`before` (epoch ms, exclusive) and `limit` (1-50)
// are honoured; items come newest first with `cursors` and `next`. Scripted faults: 429 with
// Retry-After, 5xx, 401, 403, a dropped connection, a malformed body, a hang. Every 200 body it
// serves is validated against the OpenAPI spec; failures are collected in `specErrors`.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeAccounts, json } from './fake-accounts.ts';
import { loadAudioFeatures, loadTimeline, type TimelineEntry } from './fake-recordings.ts';
import { describeErrors, loadSpecValidator, type SpecValidator } from './openapi.ts';

export type FaultKind = '429' | '500' | '503' | '401' | '403' | 'drop' | 'malformed' | 'hang';
export type Route = 'recently-played' | 'audio-features' | 'token';

export interface Fault {
  route: Route;
  kind: FaultKind;
  /** How many requests it hits (default 1; Infinity for "always"). */
  times?: number;
  retryAfterSec?: number;
}

export interface FakeSpotifyOptions {
  sharedDataDir: string;
  clientId?: string;
  clientSecret?: string;
  tokenTtlSec?: number;
  windowSize?: number;
  /** Plays of the timeline revealed at start (default: all). */
  visible?: number;
}

export interface LoggedRequest {
  method: string;
  route: string;
  query: Record<string, string>;
  status: number | 'dropped' | 'hung';
}

export class FakeSpotify {
  readonly accounts: FakeAccounts;
  readonly timeline: TimelineEntry[];
  readonly features: Map<string, Record<string, unknown>>;
  readonly requests: LoggedRequest[] = [];
  readonly specErrors: string[] = [];
  readonly clientId: string;
  readonly clientSecret: string | undefined;
  visible: number;
  private readonly windowSize: number;
  private readonly faults: Fault[] = [];
  private readonly validator: SpecValidator;
  private server: Server | null = null;
  url = '';

  constructor(opts: FakeSpotifyOptions) {
    this.clientId = opts.clientId ?? 'fake-client-id';
    this.clientSecret = opts.clientSecret;
    this.accounts = new FakeAccounts({ clientId: this.clientId, clientSecret: opts.clientSecret, tokenTtlSec: opts.tokenTtlSec ?? 3600 });
    this.timeline = loadTimeline(opts.sharedDataDir);
    this.features = loadAudioFeatures(opts.sharedDataDir);
    this.validator = loadSpecValidator(opts.sharedDataDir);
    this.windowSize = opts.windowSize ?? 50;
    this.visible = Math.min(opts.visible ?? this.timeline.length, this.timeline.length);
  }

  get apiBaseUrl(): string { return `${this.url}/v1`; }
  get accountsBaseUrl(): string { return this.url; }

  /** The environment that points our client at this server. */
  env(): Record<string, string> {
    const e: Record<string, string> = { SPOTIFY_CLIENT_ID: this.clientId, SPOTIFY_API_BASE_URL: this.apiBaseUrl, SPOTIFY_ACCOUNTS_BASE_URL: this.accountsBaseUrl, SPOTIFY_REDIRECT_URI: 'http://127.0.0.1:0/callback' };
    if (this.clientSecret) e.SPOTIFY_CLIENT_SECRET = this.clientSecret;
    return e;
  }

  /** Reveals n more plays (the listener kept listening). */
  advance(n: number): void {
    this.visible = Math.min(this.timeline.length, this.visible + n);
  }

  /** The plays the API can still return: the last windowSize revealed ones, oldest first. */
  window(): TimelineEntry[] {
    return this.timeline.slice(Math.max(0, this.visible - this.windowSize), this.visible);
  }

  inject(fault: Fault): void {
    this.faults.push({ times: 1, ...fault });
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res).catch((err) => json(res, 500, { error: { status: 500, message: String(err) } })));
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((r) => this.server?.close(r));
  }

  private takeFault(route: Route): Fault | null {
    const f = this.faults.find((x) => x.route === route && (x.times ?? 1) > 0);
    if (!f) return null;
    f.times = (f.times ?? 1) - 1;
    return f;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const route = url.pathname === '/api/token' ? 'token' : url.pathname.startsWith('/v1/audio-features') ? 'audio-features' : url.pathname === '/v1/me/player/recently-played' ? 'recently-played' : url.pathname;
    const entry: LoggedRequest = { method: req.method ?? 'GET', route, query: Object.fromEntries(url.searchParams), status: 0 };
    this.requests.push(entry);
    res.on('finish', () => { if (entry.status === 0) entry.status = res.statusCode; });
    if (url.pathname === '/authorize') return this.accounts.authorize(url, res);
    const fault = route === 'token' || route === 'audio-features' || route === 'recently-played' ? this.takeFault(route) : null;
    if (fault) return this.fail(fault, entry, res);
    if (route === 'token') return this.accounts.token(req, new URLSearchParams(await readBody(req)), res);
    if (!this.accounts.bearer(req)) return json(res, 401, { error: { status: 401, message: 'The access token expired' } });
    if (route === 'recently-played') return this.recentlyPlayed(url, res);
    if (route === 'audio-features') return this.audioFeatures(url, res);
    return json(res, 404, { error: { status: 404, message: 'Service not found' } });
  }

  private fail(f: Fault, entry: LoggedRequest, res: ServerResponse): void {
    const err = (status: number, message: string, headers: Record<string, string> = {}) => json(res, status, { error: { status, message } }, headers);
    switch (f.kind) {
      case '429': return err(429, 'API rate limit exceeded', { 'Retry-After': String(f.retryAfterSec ?? 1) });
      case '500': return err(500, 'Server error');
      case '503': return err(503, 'Service unavailable');
      case '401': return err(401, 'The access token expired');
      case '403': return err(403, 'Forbidden');
      case 'malformed':
        res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8' }).end('{"items": [{"track": {"album": ');
        return;
      case 'drop':
        entry.status = 'dropped';
        res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': '100000' });
        res.write('{"items": [');
        setTimeout(() => res.socket?.destroy(), 5);
        return;
      case 'hang':
        entry.status = 'hung';
        return;
    }
  }

  private serve(res: ServerResponse, body: unknown, validate: (b: unknown) => boolean, errors: () => unknown): void {
    if (!validate(body)) this.specErrors.push(...describeErrors(errors() as never));
    json(res, 200, body);
  }

  private recentlyPlayed(url: URL, res: ServerResponse): void {
    const q = url.searchParams;
    const limit = q.has('limit') ? Number(q.get('limit')) : 20;
    if (!Number.isInteger(limit) || limit < 1 || limit > 50) return json(res, 400, { error: { status: 400, message: 'Invalid limit' } });
    if (q.has('after') && q.has('before')) return json(res, 400, { error: { status: 400, message: 'Only one of after or before may be given' } });
    const win = this.window();
    let page: TimelineEntry[];
    let more: boolean;
    if (q.has('after')) {
      const after = Number(q.get('after'));
      const newer = win.filter((e) => e.ms > after);
      page = newer.slice(0, limit);
      more = newer.length > limit;
    } else {
      const before = q.has('before') ? Number(q.get('before')) : Infinity;
      const older = win.filter((e) => e.ms < before);
      page = older.slice(Math.max(0, older.length - limit));
      more = older.length > limit;
    }
    const items = [...page].reverse().map((e) => e.item);
    const cursors = page.length > 0 ? { after: String(page[page.length - 1].ms), before: String(page[0].ms) } : null;
    const base = `${this.apiBaseUrl}/me/player/recently-played`;
    const next = !more || !cursors ? null : q.has('after') ? `${base}?after=${cursors.after}&limit=${limit}` : `${base}?before=${cursors.before}&limit=${limit}`;
    const body = { items, next, cursors, limit, href: `${base}?${q.toString()}` };
    this.serve(res, body, this.validator.recentlyPlayed, () => this.validator.recentlyPlayed.errors);
  }

  private audioFeatures(url: URL, res: ServerResponse): void {
    const single = /^\/v1\/audio-features\/([^/]+)$/.exec(url.pathname);
    if (single) {
      const f = this.features.get(single[1]);
      if (!f) return json(res, 404, { error: { status: 404, message: 'analysis not found' } });
      return this.serve(res, f, this.validator.audioFeaturesObject, () => this.validator.audioFeaturesObject.errors);
    }
    const ids = (url.searchParams.get('ids') ?? '').split(',').filter(Boolean);
    if (ids.length === 0 || ids.length > 100) return json(res, 400, { error: { status: 400, message: 'ids: 1 to 100 ids' } });
    const body = { audio_features: ids.map((id) => this.features.get(id) ?? null) };
    this.serve(res, body, this.validator.audioFeatures, () => this.validator.audioFeatures.errors);
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let s = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (s += c));
    req.on('end', () => resolve(s));
    req.on('error', reject);
  });
}

export async function startFakeSpotify(opts: FakeSpotifyOptions): Promise<FakeSpotify> {
  return new FakeSpotify(opts).start();
}
