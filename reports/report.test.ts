// Both reports on a demo lake with every gold table: charts present and drawn, nothing broken, every
// sampled number equal to its table row, no other participant in a listener report, the CLI's
// contract (files, stdout, --json, exit codes), and plain notices for tables a lake does not have.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { silentLogger } from '../lib/logger.ts';
import { withReader } from '../lib/session.ts';
import { readCatalog, writeCatalog } from '../lib/lake.ts';
import { queryRows } from '../lib/duckdb.ts';
import { runCli, tempDir, testConfig } from '../test/helpers.ts';
import { buildReport } from './index.ts';
import { checkTraced, fullDemoLake, structureProblems, tracedValues } from './test-support.ts';

const OPTIONAL: [string, string][] = [['gold.circadian_profile', 'circadian'], ['gold.cohort_comparison', 'cohort'], ['gold.recommendation_evaluation', 'recommendation-evaluation']];

test('study report on the demo lake: every chart drawn, every sampled number equals its table, missing tables named', async () => {
  const dir = await fullDemoLake();
  const config = testConfig(dir, {}, { DUCKDB_THREADS: '1' });
  const report = await buildReport(config, silentLogger, { kind: 'study' });
  assert.deepEqual(structureProblems(report.html), []);
  for (const id of ['plays-per-month', 'streams-per-month', 'feature-sources', 'skip-rate', 'discovery', 'diversity', 'genre-mix', 'model-evaluation', 'quality-checks']) {
    assert.ok(report.charts.includes(id), `chart ${id} drawn`);
  }
  const catalog = readCatalog(dir);
  for (const [table, chart] of OPTIONAL) {
    if (catalog.tables[table]) assert.ok(report.charts.includes(chart), `${table} exists: chart ${chart} drawn`);
    else {
      assert.ok(!report.charts.includes(chart));
      assert.match(report.html, new RegExp(`Not built in this lake: ${table.replace('.', '\\.')} is not built in this lake`));
    }
  }
  const traced = tracedValues(report.html);
  assert.ok(traced.length > 200, `${traced.length} traced values`);
  for (const t of ['gold.listener_monthly_behavior', 'gold.feature_source_coverage', 'gold.model_performance_metrics', 'ops.data_quality_checks', 'ops.pipeline_runs', 'gold.genre_mix']) {
    assert.ok(traced.some((v) => v.table === t), `numbers from ${t}`);
  }
  await withReader(config, silentLogger, async (s) => {
    assert.deepEqual(await checkTraced(s.conn, traced, 400), []);
    // The footer names the version of every table read and the last run.
    const [run] = await queryRows<{ run_id: string }>(s.conn, 'select run_id from ops.pipeline_runs order by started_at desc limit 1');
    assert.match(report.html, new RegExp(`data-run-id="${run.run_id}"`));
  });
  for (const [table, version] of Object.entries(report.tables)) {
    assert.equal(version, catalog.tables[table].version);
    assert.match(report.html, new RegExp(`<tr><td>${table.replace('.', '\\.')}</td><td>${version}</td>`));
  }
  // The synthetic share is stated on the feature-based charts.
  for (const chart of ['feature-sources', 'model-evaluation']) {
    assert.match(report.html, new RegExp(`<figure data-chart="${chart}"[^>]*>\\s*<p class="synthetic"`), `${chart}: synthetic share shown`);
  }
});

test('listener report on the demo lake: own data only, every sampled number equals its table', async () => {
  const dir = await fullDemoLake();
  const config = testConfig(dir, {}, { DUCKDB_THREADS: '1' });
  const listeners = await withReader(config, silentLogger, (s) => queryRows<{ listener_id: string; display_label: string | null }>(s.conn, 'select listener_id, display_label from bronze.listeners order by 1'));
  assert.ok(listeners.length >= 3);
  for (const { listener_id: id } of listeners) {
    const report = await buildReport(config, silentLogger, { kind: 'listener', listener: id });
    assert.deepEqual(structureProblems(report.html), [], id);
    for (const chart of ['plays-per-month', 'top-artists', 'top-tracks', 'week-hours', 'genre-months', 'diversity', 'discovery', 'feature-sources']) assert.ok(report.charts.includes(chart), `${id}: ${chart}`);
    for (const other of listeners.filter((l) => l.listener_id !== id)) {
      assert.ok(!report.html.includes(other.listener_id), `${id}'s report names ${other.listener_id}`);
      if (other.display_label) assert.ok(!report.html.includes(other.display_label), `${id}'s report names ${other.display_label}`);
    }
    const traced = tracedValues(report.html);
    assert.ok(traced.length > 50);
    assert.ok(traced.every((v) => !('listener_id' in v.key) || v.key.listener_id === id), 'every value is keyed to this listener');
    await withReader(config, silentLogger, async (s) => assert.deepEqual(await checkTraced(s.conn, traced), [], id));
    assert.match(report.html, /What is <strong>generated<\/strong>/);
    assert.match(report.html, /<figure data-chart="top-tracks"[^>]*>\s*<p class="synthetic"/);
  }
});

