// Against the real Trino of scripts/test-stack.sh (HTTPS, password file, file-based rules in
// TRINO_SECURITY_DIR): who gets in, what an analyst may do, and that studies are kept apart. Two
// listeners of the lake are moved into two fresh studies; analyst A is granted the first, B the
// second. The analysts are added with scripts/trino-user.sh while Trino runs (no restart).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../test/helpers.ts';
import { readCatalog } from '../lake.ts';
import { STAGING_SCHEMA } from './access-rules.ts';
import { TrinoAuthError, TrinoClient, TrinoQueryError, trinoFromEnv } from './client.ts';

const dataDir = process.env.LAKEHOUSE_DATA_DIR ?? '';
const trinoUrl = process.env.TRINO_URL ?? '';
const caFile = process.env.TRINO_CA_FILE ?? '';
const securityDir = process.env.TRINO_SECURITY_DIR ?? '';
const skip = !dataDir || !trinoUrl || !caFile || !securityDir || !process.env.TRINO_PASSWORD ? 'needs the Trino of scripts/test-stack.sh' : false;

const suffix = randomBytes(3).toString('hex');
const A = `sec-a-${suffix}`;
const B = `sec-b-${suffix}`;
const STUDY_A = `study-a-${suffix}`;
const STUDY_B = `study-b-${suffix}`;
const passwords = new Map<string, string>();
let addedWaitMs = 0;
let listenerA = '';
let listenerB = '';

const pipeline = () => trinoFromEnv();
const as = (user: string, password = passwords.get(user)) => new TrinoClient(trinoUrl, user, { password, caFile, retry: { attempts: 2, baseDelayMs: 200 } });
const anonymous = (user: string) => new TrinoClient(trinoUrl, user, { caFile, retry: { attempts: 2, baseDelayMs: 200 } });
const superset = () => as('superset', process.env.TRINO_SUPERSET_PASSWORD);

function run(cmd: string[], env: Record<string, string | undefined> = {}, input?: string): { status: number | null; stdout: string; stderr: string } {
  const res = spawnSync(cmd[0], cmd.slice(1), { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, LOG_LEVEL: 'warn', ...env }, input, timeout: 600_000 });
  return { status: res.status, stdout: res.stdout, stderr: res.stderr };
}
const lakehouse = (args: string[], env: Record<string, string | undefined> = {}) =>
  run([process.execPath, join(repoRoot, 'bin', 'lakehouse.js'), ...args, '--data-dir', dataDir], env);
const userScript = (args: string[]) => run(['bash', join(repoRoot, 'scripts', 'trino-user.sh'), ...args]);

function ok(r: { status: number | null; stderr: string }, what: string): void {
  assert.equal(r.status, 0, `${what} failed:\n${r.stderr.slice(-3000)}`);
}

