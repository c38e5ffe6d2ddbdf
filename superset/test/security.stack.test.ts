// Superset's security against the Trino and Superset started by scripts/test-stack.sh: a weak admin
// password is refused; two studies with one listener each: analyst A sees only study A's rows in
// every chart of every dashboard (chart-data API; every number equals DuckDB's over study A's
// listener only), analyst B only B's, the admin both, and analysts cannot read datasets without
// listener_id nor write anything; after `listeners delete`, with the chart-data cache on, no chart
// returns the erased listener (and every number is the erased lake's).
// It changes the lake (studies, one erasure), so it runs after the dashboards' stack test.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { SupersetApi, supersetSettings, type ChartData } from './api.ts';
import { bundleCharts, bundleDashboards, duckdbRows, lakeRows, lakehouse, publishDemo, publishedTables, runScript, trinoUp, trinoUrl, type BundleChart } from './stack-support.ts';
import { compareRows, expectedSql, savedQueries, type SavedQuery } from './expected.ts';

const admin = new SupersetApi(supersetSettings());
const dashboards = bundleDashboards();
const charts = bundleCharts();
const dataDir = process.env.LAKEHOUSE_DATA_DIR;
const STUDY_A = 'stack-study-a';
const STUDY_B = 'stack-study-b';
const password = () => randomBytes(18).toString('base64url');
let blocked: string | null = null;
let listenerA = '';
let listenerB = '';
const analysts: Record<'a' | 'b', SupersetApi> = {} as Record<'a' | 'b', SupersetApi>;

function addAnalyst(name: string, study: string): SupersetApi {
  runScript('superset-user.sh', ['remove', name]); // left by an earlier run (its password is gone)
  const pw = password();
  const res = runScript('superset-user.sh', ['add', name, '--study', study], { SUPERSET_USER_PASSWORD: pw });
  assert.equal(res.status, 0, `superset-user.sh add ${name}:\n${res.stderr.slice(-2000)}`);
  return new SupersetApi({ ...admin.settings, user: name, password: pw });
}

before(async () => {
  assert.ok(await admin.healthy(), `Superset is not running at ${admin.settings.url} (scripts/superset-start.sh)`);
  await admin.login();
  if (!(await trinoUp())) { blocked = `Trino is not running at ${trinoUrl()}`; return; }
  if (!dataDir) { blocked = 'LAKEHOUSE_DATA_DIR is not set'; return; }
  const published = await publishedTables();
  const wanted = [...new Set(dashboards.flatMap((d) => d.tables))];
  if (wanted.some((t) => !published.has(t))) {
    if (!publishDemo(dataDir)) { blocked = 'there is no `lakehouse publish`'; return; }
  }
  // Two listeners of the demo lake, each alone in a study of its own.
  const listeners = duckdbRows('select listener_id from silver.listener_studies order by listener_id', dataDir).map((r) => String(r.listener_id));
  assert.ok(listeners.length >= 2, `the demo lake has ${listeners.length} listener(s); two are needed`);
  [listenerA, listenerB] = listeners;
  lakehouse(['listeners', 'set', listenerA, '--study', STUDY_A], dataDir);
  lakehouse(['listeners', 'set', listenerB, '--study', STUDY_B], dataDir);
  lakehouse(['build', 'silver'], dataDir);
  lakehouse(['publish'], dataDir);
  const boot = runScript('superset-bootstrap.sh');
  assert.equal(boot.status, 0, `superset-bootstrap.sh failed:\n${boot.stderr.slice(-3000)}`);
  analysts.a = addAnalyst('stack-analyst-a', STUDY_A);
  analysts.b = addAnalyst('stack-analyst-b', STUDY_B);
  await analysts.a.login();
  await analysts.b.login();
});
/** Every chart of every dashboard, with its bundle entry. */
async function allCharts(): Promise<{ id: number; name: string; dashboard: string; saved: BundleChart }[]> {
  const out = [];
  for (const d of dashboards) {
    for (const c of await admin.dashboardCharts((await admin.dashboard(d.slug)).id)) {
      const saved = charts.get(c.slice_name);
      assert.ok(saved, `${d.title} / ${c.slice_name}: not in the bundle`);
      out.push({ id: c.id, name: c.slice_name, dashboard: d.title, saved });
    }
  }
  return out;
}

const restrictTo = (q: SavedQuery, ids: string[]): SavedQuery => {
  const only = `listener_id in (${ids.map((i) => `'${i.replace(/'/g, "''")}'`).join(', ')})`;
  return { ...q, where: q.where ? `(${q.where}) and ${only}` : only };
};

interface Checked { data: ChartData; saved: BundleChart; listeners?: string[] }