test('lakehouse report: writes one file (0600), --out - prints the HTML, --json describes it; bad listener and study are usage errors', async () => {
  const dir = await fullDemoLake();
  const out = tempDir('lakehouse-report-out-');
  try {
    const file = join(out.dir, 'study.html');
    const r = await runCli(['--data-dir', dir, '--json', 'report', 'study', '--out', file]);
    assert.equal(r.code, 0, r.stderr);
    const summary = JSON.parse(r.stdout) as { file: string; charts: string[]; tables: Record<string, number> };
    assert.equal(summary.file, file);
    assert.ok(summary.charts.length >= 9);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.match(readFileSync(file, 'utf8'), /^<!DOCTYPE html>/);
    const listener = await runCli(['--data-dir', dir, 'report', 'listener', 'demo-tokyo', '--out', '-']);
    assert.equal(listener.code, 0, listener.stderr);
    assert.match(listener.stdout, /^<!DOCTYPE html>[\s\S]*data-listener="demo-tokyo"/);
    const nobody = await runCli(['--data-dir', dir, 'report', 'listener', 'nobody', '--out', join(out.dir, 'x.html')]);
    assert.equal(nobody.code, 2);
    assert.match(nobody.stderr, /nobody: no such listener in bronze\.listeners/);
    const badId = await runCli(['--data-dir', dir, 'report', 'listener', '../etc', '--out', join(out.dir, 'x.html')]);
    assert.equal(badId.code, 2);
    const study = await runCli(['--data-dir', dir, 'report', 'study', '--study', 'nope', '--out', join(out.dir, 'x.html')]);
    assert.equal(study.code, 2);
    assert.match(study.stderr, /--study nope: no listener of this lake is in that study; studies: default, pilot/);
  } finally {
    out.cleanup();
  }
});

test('a table the lake does not have is a plain notice, not a failure or an empty chart', async () => {
  const source = await fullDemoLake();
  const t = tempDir();
  try {
    cpSync(source, t.dir, { recursive: true });
    const catalog = readCatalog(t.dir);
    delete catalog.tables['gold.genre_mix'];
    delete catalog.tables['gold.model_performance_metrics'];
    writeCatalog(t.dir, catalog);
    const config = testConfig(t.dir, {}, { DUCKDB_THREADS: '1' });
    const study = await buildReport(config, silentLogger, { kind: 'study' });
    assert.deepEqual(structureProblems(study.html), []);
    assert.ok(!study.charts.includes('genre-mix') && !study.charts.includes('model-evaluation'));
    assert.match(study.html, /Not built in this lake: gold\.genre_mix is not built in this lake\./);
    assert.match(study.html, /Not built in this lake: gold\.model_performance_metrics is not built in this lake\./);
    assert.ok(!('gold.genre_mix' in study.tables));
    const listener = await buildReport(config, silentLogger, { kind: 'listener', listener: 'demo-amsterdam' });
    assert.deepEqual(structureProblems(listener.html), []);
    assert.ok(!listener.charts.includes('genre-months'));
  } finally {
    t.cleanup();
  }
});

test('the checks themselves catch a changed number, a URL, a NaN, an empty chart and a chart left undeclared', async () => {
  const dir = await fullDemoLake();
  const config = testConfig(dir, {}, { DUCKDB_THREADS: '1' });
  const { html } = await buildReport(config, silentLogger, { kind: 'listener', listener: 'demo-newyork' });
  const [first] = tracedValues(html).filter((v) => v.fmt === 'int' && typeof v.raw === 'number');
  const changed = html.replace(`data-raw="${first.raw}" data-fmt="int"`, `data-raw="${Number(first.raw) + 1}" data-fmt="int"`);
  await withReader(config, silentLogger, async (s) => {
    const problems = await checkTraced(s.conn, tracedValues(changed).filter((v) => v.raw === Number(first.raw) + 1));
    assert.ok(problems.some((p) => p.includes('table has')), problems.join('\n'));
  });
  assert.ok(structureProblems(html.replace('</main>', '<p>see https://example.org</p></main>')).some((p) => p.startsWith('a URL')));
  assert.ok(structureProblems(html.replace('</main>', '<p>NaN</p></main>')).some((p) => p.includes('"NaN"')));
  assert.ok(structureProblems(html.replace(/ d="M/, ' d="MNaN,')).some((p) => p.startsWith('a broken number inside a chart')));
  const figure = /<figure data-chart="plays-per-month"[\s\S]*?<\/figure>/.exec(html)![0];
  const emptied = figure.replace(/<svg[\s\S]*<\/svg>/, '<svg role="img" aria-label="an empty chart with no marks at all"></svg>');
  assert.ok(structureProblems(html.replace(figure, emptied)).some((p) => p.includes('empty chart')));
  assert.ok(structureProblems(html.replace(/(<meta name="lakehouse-charts" content=")plays-per-month /, '$1')).some((p) => p.startsWith('declared charts')));
});
