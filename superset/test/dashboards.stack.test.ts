// Against the Superset and Trino started by scripts/test-stack.sh: the bundle's dashboards exist,
// every chart's data comes back through Superset's API without error and with rows, every dashboard
// renders in headless chromium without a chart error (a PNG each under artifacts/screenshots/), and
// running the bootstrap twice changes nothing.
// Skips (saying why) only what cannot run yet: no Trino, or gold tables no run publishes yet.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { SupersetApi, supersetSettings } from './api.ts';
import { loggedInPage, openBrowser, renderDashboard, screenshotDashboard } from './browser.ts';
import { REPO_ROOT } from '../lib/datasets.ts';
import { bundleCharts, bundleDashboards, duckdbRows, filteredUrl, publishDemo, publishedTables, runScript, snapshot, someListener, trinoUp, trinoUrl } from './stack-support.ts';
import { compareRows, expectedSql, savedQueries } from './expected.ts';

const SCREENSHOTS = join(REPO_ROOT, 'artifacts', 'screenshots');
const api = new SupersetApi(supersetSettings());
const dashboards = bundleDashboards();
let blocked: string | null = null;
let published = new Set<string>();

function missingTables(tables: string[]): string[] {
  return tables.filter((t) => !published.has(t));
}

before(async () => {
  assert.ok(await api.healthy(), `Superset is not running at ${api.settings.url} (scripts/superset-start.sh)`);
  await api.login();
  if (!(await trinoUp())) { blocked = `Trino is not running at ${trinoUrl()}`; return; }
  published = await publishedTables();
  const wanted = [...new Set(dashboards.flatMap((d) => d.tables))];
  const dataDir = process.env.LAKEHOUSE_DATA_DIR;
  if (missingTables(wanted).length > 0 && dataDir) {
    if (!publishDemo(dataDir)) { blocked = 'gold tables not published yet: there is no `lakehouse publish`'; return; }
    published = await publishedTables();
  }
  const res = runScript('superset-bootstrap.sh');
  assert.equal(res.status, 0, `superset-bootstrap.sh failed:\n${res.stderr.slice(-3000)}`);
});

test('the bundle has the built-in dashboards and Superset shows each of them', async (t) => {
  if (blocked) return t.skip(blocked);
  assert.ok(dashboards.length >= 3, `only ${dashboards.length} dashboards in superset/assets`);
  for (const d of dashboards) {
    const found = await api.dashboard(d.slug);
    assert.equal(found.dashboard_title, d.title);
    assert.equal((await api.dashboardCharts(found.id)).length, d.charts, `${d.title}: chart count`);
  }
});

describe('every chart of every dashboard returns rows through the chart data API', () => {
  const bundle = bundleCharts();
  const dataDir = process.env.LAKEHOUSE_DATA_DIR;
  for (const d of dashboards) {
    test(d.title, async (t) => {
      const missing = missingTables(d.tables);
      if (blocked || missing.length) return t.skip(blocked ?? `gold tables not published yet: ${missing.join(', ')}`);
      const charts = await api.dashboardCharts((await api.dashboard(d.slug)).id);
      for (const c of charts) {
        const data = await api.chartData(c.id);
        assert.equal(data.status, 200, `${d.title} / ${c.slice_name}: HTTP ${data.status}: ${data.body}`);
        assert.ok(data.results.length > 0, `${d.title} / ${c.slice_name}: no query result`);
        for (const r of data.results) {
          assert.equal(r.error, null, `${d.title} / ${c.slice_name}: ${r.error}`);
          // An empty table gives an empty chart, never an error (CONVENTIONS): the demo fills every
          // gold table; ops tables such as ops.alerts may hold nothing yet.
          const table = bundle.get(c.slice_name)?.table;
          if (r.rowcount === 0 && table?.startsWith('ops.') && dataDir) {
            assert.equal(duckdbRows(`select count(*) as n from ${table}`, dataDir)[0].n, 0, `${d.title} / ${c.slice_name}: no rows, but ${table} has some`);
            continue;
          }
          assert.ok(r.rowcount >= 1, `${d.title} / ${c.slice_name}: no rows`);
        }
      }
    });
  }
});