/** Differences between charts' data and the same queries over the lake through DuckDB (optionally restricted to listeners). */
async function differences(checked: Checked[]): Promise<string[]> {
  const jobs = checked.flatMap(({ data, saved, listeners }) => {
    const limits = (JSON.parse(saved.queryContext) as { queries: { row_limit?: number }[] }).queries.map((q) => q.row_limit ?? 10000);
    return savedQueries(saved.queryContext).map((q, i) => ({ q, data: data.results[i]?.data ?? [], saved, limit: limits[i],
      sql: expectedSql(listeners ? restrictTo(q, listeners) : q, saved.table) }));
  });
  const expected = await lakeRows(jobs.map((j) => j.sql), dataDir!);
  return jobs.flatMap((j, k) => compareRows(j.data, expected[k], j.q, j.limit).map((p) => `${j.saved.name}: ${p}`));
}

const listenersIn = (data: ChartData) => new Set(data.results.flatMap((r) => r.data.map((row) => row.listener_id)).filter((v) => v !== undefined).map(String));

test('a missing, short, well-known or name-containing admin password is refused before anything starts', () => {
  for (const [user, pw, why] of [
    ['stack-admin', '', /not set/], ['stack-admin', 'Sh0rt-pw', /shorter than 12/], ['stack-admin', 'changeme123', /shorter than 12|well-known/],
    ['stack-admin', 'PasswordPassword', /well-known/], ['curator', 'curator-2026-lab', /contains the user name/], ['', 'a-long-enough-passphrase', /SUPERSET_ADMIN_USER: not set/],
  ] as const) {
    for (const script of ['superset-bootstrap.sh', 'superset-start.sh']) {
      const res = runScript(script, [], { SUPERSET_ADMIN_USER: user, SUPERSET_ADMIN_PASSWORD: pw });
      assert.equal(res.status, 1, `${script} accepted ${user}/${JSON.stringify(pw)}`);
      assert.match(res.stderr, why, `${script}: ${res.stderr.slice(-500)}`);
      assert.doesNotMatch(res.stderr, pw ? new RegExp(pw) : /$^/, 'the message never shows the password');
    }
  }
});

