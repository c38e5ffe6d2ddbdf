// The generated Superset bundle against the real table declarations: descriptions come from the
// declarations, every gold table has a chart, every chart reads declared columns, charts of
// feature-derived values show the synthetic share, every listener dashboard has its filter, and the
// references between the YAML files hold; the committed bundle is what the generator writes, and a
// dashboard file dropped into a dashboards folder is found without any registry.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import YAML from 'yaml';
import type { TableSpec } from '../../lib/table-spec.ts';
import { chartColumns, fallbackChart, missingFor, renderAssets } from './assets.ts';
import { DASHBOARDS, DASHBOARDS_DIR, loadDashboards } from './dashboard-spec.ts';
import { ASSETS_DIR, DATABASE_UUID, datasetUuid, loadDatasetSpecs } from './datasets.ts';
import { assetUuid, uuid5 } from './uuid.ts';

type Doc = Record<string, any>;
const specs = await loadDatasetSpecs();
const dir = mkdtempSync(join(tmpdir(), 'superset-assets-'));
const { files } = renderAssets(specs, dir);
rmSync(dir, { recursive: true, force: true });
const docs = new Map([...files].map(([path, text]) => [path, YAML.parse(text) as Doc]));
const byKind = (kind: string) => [...docs].filter(([p]) => p.startsWith(`${kind}/`)).map(([, d]) => d);
const gold = specs.filter((s) => s.layer === 'gold');

test('uuids are RFC 4122 name-based, as Python computes them', () => {
  assert.equal(uuid5('lakehouse:superset:database:trino'), 'f872a4e6-1241-542e-a34c-1596312c72eb');
  assert.equal(assetUuid('database', 'trino'), DATABASE_UUID);
  assert.notEqual(assetUuid('chart', 'a'), assetUuid('chart', 'b'));
});

test('each gold and ops table has a dataset whose descriptions are the declaration\'s', () => {
  assert.ok(gold.length >= 10, `only ${gold.length} gold declarations found`);
  const datasets = new Map(byKind('datasets').map((d) => [`${d.schema}.${d.table_name}`, d]));
  for (const spec of specs) {
    const d = datasets.get(`${spec.layer}.${spec.name}`);
    assert.ok(d, `${spec.layer}.${spec.name}: no dataset`);
    assert.equal(d.uuid, datasetUuid(spec));
    assert.equal(d.catalog, 'lakehouse');
    assert.ok(d.description.startsWith(spec.description.trim()), `${spec.name}: dataset description`);
    const declared = new Map(spec.columns.map((c) => [c.name, c.description]));
    for (const c of d.columns) assert.equal(c.description, declared.get(c.column_name), `${spec.name}.${c.column_name}`);
  }
});

test('every gold table has at least one chart on a dashboard, with its listener filter', () => {
  const datasetTable = new Map(byKind('datasets').map((d) => [d.uuid, `${d.schema}.${d.table_name}`]));
  const chartTable = new Map(byKind('charts').map((c) => [c.uuid, datasetTable.get(c.dataset_uuid)]));
  const onDashboards = new Set<string>();
  for (const dash of byKind('dashboards')) {
    const tables = Object.values(dash.position as Record<string, Doc>).filter((p) => p?.type === 'CHART').map((p) => chartTable.get(p.meta.uuid));
    assert.ok(tables.every((t) => t), `${dash.dashboard_title}: a chart without its file or dataset`);
    tables.forEach((t) => onDashboards.add(t!));
    const perListener = tables.some((t) => specs.find((s) => `${s.layer}.${s.name}` === t)?.columns.some((c) => c.name === 'listener_id'));
    const filters = dash.metadata.native_filter_configuration as Doc[];
    if (perListener) assert.deepEqual(filters.map((f) => f.targets[0].column.name), ['listener_id'], `${dash.dashboard_title}: listener filter`);
  }
  for (const spec of gold) assert.ok(onDashboards.has(`gold.${spec.name}`), `gold.${spec.name} has no chart on a dashboard`);
  const titles = byKind('dashboards').map((d) => d.dashboard_title);
  for (const t of ['Listening overview', 'Descriptive', 'Diagnostic', 'Predictive', 'Prescriptive', 'Cognitive']) assert.ok(titles.includes(t), t);
});