describe('every number a chart shows equals the same query through DuckDB (tolerance 1e-9)', () => {
  const charts = bundleCharts();
  for (const d of dashboards) {
    test(d.title, async (t) => {
      const missing = missingTables(d.tables);
      const dataDir = process.env.LAKEHOUSE_DATA_DIR;
      if (blocked || missing.length || !dataDir) return t.skip(blocked ?? (dataDir ? `gold tables not published yet: ${missing.join(', ')}` : 'LAKEHOUSE_DATA_DIR is not set'));
      const problems: string[] = [];
      for (const c of await api.dashboardCharts((await api.dashboard(d.slug)).id)) {
        const saved = charts.get(c.slice_name);
        assert.ok(saved, `${d.title} / ${c.slice_name}: not in the bundle`);
        const data = await api.chartData(c.id);
        assert.equal(data.status, 200, `${d.title} / ${c.slice_name}: HTTP ${data.status}: ${data.body}`);
        const queries = savedQueries(saved.queryContext);
        const limits = (JSON.parse(saved.queryContext) as { queries: { row_limit?: number }[] }).queries.map((q) => q.row_limit ?? 10000);
        queries.forEach((q, i) => {
          const expected = duckdbRows(expectedSql(q, saved.table), dataDir);
          for (const p of compareRows(data.results[i]?.data ?? [], expected, q, limits[i])) problems.push(`${c.slice_name}: ${p}`);
        });
      }
      assert.deepEqual(problems.slice(0, 20), [], `${d.title}: ${problems.length} differences`);
    });
  }
});

describe('every dashboard renders in headless chromium without a chart error, also filtered on one listener', () => {
  let browser: Browser | undefined;
  let page: Page | undefined;
  after(async () => browser?.close());

  for (const d of dashboards) {
    test(d.title, { timeout: 240_000 }, async (t) => {
      const missing = missingTables(d.tables);
      if (blocked || missing.length) return t.skip(blocked ?? `gold tables not published yet: ${missing.join(', ')}`);
      browser ??= await openBrowser();
      page ??= await loggedInPage(browser, api.settings);
      const states = await renderDashboard(page, `${api.settings.url}/superset/dashboard/${d.slug}/`);
      mkdirSync(SCREENSHOTS, { recursive: true });
      await screenshotDashboard(page, join(SCREENSHOTS, `${d.slug}.png`));
      assert.equal(states.length, d.charts, `${d.title}: ${states.length} of ${d.charts} charts on the page`);
      const bad = states.filter((c) => c.state !== 'rendered');
      assert.deepEqual(bad, [], `${d.title}: charts not rendered:\n${bad.map((c) => `${c.name}: ${c.state} ${c.text}`).join('\n')}`);
      if (!d.listenerFilter) return;
      // The listener filter set to one listener reaches every chart, and every chart still renders.
      // A listener of the first table that has one (cohort-level and run tables have no listener_id).
      let listener: string | null = null;
      for (const t of d.tables) {
        listener = await someListener(t).catch(() => null);
        if (listener) break;
      }
      assert.ok(listener, `${d.title}: no table with a listener`);
      const filtered = await renderDashboard(page, filteredUrl(`${api.settings.url}/superset/dashboard/${d.slug}/`, d.listenerFilter, listener));
      const unfiltered = filtered.filter((c) => c.state !== 'rendered' || (!c.filtered && !d.unfilteredCharts.includes(c.name)));
      assert.deepEqual(unfiltered, [], `${d.title} filtered on ${listener}:\n${unfiltered.map((c) => `${c.name}: ${c.state} filtered=${c.filtered} ${c.text}`).join('\n')}`);
    });
  }
});

test('superset_config refuses a missing, short or well-known secret key', () => {
  const python = join(process.env.LAKEHOUSE_CACHE_DIR ?? join(homedir(), '.cache', 'lakehouse'), 'superset-venv', 'bin', 'python');
  const load = (key: string | undefined) => spawnSync(python, ['-c', 'import runpy, sys; runpy.run_path(sys.argv[1])', join(REPO_ROOT, 'superset', 'superset_config.py')],
    { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', ...(key === undefined ? {} : { SUPERSET_SECRET_KEY: key }) } });
  for (const key of [undefined, '', 'CHANGE_ME', 'CHANGE_ME_TO_A_COMPLEX_RANDOM_SECRET', 'thisISaSECRET_1234', 'short-but-random-9f3k']) {
    const res = load(key);
    assert.notEqual(res.status, 0, `accepted SUPERSET_SECRET_KEY=${JSON.stringify(key)}`);
    assert.match(res.stderr, /SUPERSET_SECRET_KEY/);
  }
  const good = load(randomBytes(36).toString('base64'));
  assert.equal(good.status, 0, good.stderr);
});

test('running the bootstrap again changes nothing', { timeout: 300_000 }, async (t) => {
  if (blocked) return t.skip(blocked);
  // Bootstrap first: opening dashboards in the browser lets Superset's UI save label colours into them.
  const bootstrap = () => {
    const res = runScript('superset-bootstrap.sh');
    assert.equal(res.status, 0, `superset-bootstrap.sh failed:\n${res.stderr.slice(-3000)}`);
  };
  bootstrap();
  const first = await snapshot(api);
  bootstrap();
  const second = await snapshot(api);
  assert.ok(Object.keys(first.export as object).length > dashboards.length, 'the export holds the bundle');
  assert.deepEqual(second, first);
});