describe('two studies: each analyst sees only their study in every chart, the admin both', () => {
  for (const who of ['a', 'b'] as const) {
    test(`analyst ${who.toUpperCase()}`, { timeout: 900_000 }, async (t) => {
      if (blocked) return t.skip(blocked);
      const mine = who === 'a' ? listenerA : listenerB;
      const api = analysts[who];
      const problems: string[] = [];
      const checked: Checked[] = [];
      let withRows = 0;
      for (const c of await allCharts()) {
        const data = await api.chartData(c.id);
        if (!c.saved.perListener) {
          // Cohort-wide results and run logs mix every study: analysts have no access to them.
          assert.notEqual(data.status, 200, `${c.dashboard} / ${c.name}: an analyst read ${c.saved.table}, which has no listener_id`);
          continue;
        }
        assert.equal(data.status, 200, `${c.dashboard} / ${c.name}: HTTP ${data.status}: ${data.body}`);
        const seen = listenersIn(data);
        for (const l of seen) if (l !== mine) problems.push(`${c.name}: row of listener ${l}`);
        if (data.results.some((r) => r.rowcount > 0)) withRows++;
        checked.push({ data, saved: c.saved, listeners: [mine] });
      }
      problems.push(...await differences(checked));
      assert.deepEqual(problems.slice(0, 20), [], `${problems.length} problems`);
      assert.ok(withRows > 10, `only ${withRows} charts returned rows for analyst ${who}`);
    });
  }

  test('the admin sees both listeners', { timeout: 600_000 }, async (t) => {
    if (blocked) return t.skip(blocked);
    const seen = new Set<string>();
    for (const c of await allCharts()) for (const l of listenersIn(await admin.chartData(c.id))) seen.add(l);
    assert.ok(seen.has(listenerA) && seen.has(listenerB), `admin saw ${[...seen].join(', ')}`);
  });

  test('an analyst cannot change a chart, dataset or database, nor use SQL Lab', async (t) => {
    if (blocked) return t.skip(blocked);
    const api = analysts.a;
    const chart = (await allCharts()).find((c) => c.saved.perListener)!;
    const settings = api.settings;
    const login = await fetch(`${settings.url}/api/v1/security/login`, { method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: settings.user, password: settings.password, provider: 'db', refresh: false }) });
    const token = ((await login.json()) as { access_token: string }).access_token;
    // Writes need Superset's CSRF token and the session cookie it belongs to, as the web app sends them.
    const csrf = await fetch(`${settings.url}/api/v1/security/csrf_token/`, { headers: { authorization: `Bearer ${token}` } });
    const csrfToken = ((await csrf.json()) as { result: string }).result;
    const cookie = (csrf.headers.getSetCookie?.() ?? []).map((c) => c.split(';')[0]).join('; ');
    const call = (method: string, path: string, body?: unknown) => fetch(`${settings.url}${path}`, {
      method, body: body === undefined ? undefined : JSON.stringify(body),
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'x-csrftoken': csrfToken, cookie, referer: settings.url } });
    // The same request path works for what an analyst may write (explore state), so a refusal below is the role's.
    const dataset = (await admin.list('dataset', ['table_name', 'schema'])).find((d) => `${d.schema}.${d.table_name}` === chart.saved.table)!;
    const allowed = await call('POST', '/api/v1/explore/form_data', { datasource_id: dataset.id, datasource_type: 'table', chart_id: chart.id, form_data: '{}' });
    assert.ok(allowed.status === 200 || allowed.status === 201, `explore state: HTTP ${allowed.status} ${(await allowed.text()).slice(0, 200)}`);
    const databases = await admin.list('database', ['database_name']);
    const datasets = await admin.list('dataset', ['table_name']);
    for (const [method, path, body] of [
      ['PUT', `/api/v1/chart/${chart.id}`, { slice_name: 'renamed by an analyst' }],
      ['DELETE', `/api/v1/chart/${chart.id}`, undefined],
      ['PUT', `/api/v1/dataset/${datasets[0].id}`, { description: 'changed by an analyst' }],
      ['PUT', `/api/v1/database/${databases[0].id}`, { database_name: 'changed' }],
      ['POST', '/api/v1/sqllab/execute/', { database_id: databases[0].id, sql: 'select 1', runAsync: false }],
      ['POST', '/api/v1/rowlevelsecurity/', { name: 'x', clause: '1 = 1', filter_type: 'Regular', tables: [], roles: [] }],
    ] as const) {
      const res = await call(method, path, body);
      assert.ok(res.status === 401 || res.status === 403 || res.status === 404, `${method} ${path}: HTTP ${res.status} ${(await res.text()).slice(0, 200)}`);
    }
    const after = await admin.dashboardCharts((await admin.dashboard(dashboards[0].slug)).id);
    assert.ok(!after.some((c) => c.slice_name === 'renamed by an analyst'));
    const list = runScript('superset-user.sh', ['list', '--json']);
    assert.equal(list.status, 0, list.stderr);
    const rows = JSON.parse(list.stdout) as { name: string; studies: string[] }[];
    assert.deepEqual(rows.filter((r) => r.name.startsWith('stack-analyst-')), [
      { name: 'stack-analyst-a', studies: [STUDY_A], active: true }, { name: 'stack-analyst-b', studies: [STUDY_B], active: true }]);
    const bad = runScript('superset-user.sh', ['add', 'stack-analyst-c', '--study', "a') OR (1=1"]);
    assert.equal(bad.status, 2, 'a study id that is not a slug is a usage error');
    assert.match(bad.stderr, /not a valid study id/);
  });
});

test('after listeners delete, no chart returns the erased listener, with the chart-data cache on', { timeout: 1_200_000 }, async (t) => {
  if (blocked) return t.skip(blocked);
  const all = await allCharts();
  // Warm the cache and prove it is on: the second request of a chart is served from it.
  for (const c of all) await admin.chartData(c.id);
  let cached = 0;
  let sawB = 0;
  for (const c of all) {
    const data = await admin.chartData(c.id);
    if (data.results.length > 0 && data.results.every((r) => r.isCached)) cached++;
    if (listenersIn(data).has(listenerB)) sawB++;
  }
  assert.ok(cached >= all.length / 2, `only ${cached} of ${all.length} charts came from the cache: is the data cache on?`);
  assert.ok(sawB > 0, `no chart showed ${listenerB} before the erasure`);
  lakehouse(['listeners', 'delete', listenerB, '--confirm'], dataDir!);
  const problems: string[] = [];
  const checked: Checked[] = [];
  for (const c of all) {
    const data = await admin.chartData(c.id);
    assert.equal(data.status, 200, `${c.dashboard} / ${c.name}: HTTP ${data.status}: ${data.body}`);
    if (listenersIn(data).has(listenerB)) problems.push(`${c.dashboard} / ${c.name}: still shows ${listenerB}`);
    checked.push({ data, saved: c.saved });
  }
  problems.push(...await differences(checked));
  assert.deepEqual(problems.slice(0, 20), [], `${problems.length} problems after the erasure`);
  const b = await analysts.b.chartData(all.find((c) => c.saved.perListener)!.id);
  assert.ok(b.results.every((r) => r.rowcount === 0), 'analyst B (whose only listener was erased) sees no row');
});
