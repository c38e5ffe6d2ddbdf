// Drives Debian's chromium (never a browser downloaded by a test tool) through playwright-core:
// logs in to Superset as the admin, opens a dashboard, waits until every chart has rendered or
// failed, and saves a PNG of the whole dashboard.
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { SupersetSettings } from './api.ts';

export const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const CHART = '[data-test="chart-grid-component"]';
// A tall viewport puts every chart on screen, so none waits for a scroll to load.
const VIEWPORT = { width: 1600, height: 3000 };

export interface ChartState { name: string; state: 'rendered' | 'error' | 'loading'; text: string; filtered: boolean }

export async function openBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM}: not installed (run scripts/install-chromium.sh)`);
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS });
}

export async function loggedInPage(browser: Browser, s: SupersetSettings): Promise<Page> {
  const page = await browser.newPage({ viewport: VIEWPORT });
  await page.goto(`${s.url}/login/`);
  await page.locator('input#username').fill(s.user);
  await page.locator('input#password').fill(s.password);
  await page.locator('button[type=submit]').click();
  // Logged in once the browser has left /login with the session cookie ('commit'): the page it lands
  // on need not finish loading. Waiting for its 'load' event (the default) timed out once in CI, 60 s
  // after Superset's log shows the login answered and the next pages served.
  await page.waitForURL((u) => !u.pathname.startsWith('/login'), { timeout: 60_000, waitUntil: 'commit' });
  return page;
}

/** Each chart of the open dashboard: rendered (a canvas, svg, table or big number), error, or loading. */
async function chartStates(page: Page): Promise<ChartState[]> {
  return page.locator(CHART).evaluateAll((els) => els.map((el) => {
    const name = el.getAttribute('data-test-chart-name') ?? '?';
    const filtered = !!el.querySelector('[data-test="applied-filter-count"]');
    const alert = el.querySelector('[role="alert"]');
    if (alert) return { name, state: 'error' as const, text: (alert.textContent ?? '').slice(0, 400), filtered };
    const loading = el.querySelector('[data-test="loading-indicator"], img.loading, [aria-label="Loading"]');
    // An empty result is drawn as Superset's "No results" state: rendered, not an error.
    const drawn = el.querySelector('canvas, table, svg:not([data-icon]), .header-line, .big_number') || /No results/i.test(el.textContent ?? '');
    return { name, state: !loading && drawn ? 'rendered' as const : 'loading' as const, text: '', filtered };
  }));
}

/** Opens the dashboard and waits (up to timeoutMs) until no chart is loading; returns their states. */
export async function renderDashboard(page: Page, url: string, timeoutMs = 120_000): Promise<ChartState[]> {
  await page.goto(url);
  await page.waitForSelector(CHART, { timeout: 60_000 });
  const deadline = Date.now() + timeoutMs;
  let states = await chartStates(page);
  while (Date.now() < deadline && (states.length === 0 || states.some((c) => c.state === 'loading'))) {
    await page.waitForTimeout(1000);
    states = await chartStates(page);
  }
  await page.waitForTimeout(1500); // let animations settle before the screenshot
  return chartStates(page);
}

/** A PNG of the dashboard down to its last chart (no fullPage: Superset scrolls an inner pane). */
export async function screenshotDashboard(page: Page, path: string): Promise<void> {
  const bottom = await page.locator(CHART).evaluateAll((els) => Math.max(0, ...els.map((e) => e.getBoundingClientRect().bottom)));
  await page.screenshot({ path, clip: { x: 0, y: 0, width: VIEWPORT.width, height: Math.min(VIEWPORT.height, Math.ceil(bottom) + 40) } });
}
