// Both reports in headless Chromium (Debian's /usr/bin/chromium through playwright-core, as the
// Superset browser tests do): opened from file:// with every network request refused, screenshotted at
// desktop width and as A4 print (plus a PDF), each chart checked to have a size and visible ink.
// PNGs and PDFs land in artifacts/screenshots/. Skips, saying why, where chromium is not installed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { CHROMIUM, openBrowser } from '../superset/test/browser.ts';
import { silentLogger } from '../lib/logger.ts';
import { repoRoot, tempDir, testConfig } from '../test/helpers.ts';
import { buildReport } from './index.ts';
import { fullDemoLake } from './test-support.ts';

const SHOTS = join(repoRoot, 'artifacts', 'screenshots');
const skip = existsSync(CHROMIUM) ? false : `${CHROMIUM} is not installed (scripts/install-chromium.sh installs it; npm run test:stack does)`;
/** A4 width at 96 dpi. */
const A4 = { width: 794, height: 1123 };

interface ChartCheck { id: string; width: number; height: number; right: number; ink: number; markInk: number }

/** Share of the pixels of a PNG that are not (near) white, decoded by the browser itself (no image library). */
async function inkOf(page: Page, png: Buffer): Promise<number> {
  return await page.evaluate(`(async () => {
    const img = new Image();
    img.src = 'data:image/png;base64,${png.toString('base64')}';
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = img.width;
    canvas.height = img.height;
    const ctx = canvas.getContext('2d');
    ctx.drawImage(img, 0, 0);
    const data = ctx.getImageData(0, 0, img.width, img.height).data;
    let inked = 0;
    for (let i = 0; i < data.length; i += 4) if (data[i] < 235 || data[i + 1] < 235 || data[i + 2] < 235) inked++;
    return inked / (img.width * img.height);
  })()`) as number;
}

/**
 * Size of every chart, the share of its pixels with ink, and the share that is the data marks' own:
 * the ink lost when vega's data marks (g.role-mark) are hidden, leaving axes, grid and legend.
 */
async function chartChecks(page: Page): Promise<ChartCheck[]> {
  const out: ChartCheck[] = [];
  for (const fig of await page.locator('figure[data-chart]').all()) {
    const id = (await fig.getAttribute('data-chart'))!;
    const svg = fig.locator('svg');
    await svg.scrollIntoViewIfNeeded();
    const box = (await svg.boundingBox())!;
    const ink = await inkOf(page, await svg.screenshot());
    await page.evaluate(`document.querySelector('figure[data-chart="${id}"] svg').classList.add('hide-marks')`);
    const bare = await inkOf(page, await svg.screenshot());
    await page.evaluate(`document.querySelector('figure[data-chart="${id}"] svg').classList.remove('hide-marks')`);
    out.push({ id, width: box.width, height: box.height, right: box.x + box.width, ink, markInk: ink - bare });
  }
  return out;
}

async function shoot(page: Page, name: string, declared: string[]): Promise<void> {
  // Desktop.
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.emulateMedia({ media: 'screen' });
  await page.screenshot({ path: join(SHOTS, `${name}-desktop.png`), fullPage: true });
  const desktop = await chartChecks(page);
  assert.deepEqual(desktop.map((c) => c.id), declared, `${name}: every declared chart is on the page`);
  for (const c of desktop) {
    assert.ok(c.width >= 200 && c.height >= 50, `${name} ${c.id}: drawn at ${c.width}×${c.height}`);
    assert.ok(c.markInk > 0.005, `${name} ${c.id}: the data marks make only ${(c.markInk * 100).toFixed(2)} % of the chart (blank?)`);
  }
  // A4 print: the page laid out at A4 width with the print styles; charts fit the page and keep their ink.
  await page.setViewportSize(A4);
  await page.emulateMedia({ media: 'print' });
  await page.screenshot({ path: join(SHOTS, `${name}-print-a4.png`), fullPage: true });
  const print = await chartChecks(page);
  for (const c of print) {
    assert.ok(c.right <= A4.width + 1, `${name} ${c.id}: ${c.right}px wide, beyond the A4 page`);
    assert.ok(c.markInk > 0.005, `${name} ${c.id} (print): the data marks make only ${(c.markInk * 100).toFixed(2)} %`);
  }
  const pdf = await page.pdf({ format: 'A4', printBackground: true, path: join(SHOTS, `${name}.pdf`) });
  const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? []).length;
  assert.ok(pages >= 2, `${name}: ${pages} A4 pages`);
  // Negative control: a chart whose data marks are not drawn fails the check above.
  await page.addStyleTag({ content: `figure[data-chart="${declared[0]}"] g.role-mark { visibility: hidden; }` });
  const [blank] = await chartChecks(page);
  assert.ok(blank.markInk < 0.001, `${name}: a chart without visible marks measures ${(blank.markInk * 100).toFixed(2)} %`);
  process.stderr.write(`${name}: ${declared.length} charts; ink of the data marks per chart ${desktop.map((c) => `${c.id} ${(c.markInk * 100).toFixed(1)} %`).join(', ')}; ${pages} A4 pages\n`);
}

test('both reports render in headless Chromium offline, at desktop width and on A4, with no blank chart', { skip }, async () => {
  const dir = await fullDemoLake();
  const config = testConfig(dir, {}, { DUCKDB_THREADS: '1' });
  const out = tempDir('lakehouse-report-html-');
  mkdirSync(SHOTS, { recursive: true });
  const browser = await openBrowser();
  try {
    const reports = [
      ['report-study', await buildReport(config, silentLogger, { kind: 'study' })],
      ['report-listener', await buildReport(config, silentLogger, { kind: 'listener', listener: 'demo-tokyo' })],
    ] as const;
    for (const [name, report] of reports) {
      const file = join(out.dir, `${name}.html`);
      writeFileSync(file, report.html);
      const page = await browser.newPage();
      const refused: string[] = [];
      await page.route('**/*', (route) => {
        const url = route.request().url();
        if (url.startsWith('file:') || url.startsWith('data:')) return route.continue();
        refused.push(url);
        return route.abort();
      });
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      await page.goto(`file://${file}`);
      await page.addStyleTag({ content: 'svg.hide-marks g.role-mark { visibility: hidden; }' });
      assert.deepEqual(refused, [], `${name}: no network request`);
      assert.deepEqual(errors, []);
      await shoot(page, name, report.charts);
      await page.close();
      assert.ok(readFileSync(join(SHOTS, `${name}-desktop.png`)).length > 10_000);
    }
  } finally {
    await browser.close();
    out.cleanup();
  }
});