/** Polls until the user can log in (Trino re-reads password.db and rules.json every 5 s); returns the wait in ms. */
async function untilAccepted(user: string, sql: string): Promise<number> {
  const started = Date.now();
  const deadline = started + 30_000;
  for (;;) {
    try {
      await as(user).query(sql);
      return Date.now() - started;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

async function countsByListener(client: TrinoClient, table: string): Promise<Record<string, number>> {
  const rows = await client.rows(`select listener_id, count(*) as n from lakehouse.${table} group by listener_id order by listener_id`);
  return Object.fromEntries(rows.map((r) => [String(r.listener_id), Number(r.n)]));
}

const denied = (err: unknown) => err instanceof TrinoQueryError && err.errorName === 'PERMISSION_DENIED';

before(async () => {
  if (skip) return;
  const tables = Object.keys(readCatalog(dataDir).tables);
  if (!tables.includes('silver.listening_with_features') || !tables.includes('gold.temporal_trends')) {
    ok(lakehouse(['run', '--demo']), 'lakehouse run --demo');
  }
  ok(lakehouse(['publish']), 'lakehouse publish');
  const listeners = (await pipeline().rows('select distinct listener_id from lakehouse.gold.temporal_trends order by 1')).map((r) => String(r.listener_id));
  assert.ok(listeners.length >= 3, `the lake has at least three listeners (${listeners.join(', ')})`);
  [listenerA, listenerB] = listeners;
  ok(lakehouse(['listeners', 'set', listenerA, '--study', STUDY_A]), 'listeners set --study');
  ok(lakehouse(['listeners', 'set', listenerB, '--study', STUDY_B]), 'listeners set --study');
  ok(lakehouse(['build', 'silver']), 'lakehouse build silver');
  ok(lakehouse(['publish']), 'lakehouse publish');
  for (const [name, study] of [[A, STUDY_A], [B, STUDY_B]]) {
    const r = userScript(['add', name, '--study', study]);
    ok(r, `trino-user.sh add ${name}`);
    const password = r.stdout.trim();
    assert.match(password, /^[\w-]{32}$/, 'the generated password is printed once on stdout');
    assert.ok(!r.stderr.includes(password), 'the password is not logged');
    passwords.set(name, password);
  }
  addedWaitMs = await untilAccepted(A, 'select 1');
  await untilAccepted(B, 'select 1');
});

after(() => {
  if (skip) return;
  for (const name of [A, B]) userScript(['remove', name]);
});

test('without credentials, with a wrong password or as an unknown user: refused', { skip }, async (t) => {
  t.diagnostic(`a new analyst could log in ${addedWaitMs} ms after trino-user.sh add returned (no restart)`);
  await assert.rejects(anonymous(A).query('select 1'), (err: unknown) => err instanceof TrinoAuthError && /requires a password for user/.test(err.message));
  await assert.rejects(as(A, 'not-the-password').query('select 1'), (err: unknown) => err instanceof TrinoAuthError && err.message.startsWith(`Trino refused the credentials of user ${A}`));
  await assert.rejects(as(`nobody-${suffix}`, 'whatever-password').query('select 1'), TrinoAuthError);
  // Plain HTTP is off: the port speaks TLS only, a plain request gets no query run.
  const plain = await fetch(`${trinoUrl.replace(/^https:/, 'http:')}/v1/statement`, { method: 'POST', body: 'select 1', headers: { 'X-Trino-User': 'lakehouse' } }).catch(() => null);
  assert.ok(plain === null || !plain.ok, `plain http answered ${plain?.status}`);

  const wrong = lakehouse(['query', '--engine', 'trino', 'select 1'], { TRINO_USER: A, TRINO_PASSWORD: 'not-the-password' });
  assert.equal(wrong.status, 1);
  assert.match(wrong.stderr, new RegExp(`Trino refused the credentials of user ${A}`));
  const none = lakehouse(['query', '--engine', 'trino', 'select 1'], { TRINO_USER: A, TRINO_PASSWORD: '' });
  assert.equal(none.status, 2);
  assert.match(none.stderr, /TRINO_PASSWORD is not set/);
});

test('an analyst reads gold, silver and ops but cannot write, reach bronze, the version tables or lake paths', { skip }, async () => {
  const analyst = as(A);
  assert.ok(Number((await analyst.query('select count(*) from lakehouse.gold.temporal_trends')).rows[0][0]) > 0);
  const viaCli = lakehouse(['query', '--engine', 'trino', '--json', 'select count(*) as n from gold.temporal_trends'], { TRINO_USER: A, TRINO_PASSWORD: passwords.get(A) });
  ok(viaCli, 'query --engine trino as an analyst');
  assert.ok(JSON.parse(viaCli.stdout)[0].n > 0);
  await analyst.query('select count(*) from lakehouse.ops.pipeline_runs');

  const refused = [
    'create table lakehouse.gold.sec_probe (a integer)',
    'create view lakehouse.gold.sec_probe as select 1 as a',
    'create or replace view lakehouse.gold.temporal_trends as select 1 as a',
    'drop view lakehouse.gold.temporal_trends',
    "create table lakehouse.gold.sec_probe (listener_id varchar) with (external_location = 'local:///bronze/listeners', format = 'PARQUET')",
    'create schema lakehouse.sec_probe',
    'select count(*) from lakehouse.bronze.listening_history',
    'select count(*) from lakehouse.bronze.listeners',
  ];
  const physical = (await pipeline().rows('show tables from lakehouse."_versions"')).map((r) => String(r.Table)).find((t) => t.startsWith('gold__temporal_trends__'));
  assert.ok(physical, 'the gold view reads a version table');
  refused.push(`select count(*) from lakehouse."_versions"."${physical}"`);
  // The Trino engine's staging schema: a table of it exists (made here as lakehouse), an analyst can neither read nor write it.
  const staged = `lakehouse."${STAGING_SCHEMA}"."sec_probe_${suffix}"`;
  await pipeline().query(`create schema if not exists lakehouse."${STAGING_SCHEMA}"`);
  await pipeline().query(`create table ${staged} with (format = 'PARQUET', external_location = 'local:///gold/temporal_trends/.tmp-sec-${suffix}') as select 1 as a`);
  refused.push(
    `select * from ${staged}`,
    `insert into ${staged} values (2)`,
    `drop table ${staged}`,
    `create table lakehouse."${STAGING_SCHEMA}"."sec_probe2_${suffix}" with (format = 'PARQUET', external_location = 'local:///gold/temporal_trends/.tmp-sec2-${suffix}') as select 1 as a`,
  );
  for (const sql of refused) await assert.rejects(analyst.query(sql), denied, sql);
  const schemas = (await analyst.rows('show schemas from lakehouse')).map((r) => String(r.Schema)).sort();
  assert.deepEqual(schemas.filter((s) => s !== 'information_schema'), ['gold', 'ops', 'silver']);
  assert.ok((await pipeline().rows('show tables from lakehouse.gold')).some((r) => r.Table === 'temporal_trends'), 'the gold view is still there');
  await pipeline().query(`drop table ${staged}`);
  rmSync(join(dataDir, 'gold', 'temporal_trends', `.tmp-sec-${suffix}`), { recursive: true, force: true });
});

test('superset reads every study of silver, gold and ops, never bronze, and writes nothing', { skip }, async () => {
  const s = superset();
  assert.ok(Number((await s.query('select count(*) from lakehouse.silver.listening_with_features')).rows[0][0]) > 0);
  for (const sql of ['select count(*) from lakehouse.bronze.listeners', 'create view lakehouse.gold.sec_probe as select 1 as a', 'drop view lakehouse.gold.temporal_trends']) {
    await assert.rejects(s.query(sql), denied, sql);
  }
});

test("an analyst does not see another analyst's queries", { skip }, async () => {
  const marker = `secret-${suffix}`;
  await as(A).query(`select '${marker}' as m`);
  const own = await as(A).rows(`select query from system.runtime.queries where "user" = '${A}'`);
  assert.ok(own.some((r) => String(r.query).includes(marker)), 'A sees their own query');
  for (const other of [as(B), superset()]) {
    const seen = await other.rows(`select query from system.runtime.queries where "user" <> current_user`);
    assert.deepEqual(seen, [], `${other.user} sees only their own queries`);
  }
});

test('two studies kept apart: A sees only study A, B only study B, lakehouse and superset both', { skip }, async () => {
  for (const table of ['gold.temporal_trends', 'silver.listening_with_features']) {
    const all = await countsByListener(pipeline(), table);
    assert.ok(all[listenerA] > 0 && all[listenerB] > 0 && Object.keys(all).length > 2, `${table} has rows of both listeners and others`);
    assert.deepEqual(await countsByListener(as(A), table), { [listenerA]: all[listenerA] }, `${table} as ${A}`);
    assert.deepEqual(await countsByListener(as(B), table), { [listenerB]: all[listenerB] }, `${table} as ${B}`);
    assert.deepEqual(await countsByListener(superset(), table), all, `${table} as superset`);
  }
  // The mapping itself is filtered too, and tables without listener_id are read whole.
  assert.deepEqual(await as(A).rows('select listener_id, study_id from lakehouse.silver.listener_studies'), [{ listener_id: listenerA, study_id: STUDY_A }]);
  const catalogRows = Number((await pipeline().query('select count(*) from lakehouse.silver.catalog_tracks')).rows[0][0]);
  assert.equal(Number((await as(B).query('select count(*) from lakehouse.silver.catalog_tracks')).rows[0][0]), catalogRows);

  // A grant takes effect without a restart; so does removing the analyst.
  ok(userScript(['grant', A, '--study', STUDY_B]), 'trino-user.sh grant');
  const deadline = Date.now() + 30_000;
  let seen: Record<string, number> = {};
  while (Date.now() < deadline) {
    seen = await countsByListener(as(A), 'gold.temporal_trends');
    if (seen[listenerB]) break;
    await new Promise((r) => setTimeout(r, 1000));
  }
  assert.deepEqual(Object.keys(seen).sort(), [listenerA, listenerB].sort(), 'after grant A sees both studies');
});

test('a removed analyst is refused within seconds, without a restart', { skip }, async (t) => {
  ok(userScript(['remove', B]), 'trino-user.sh remove');
  const removed = Date.now();
  const deadline = removed + 30_000;
  // Trino reloads the password file and the access rules each on its own refresh period, so for a
  // moment the removed analyst may still log in while the rules already refuse every query
  // (PERMISSION_DENIED). That counts as refused; the end state, within the deadline, is a refused login.
  let deniedAt: number | null = null;
  for (;;) {
    try {
      await as(B).query('select 1');
    } catch (err) {
      if (denied(err)) {
        deniedAt ??= Date.now() - removed;
      } else {
        assert.ok(err instanceof TrinoAuthError, String(err));
        t.diagnostic(`the removed analyst was refused ${Date.now() - removed} ms after trino-user.sh remove returned${deniedAt === null ? '' : ` (queries denied from ${deniedAt} ms)`}`);
        break;
      }
    }
    assert.ok(Date.now() < deadline, deniedAt === null ? `${B} can still log in and query 30 s after removal` : `${B} can still log in (though denied every query) 30 s after removal`);
    await new Promise((r) => setTimeout(r, 1000));
  }
  const listed = JSON.parse(userScript(['list', '--json']).stdout) as { user: string }[];
  assert.ok(!listed.some((u) => u.user === B));
});
