// Paths the demo lake does not reach on this branch: a cohort table (its columns as issue 19 names
// them) with metrics over at least 5 listeners and over fewer, and a registry written before studies
// (no study_id column); and the demo's two studies. The tables are written through the lake's own writer, with hand-made rows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '../lib/logger.ts';
import { withWriter } from '../lib/session.ts';
import type { WriteSpec } from '../lib/table-writer.ts';
import listeners from '../bronze/listeners.ts';
import { demoLake } from '../pipeline/test-support.ts';
import { runCli } from '../test/helpers.ts';
import { buildReport } from './index.ts';
import { MIN_COHORT } from './listener.ts';
import { structureProblems, tracedValues } from './test-support.ts';

const text = (name: string) => ({ name, type: 'VARCHAR', description: name });
const num = (name: string) => ({ name, type: 'DOUBLE', description: name });
const cohortSpec: WriteSpec = {
  layer: 'gold', name: 'cohort_comparison', grain: ['listener_id', 'metric'],
  columns: [text('listener_id'), text('metric'), text('cohort'), num('value'), num('cohort_median'), num('cohort_p25'), num('cohort_p75'), num('percentile_in_cohort'), { name: 'n_listeners', type: 'BIGINT', description: 'n' }],
};

/** One row per demo listener and metric; `plays` summarises 6 listeners, `night_share` only 4. */
const COHORT_SQL = `
  select listener_id, metric, 'all' as cohort, value::double as value, 0.5::double as cohort_median, 0.25::double as cohort_p25, 0.75::double as cohort_p75, pct::double as percentile_in_cohort, n::bigint as n_listeners
  from (select listener_id from bronze.listeners)
  cross join (values ('plays', 0.61, 40.0, ${MIN_COHORT + 1}), ('night_share', 0.12, 70.0, ${MIN_COHORT - 1})) m(metric, value, pct, n)`;

test(`cohort values appear only as aggregates over at least ${MIN_COHORT} listeners, never naming another listener`, async () => {
  const { config, cleanup } = await demoLake();
  try {
    await withWriter(config, silentLogger, 'test', async (s) => {
      const tx = s.begin();
      await tx.write(cohortSpec, { sql: COHORT_SQL });
      await tx.commit();
    });
    const report = await buildReport(config, silentLogger, { kind: 'listener', listener: 'demo-newyork' });
    assert.deepEqual(structureProblems(report.html), []);
    assert.ok(report.charts.includes('cohort'));
    const cohort = tracedValues(report.html).filter((v) => v.table === 'gold.cohort_comparison');
    assert.deepEqual([...new Set(cohort.map((v) => v.key.metric))], ['plays'], `only the metric over ≥ ${MIN_COHORT} listeners`);
    assert.ok(cohort.every((v) => v.key.listener_id === 'demo-newyork'));
    assert.ok(!/demo-tokyo|demo-amsterdam/.test(report.html));

    await withWriter(config, silentLogger, 'test', async (s) => {
      const tx = s.begin();
      await tx.write(cohortSpec, { sql: COHORT_SQL.replace(`${MIN_COHORT + 1})`, `${MIN_COHORT - 1})`) });
      await tx.commit();
    });
    const small = await buildReport(config, silentLogger, { kind: 'listener', listener: 'demo-newyork' });
    assert.ok(!small.charts.includes('cohort'));
    assert.match(small.html, /left out: it is shown only when at least 5 participants can be compared/);
    assert.ok(!tracedValues(small.html).some((v) => v.table === 'gold.cohort_comparison'));
  } finally {
    cleanup();
  }
});

test('--study selects the participants by the registry\'s study_id (the demo\'s two studies); an unknown study lists the known ones', async () => {
  const { config, cleanup } = await demoLake();
  try {
    const listenersOf = (html: string) => [...new Set(tracedValues(html).map((v) => v.key.listener_id).filter((id) => typeof id === 'string'))].sort();
    const pilot = await buildReport(config, silentLogger, { kind: 'study', study: 'pilot' });
    assert.deepEqual(structureProblems(pilot.html), []);
    const keyed = tracedValues(pilot.html).filter((v) => typeof v.key.listener_id === 'string');
    assert.ok(keyed.some((v) => v.table === 'gold.feature_source_coverage'), 'per-listener values of the study are shown');
    assert.deepEqual(listenersOf(pilot.html), ['demo-apple', 'demo-tokyo', 'demo-youtube']);
    assert.doesNotMatch(pilot.html, /This lake has no studies yet/);
    const rest = await buildReport(config, silentLogger, { kind: 'study' });
    assert.deepEqual(listenersOf(rest.html), ['demo-amsterdam', 'demo-lastfm', 'demo-newyork']);
    // Moving a listener changes the report at once: it reads the registry, not a derived table.
    assert.equal((await runCli(['--data-dir', config.dataDir, 'listeners', 'set', 'demo-lastfm', '--study', 'pilot'])).code, 0);
    assert.deepEqual(listenersOf((await buildReport(config, silentLogger, { kind: 'study', study: 'pilot' })).html), ['demo-apple', 'demo-lastfm', 'demo-tokyo', 'demo-youtube']);
    const unknown = await runCli(['--data-dir', config.dataDir, 'report', 'study', '--study', 'nope', '--out', '-']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /--study nope: no listener of this lake is in that study; studies: default, pilot/);
    const invalid = await runCli(['--data-dir', config.dataDir, 'report', 'study', '--study', 'Not A Slug', '--out', '-']);
    assert.equal(invalid.code, 2);
    assert.match(invalid.stderr, /--study: "Not A Slug" is not a valid study id/);
  } finally {
    cleanup();
  }
});

test('a registry written before studies (no study_id column): every listener is in default, another study is refused', async () => {
  const { config, cleanup } = await demoLake();
  try {
    await withWriter(config, silentLogger, 'test', async (s) => {
      const tx = s.begin();
      const legacy = { ...listeners, columns: listeners.columns.filter((c) => c.name !== 'study_id') };
      await tx.write(legacy, { sql: 'select * exclude (study_id) from bronze.listeners' });
      await tx.commit();
    });
    const all = await buildReport(config, silentLogger, { kind: 'study' });
    assert.match(all.html, /This lake has no studies yet/);
    assert.deepEqual([...new Set(tracedValues(all.html).map((v) => v.key.listener_id).filter((id) => typeof id === 'string'))].sort(),
      ['demo-amsterdam', 'demo-apple', 'demo-lastfm', 'demo-newyork', 'demo-tokyo', 'demo-youtube']);
    const pilot = await runCli(['--data-dir', config.dataDir, 'report', 'study', '--study', 'pilot', '--out', '-']);
    assert.equal(pilot.code, 2);
    assert.match(pilot.stderr, /--study pilot: this lake has no studies yet .*'default'/);
  } finally {
    cleanup();
  }
});
