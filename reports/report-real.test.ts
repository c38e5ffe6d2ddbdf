// Both reports on the real exports in ../shared/data (four listeners, each in its own time zone;
// descriptive and behaviour gold only, to keep the test bounded): every chart drawn, every sampled
// number equal to its table, no other listener in a listener report, the listener's time zone shown.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '../lib/logger.ts';
import { withReader } from '../lib/session.ts';
import { testConfig } from '../test/helpers.ts';
import { buildReport } from './index.ts';
import { checkTraced, realLake, REAL_LISTENERS, structureProblems, tracedValues } from './test-support.ts';

test('study and listener reports on the real exports', async () => {
  const dir = await realLake();
  const config = testConfig(dir, {}, { DUCKDB_THREADS: '1' });
  const study = await buildReport(config, silentLogger, { kind: 'study' });
  assert.deepEqual(structureProblems(study.html), []);
  for (const id of ['plays-per-month', 'feature-sources', 'discovery', 'diversity', 'genre-mix', 'quality-checks']) assert.ok(study.charts.includes(id), `study chart ${id}`);
  assert.match(study.html, /Not built in this lake: gold\.model_performance_metrics is not built in this lake/);
  for (const id of REAL_LISTENERS) assert.ok(study.html.includes(`<td>${id}</td>`), `${id} among the participants`);
  await withReader(config, silentLogger, async (s) => assert.deepEqual(await checkTraced(s.conn, tracedValues(study.html)), []));

  const zones = ['Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Australia/Sydney'];
  for (const [i, id] of REAL_LISTENERS.entries()) {
    const report = await buildReport(config, silentLogger, { kind: 'listener', listener: id });
    assert.deepEqual(structureProblems(report.html), [], id);
    for (const chart of ['plays-per-month', 'top-artists', 'top-tracks', 'week-hours', 'diversity', 'discovery', 'feature-sources']) assert.ok(report.charts.includes(chart), `${id}: ${chart}`);
    assert.ok(report.html.includes(`in your time zone (${zones[i]})`), `${id}: local time zone named`);
    for (const other of REAL_LISTENERS.filter((o) => o !== id)) assert.ok(!report.html.includes(other), `${id}'s report names ${other}`);
    await withReader(config, silentLogger, async (s) => assert.deepEqual(await checkTraced(s.conn, tracedValues(report.html)), [], id));
  }
});