test('charts read declared columns and show the synthetic share of feature-derived values', () => {
  const byName = new Map(specs.map((s) => [`${s.layer}.${s.name}`, s]));
  for (const dash of DASHBOARDS) {
    for (const chart of dash.charts) {
      assert.equal(missingFor(chart, byName), null, `${dash.title} / ${chart.title}`);
      const spec = byName.get(chart.table)!;
      const derived = spec.columns.some((c) => c.name === 'synthetic_share' || c.name === 'feature_source');
      if (!derived || chart.countsOnly) continue;
      // The companion reads the same table or the table it is derived from (e.g. the full correlation matrix from the pairs).
      const sameData = (t: string) => t === chart.table || spec.inputs.includes(t);
      const shownBy = chart.syntheticShownBy ? dash.charts.find((c) => c.key === chart.syntheticShownBy && sameData(c.table)) : chart;
      assert.ok(shownBy, `${dash.title} / ${chart.title}: companion ${chart.syntheticShownBy} is not on the dashboard`);
      const cols = chartColumns(shownBy.chart);
      assert.ok(cols.includes('synthetic_share') || cols.includes('feature_source'), `${dash.title} / ${chart.title} hides the synthetic share`);
    }
  }
});

test('a table without a built-in chart gets a table of all its columns', () => {
  const spec: TableSpec = { layer: 'gold', category: 'cognitive', name: 'brand_new', grainSentence: 'one row per listener', grain: ['listener_id'],
    description: 'A new table.', inputs: [], sql: 'select 1', columns: [{ name: 'listener_id', type: 'VARCHAR', description: 'Listener' }, { name: 'synthetic_share', type: 'DOUBLE', description: 'Share' }] };
  const chart = fallbackChart(spec);
  assert.deepEqual(chartColumns(chart.chart), ['listener_id', 'synthetic_share']);
  const { files: withNew } = renderAssets([...specs, spec], tmpdir());
  const cognitive = YAML.parse(withNew.get('dashboards/cognitive.yaml')!) as Doc;
  assert.ok(Object.values(cognitive.position as Record<string, Doc>).some((p) => p?.meta?.uuid === assetUuid('chart', chart.key)));
});

test('chart YAML carries params and a query context Superset can run', () => {
  const datasets = new Set(byKind('datasets').map((d) => d.uuid));
  for (const c of byKind('charts')) {
    assert.ok(datasets.has(c.dataset_uuid), `${c.slice_name}: unknown dataset`);
    assert.equal(c.params.viz_type, c.viz_type);
    const qc = JSON.parse(c.query_context);
    assert.ok(qc.queries.length >= 1 && qc.queries.every((q: Doc) => Array.isArray(q.columns)), `${c.slice_name}: query context`);
  }
});

test('the committed superset/assets is exactly what superset/generate.ts writes', () => {
  const { files: current } = renderAssets(specs, ASSETS_DIR);
  const stale = [...current].filter(([rel, text]) => {
    try {
      return readFileSync(join(ASSETS_DIR, rel), 'utf8') !== text;
    } catch {
      return true;
    }
  }).map(([rel]) => rel);
  assert.deepEqual(stale, [], 'run `npx tsx superset/generate.ts` and commit superset/assets');
});

test('every file in superset/dashboards is a dashboard, found by listing the folder', async () => {
  const stems = readdirSync(DASHBOARDS_DIR).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts')).map((f) => f.replace(/\.ts$/, '')).sort();
  assert.deepEqual(DASHBOARDS.map((d) => d.key), stems);
  const dir = mkdtempSync(join(tmpdir(), 'superset-dashboards-'));
  try {
    writeFileSync(join(dir, 'trends.ts'), `export default { key: 'trends', title: 'Trends', slug: 'trends', intro: '## Trends', categories: [],
      charts: [{ key: 'trends-plays', title: 'Plays', table: 'gold.temporal_trends', description: 'Plays per day.', countsOnly: true,
        chart: { kind: 'big_number', metric: { label: 'plays', sql: 'SUM(total_plays)' } } }] };\n`);
    const added = [...DASHBOARDS, ...(await loadDashboards(dir))];
    const { files: withNew } = renderAssets(specs, tmpdir(), added);
    const dash = YAML.parse(withNew.get('dashboards/trends.yaml')!) as Doc;
    assert.equal(dash.slug, 'trends');
    assert.ok(withNew.has('charts/trends-plays.yaml'));
    writeFileSync(join(dir, 'other.ts'), "export default { key: 'wrong', title: 'W', slug: 'w', intro: '', charts: [] };\n");
    await assert.rejects(loadDashboards(dir), /other\.ts: key 'wrong' must be the file name 'other'/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
