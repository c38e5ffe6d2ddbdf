import { test } from 'node:test';
import assert from 'node:assert/strict';
import { STAGING_SCHEMA, accessRules, analystNameProblem, studyFilter, type DeclaredTable } from './access-rules.ts';
import { declaredTables } from '../../scripts/trino-security.ts';

interface TableRule {
  user: string;
  catalog?: string;
  schema?: string;
  table?: string;
  privileges: string[];
  filter?: string;
  filter_environment?: { user: string };
}

const DECLARED: DeclaredTable[] = [
  { layer: 'bronze', name: 'listening_history', hasListenerId: true },
  { layer: 'silver', name: 'listening_with_features', hasListenerId: true },
  { layer: 'silver', name: 'listener_studies', hasListenerId: true },
  { layer: 'silver', name: 'catalog_tracks', hasListenerId: false },
  { layer: 'gold', name: 'temporal_trends', hasListenerId: true },
  { layer: 'gold', name: 'recommendation_evaluation', hasListenerId: false },
  { layer: 'ops', name: 'drift_checks', hasListenerId: true },
  { layer: 'ops', name: 'pipeline_runs', hasListenerId: false },
];

/** The first table rule that matches, as Trino picks it (regexes match the whole name). */
function ruleFor(rules: TableRule[], user: string, catalog: string, schema: string, table: string): TableRule | undefined {
  const m = (re: string | undefined, v: string) => re === undefined || new RegExp(`^(?:${re})$`).test(v);
  return rules.find((r) => m(r.user, user) && m(r.catalog, catalog) && m(r.schema, schema) && m(r.table, table));
}

test('an analyst reads listener-level silver/gold tables through the study filter, run as lakehouse', () => {
  const rules = accessRules({ alice: ['pilot', 'study-2'], bob: ['default'] }, DECLARED).tables as TableRule[];
  for (const [schema, table] of [['silver', 'listening_with_features'], ['silver', 'listener_studies'], ['gold', 'temporal_trends']]) {
    const r = ruleFor(rules, 'alice', 'lakehouse', schema, table);
    assert.deepEqual(r?.privileges, ['SELECT'], `${schema}.${table}`);
    assert.equal(r?.filter, "listener_id IN (SELECT listener_id FROM lakehouse.silver.listener_studies WHERE study_id IN ('pilot', 'study-2'))");
    assert.deepEqual(r?.filter_environment, { user: 'lakehouse' });
  }
  assert.equal(ruleFor(rules, 'bob', 'lakehouse', 'gold', 'temporal_trends')?.filter,
    "listener_id IN (SELECT listener_id FROM lakehouse.silver.listener_studies WHERE study_id IN ('default'))");
});

test('ops rows without a listener stay visible; tables without listener_id are read whole', () => {
  const rules = accessRules({ alice: ['pilot'] }, DECLARED).tables as TableRule[];
  assert.equal(ruleFor(rules, 'alice', 'lakehouse', 'ops', 'drift_checks')?.filter,
    "listener_id IS NULL OR (listener_id IN (SELECT listener_id FROM lakehouse.silver.listener_studies WHERE study_id IN ('pilot')))");
  for (const [schema, table] of [['silver', 'catalog_tracks'], ['gold', 'recommendation_evaluation'], ['ops', 'pipeline_runs']]) {
    const r = ruleFor(rules, 'alice', 'lakehouse', schema, table);
    assert.deepEqual(r?.privileges, ['SELECT'], `${schema}.${table}`);
    assert.equal(r?.filter, undefined, `${schema}.${table} is not filtered`);
  }
});

test('an analyst without studies sees no listener rows (ops: only rows of no listener)', () => {
  assert.equal(studyFilter([], 'gold'), 'false');
  assert.equal(studyFilter([], 'ops'), 'listener_id IS NULL OR false');
});

