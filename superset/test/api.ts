// A small client of Superset's REST API for the stack tests: logs in (JWT) as the admin or an
// analyst, lists dashboards and their charts, and requests a chart's data through
// GET /api/v1/chart/<id>/data/.
import { homedir } from 'node:os';
import { join } from 'node:path';

export class SupersetApiError extends Error {
  override name = 'SupersetApiError';
}

export interface SupersetSettings {
  url: string;
  user: string;
  password: string;
}

/** SUPERSET_HOME as scripts/superset-common.sh sets it. */
export function supersetHome(): string {
  const cache = process.env.LAKEHOUSE_CACHE_DIR ?? join(homedir(), '.cache', 'lakehouse');
  return process.env.SUPERSET_HOME ?? join(cache, 'superset-home');
}

/** URL and admin credentials from the environment (scripts/test-stack.sh sets a random admin password). */
export function supersetSettings(): SupersetSettings {
  const url = (process.env.SUPERSET_URL ?? `http://127.0.0.1:${process.env.SUPERSET_PORT ?? '8088'}`).replace(/\/$/, '');
  return { url, user: process.env.SUPERSET_ADMIN_USER ?? '', password: process.env.SUPERSET_ADMIN_PASSWORD ?? '' };
}

export interface ChartResult { rowcount: number; error: string | null; data: Record<string, unknown>[]; isCached: boolean }
export interface ChartData { status: number; results: ChartResult[]; body: string }

/** fetch, retried on network errors (a kept-alive connection the server closed meanwhile). */
async function fetchRetry(url: string, init?: RequestInit, attempts = 3): Promise<Response> {
  for (let i = 1; ; i++) {
    try {
      return await fetch(url, init);
    } catch (err) {
      if (i >= attempts) throw new SupersetApiError(`${init?.method ?? 'GET'} ${url}: ${(err as Error).message} (${String((err as Error).cause ?? '')})`);
      await new Promise((r) => setTimeout(r, 500 * i));
    }
  }
}

export class SupersetApi {
  private token = '';

  constructor(readonly settings: SupersetSettings) {}

  async healthy(): Promise<boolean> {
    try {
      const res = await fetch(`${this.settings.url}/health`, { signal: AbortSignal.timeout(5000) });
      return res.ok;
    } catch {
      return false;
    }
  }

  async login(): Promise<void> {
    const res = await fetchRetry(`${this.settings.url}/api/v1/security/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: this.settings.user, password: this.settings.password, provider: 'db', refresh: false }),
    });
    if (!res.ok) throw new SupersetApiError(`login as ${this.settings.user || '(SUPERSET_ADMIN_USER unset)'}: HTTP ${res.status}`);
    this.token = ((await res.json()) as { access_token: string }).access_token;
  }

  /** GET with the token; logs in again once when Superset says the token expired (it lives 15 minutes). */
  private async authed(path: string): Promise<Response> {
    const res = await fetchRetry(`${this.settings.url}${path}`, { headers: { authorization: `Bearer ${this.token}` } });
    if (res.status !== 401) return res;
    await this.login();
    return fetchRetry(`${this.settings.url}${path}`, { headers: { authorization: `Bearer ${this.token}` } });
  }

  async get<T>(path: string): Promise<T> {
    const res = await this.authed(path);
    if (!res.ok) throw new SupersetApiError(`GET ${path}: HTTP ${res.status}: ${(await res.text()).slice(0, 300)}`);
    return (await res.json()) as T;
  }

  /** Every object of a list endpoint (chart, dashboard, dataset, database): id and the given columns. */
  async list(resource: string, columns: string[]): Promise<Record<string, unknown>[]> {
    const q = `(columns:!(${['id', ...columns].join(',')}),page:0,page_size:1000)`;
    const rows = (await this.get<{ result: Record<string, unknown>[] }>(`/api/v1/${resource}/?q=${encodeURIComponent(q)}`)).result;
    return rows.sort((a, b) => Number(a.id) - Number(b.id));
  }

  async dashboard(idOrSlug: string | number): Promise<{ id: number; dashboard_title: string; url: string }> {
    return (await this.get<{ result: { id: number; dashboard_title: string; url: string } }>(`/api/v1/dashboard/${idOrSlug}`)).result;
  }

  async dashboardCharts(id: number): Promise<{ id: number; slice_name: string }[]> {
    return (await this.get<{ result: { id: number; slice_name: string }[] }>(`/api/v1/dashboard/${id}/charts`)).result;
  }

  /** The chart's data as its saved query context asks for it. */
  async chartData(id: number): Promise<ChartData> {
    const res = await this.authed(`/api/v1/chart/${id}/data/`);
    const body = await res.text();
    let results: ChartData['results'] = [];
    try {
      results = ((JSON.parse(body) as { result?: ChartData['results'] }).result ?? [])
        .map((r) => ({ rowcount: r.rowcount, error: r.error ?? null, data: r.data ?? [], isCached: !!(r as { is_cached?: boolean }).is_cached }));
    } catch {
      // not JSON: the status and body tell what went wrong
    }
    return { status: res.status, results, body: body.slice(0, 500) };
  }
}