test('nobody but lakehouse gets more than SELECT; bronze, _versions and undeclared tables are closed to readers', () => {
  const rules = accessRules({ alice: ['pilot'] }, DECLARED).tables as TableRule[];
  for (const r of rules) if (r.user !== 'lakehouse') assert.deepEqual(r.privileges, ['SELECT'], JSON.stringify(r));
  assert.ok(ruleFor(rules, 'lakehouse', 'lakehouse', '_versions', 'gold__x__v000001_ab')?.privileges.includes('OWNERSHIP'));
  for (const user of ['alice', 'superset']) {
    assert.equal(ruleFor(rules, user, 'lakehouse', 'bronze', 'listening_history'), undefined, `${user}: bronze`);
    assert.equal(ruleFor(rules, user, 'lakehouse', '_versions', 'gold__temporal_trends__v000001_ab'), undefined, `${user}: _versions`);
  }
  assert.equal(ruleFor(rules, 'alice', 'lakehouse', 'gold', 'not_declared_yet'), undefined, 'an undeclared table is closed to analysts');
  assert.equal(ruleFor(rules, 'alice', 'lakehouse', 'gold', 'temporal_trends_x'), undefined, 'table names match whole, not as prefixes');
  assert.equal(ruleFor(rules, 'mallory', 'lakehouse', 'gold', 'temporal_trends'), undefined, 'an unknown user has no rule');
  assert.equal(ruleFor(rules, 'alicex', 'lakehouse', 'gold', 'temporal_trends'), undefined, 'user names match whole');
  assert.deepEqual(ruleFor(rules, 'superset', 'lakehouse', 'gold', 'temporal_trends'), { user: 'superset', catalog: 'lakehouse', schema: 'silver|gold|ops', privileges: ['SELECT'] });
  assert.deepEqual(ruleFor(rules, 'alice', 'system', 'jdbc', 'tables')?.privileges, ['SELECT']);
});

test('catalogs, schemas, queries: only lakehouse owns; everyone sees only their own queries; no procedures', () => {
  const r = accessRules({ alice: [] }, DECLARED);
  assert.deepEqual(r.catalogs, [
    { user: 'lakehouse', catalog: 'lakehouse', allow: 'all' },
    { user: 'superset|alice', catalog: 'lakehouse', allow: 'read-only' },
    { user: 'lakehouse|superset|alice', catalog: 'system', allow: 'read-only' },
  ]);
  assert.deepEqual(r.schemas.filter((s) => (s as { owner: boolean }).owner), [{ user: 'lakehouse', catalog: 'lakehouse', schema: '.*', owner: true }]);
  assert.deepEqual(r.queries, [{ user: 'lakehouse|superset|alice', allow: ['execute'] }]);
  assert.deepEqual(r.procedures, []);
  assert.deepEqual(r.authorization, []);
});

interface SchemaRule { user: string; catalog?: string; schema?: string; owner: boolean }
interface CatalogRule { user: string; catalog?: string; allow: string }

/** The first rule of a list that matches user/catalog/schema (as Trino picks it). */
function firstMatch<R extends { user: string; catalog?: string; schema?: string }>(rules: R[], user: string, catalog: string, schema?: string): R | undefined {
  const m = (re: string | undefined, v: string | undefined) => re === undefined || v === undefined || new RegExp(`^(?:${re})$`).test(v);
  return rules.find((r) => m(r.user, user) && m(r.catalog, catalog) && m(r.schema, schema));
}

test("the engine's staging schema: only lakehouse creates, writes, reads and drops its tables", () => {
  const r = accessRules({ alice: ['pilot'] }, DECLARED);
  const tables = r.tables as TableRule[];
  const staged = 't_gold__temporal_trends__run1_abc';
  // lakehouse: owns the schema (CREATE SCHEMA/TABLE need it) and every table in it (DROP needs OWNERSHIP, CTAS INSERT).
  assert.equal(firstMatch(r.schemas as SchemaRule[], 'lakehouse', 'lakehouse', STAGING_SCHEMA)?.owner, true);
  assert.equal(firstMatch(r.catalogs as CatalogRule[], 'lakehouse', 'lakehouse')?.allow, 'all');
  for (const p of ['SELECT', 'INSERT', 'DELETE', 'OWNERSHIP']) {
    assert.ok(ruleFor(tables, 'lakehouse', 'lakehouse', STAGING_SCHEMA, staged)?.privileges.includes(p), `lakehouse has ${p}`);
  }
  for (const user of ['superset', 'alice']) {
    // Read-only on the catalog: no CREATE/INSERT/DROP anywhere, whatever the table rules say.
    assert.equal(firstMatch(r.catalogs as CatalogRule[], user, 'lakehouse')?.allow, 'read-only', user);
    // Not even visible: no schema rule and no table rule reaches _staging.
    assert.equal(firstMatch(r.schemas as SchemaRule[], user, 'lakehouse', STAGING_SCHEMA), undefined, `${user}: schema ${STAGING_SCHEMA}`);
    assert.equal(ruleFor(tables, user, 'lakehouse', STAGING_SCHEMA, staged), undefined, `${user}: a staging table`);
    // The schema name does not slip in through a layer regex either (e.g. "gold" matching "_staging_gold").
    assert.equal(ruleFor(tables, user, 'lakehouse', `${STAGING_SCHEMA}_gold`, 'temporal_trends'), undefined);
  }
  for (const t of tables) if (t.user !== 'lakehouse') assert.ok(!/OWNERSHIP|INSERT|DELETE|UPDATE/.test(t.privileges.join()), JSON.stringify(t));
});

test('invalid analyst names and study ids are refused before they reach a regex or an SQL literal', () => {
  assert.match(analystNameProblem('Alice') ?? '', /not a valid analyst name/);
  assert.match(analystNameProblem('a|b') ?? '', /not a valid analyst name/);
  assert.match(analystNameProblem('superset') ?? '', /service user/);
  assert.equal(analystNameProblem('ana-1'), null);
  assert.throws(() => accessRules({ 'a.*': [] }, DECLARED), /not a valid analyst name/);
  assert.throws(() => accessRules({ alice: ["x') OR true OR ('"] }, DECLARED), /not a valid study id/);
});

test('the same inputs give the same rules (sorted, deterministic)', () => {
  const a = accessRules({ bob: ['s2', 's1'], alice: ['s1'] }, DECLARED);
  const b = accessRules({ alice: ['s1'], bob: ['s1', 's2', 's1'] }, [...DECLARED].reverse());
  assert.deepEqual(a, b);
});

test('the declarations: every listener-level silver/gold/ops table is filtered, the mapping table among them', async () => {
  const declared = await declaredTables();
  const names = new Set(declared.map((t) => `${t.layer}.${t.name}`));
  for (const t of ['silver.listening_with_features', 'silver.listener_studies', 'gold.temporal_trends', 'ops.erasures', 'ops.drift_checks']) {
    assert.ok(names.has(t), `${t} is declared`);
    assert.ok(declared.find((d) => `${d.layer}.${d.name}` === t)?.hasListenerId, `${t} has listener_id`);
  }
  assert.ok(declared.every((t) => t.layer !== 'bronze'), 'bronze tables are never listed');
  assert.ok(declared.some((t) => t.layer === 'silver' && t.name === 'catalog_tracks' && !t.hasListenerId));
  const rules = accessRules({ alice: ['pilot'] }, declared).tables as TableRule[];
  for (const t of declared) {
    const r = ruleFor(rules, 'alice', 'lakehouse', t.layer, t.name);
    assert.ok(r, `${t.layer}.${t.name} has a rule`);
    assert.equal(r.filter !== undefined, t.hasListenerId, `${t.layer}.${t.name}: filtered iff it has listener_id`);
  }
});
