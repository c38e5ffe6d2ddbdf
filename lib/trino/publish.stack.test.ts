// Against the real Trino started by scripts/test-stack.sh (TRINO_URL), serving LAKEHOUSE_DATA_DIR:
// build the demo lake plus a probe table with every column type, publish, and compare what Trino
// reads with what DuckDB reads from the same Parquet; publish again after new data; plant a missing
// and a corrupt table; compare `query --engine trino` with `--engine duckdb`.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, tempDir, testConfig } from '../../test/helpers.ts';
import { silentLogger } from '../logger.ts';
import { withReader, withWriter } from '../session.ts';
import { readCatalog, writeCatalog, type TableVersionMeta } from '../lake.ts';
import { TrinoQueryError } from './client.ts';
import { VERSIONS_SCHEMA } from './publish-plan.ts';
import { IDENTITY_TABLE } from './lake-identity.ts';
import { checksumSql, pipelineTrino, publishedState, PROBE, probeSql, trinoEnv } from './stack-test-support.ts';

const dataDir = process.env.LAKEHOUSE_DATA_DIR ?? '';
const trinoUrl = process.env.TRINO_URL ?? '';
const config = testConfig(dataDir, {}, trinoEnv());
const trino = pipelineTrino();

function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const res = spawnSync(process.execPath, [join(repoRoot, 'bin', 'lakehouse.js'), ...args, '--data-dir', dataDir], {
    cwd: repoRoot, encoding: 'utf8', env: { ...process.env, TRINO_URL: trinoUrl, LOG_LEVEL: 'warn' }, timeout: 300_000,
  });
  return { status: res.status, stdout: res.stdout, stderr: res.stderr };
}

function ok(args: string[]): string {
  const r = cli(args);
  assert.equal(r.status, 0, `lakehouse ${args.join(' ')} failed:\n${r.stderr}`);
  return r.stdout;
}

/** The demo lake. A run that fails a later stage (e.g. a quality gate) still leaves committed tables to publish. */
function demoRun(t: TestContext): void {
  const r = cli(['run', '--demo']);
  if (r.status !== 0) t.diagnostic(`lakehouse run --demo exited ${r.status}; publishing what it committed:\n${r.stderr.slice(-2000)}`);
  const tables = Object.values(readCatalog(dataDir).tables);
  for (const layer of ['bronze', 'silver', 'gold']) assert.ok(tables.some((m) => m.layer === layer), `the demo run left no ${layer} table`);
}

async function writeProbe(firstId: number, n: number): Promise<void> {
  await withWriter(config, silentLogger, 'probe', async (s) => {
    const tx = s.begin();
    await tx.write(PROBE, { sql: probeSql(firstId, n) });
    await tx.commit();
  });
}

const probeCount = async () => Number((await trino.query(`select count(*) from lakehouse.ops.${PROBE.name}`)).rows[0][0]);

test('the stack provides Trino and the data dir it serves', () => {
  assert.ok(trinoUrl && dataDir, 'TRINO_URL and LAKEHOUSE_DATA_DIR must be set (scripts/test-stack.sh sets them)');
});

test('publish exposes every table with DuckDB-equal counts and checksums, comments and sensible types', async (t) => {
  demoRun(t);
  await writeProbe(1, 3);
  const summary = JSON.parse(ok(['publish', '--json'])) as { tables: { table: string }[] };
  const catalog = readCatalog(dataDir);
  assert.deepEqual(summary.tables.map((t) => t.table).sort(), Object.keys(catalog.tables).sort());

  const state = await publishedState(trino);
  const duckSums = await withReader(config, silentLogger, async (s) => {
    const out = new Map<string, unknown[]>();
    for (const meta of Object.values(catalog.tables)) out.set(`${meta.layer}.${meta.table}`, (await s.conn.runAndReadAll(checksumSql(meta, 'duckdb'))).getRowsJS()[0]);
    return out;
  });
  for (const meta of Object.values(catalog.tables)) {
    const key = `${meta.layer}.${meta.table}`;
    const view = state.get(key);
    assert.ok(view, `${key} is not published`);
    assert.equal(view.comment, meta.description?.trim() || null, `${key}: table comment`);
    const described = meta.columns.filter((c) => c.description && view.columns.has(c.name));
    for (const c of described) assert.equal(view.columns.get(c.name)?.comment, c.description?.trim(), `${key}.${c.name}: column comment`);
    for (const c of meta.columns.filter((x) => view.columns.has(x.name))) {
      const t: string = view.columns.get(c.name)?.type ?? '';
      if (/^TIMESTAMP/.test(c.type)) assert.equal(t, 'timestamp(6)', `${key}.${c.name}`);
      if (c.type === 'BOOLEAN') assert.equal(t, 'boolean', `${key}.${c.name}`);
      if (c.type === 'DATE') assert.equal(t, 'date', `${key}.${c.name}`);
    }
    await assertSameChecksum(meta, duckSums.get(key) ?? []);
  }
  const probe = state.get(`ops.${PROBE.name}`);
  assert.deepEqual([...(probe?.columns.values() ?? [])].map((c) => c.type),
    ['integer', 'bigint', 'double', 'boolean', 'varchar', 'timestamp(6)', 'date', 'array(varchar)']);
  const listeners = state.get('bronze.listeners');
  if (listeners && catalog.tables['bronze.listeners'].columns.some((c) => c.name === 'display_label')) {
    assert.ok(!listeners.columns.has('display_label'), 'bronze.listeners.display_label must never be published');
  }
});

async function assertSameChecksum(meta: TableVersionMeta, duck: unknown[]): Promise<void> {
  const key = `${meta.layer}.${meta.table}`;
  const { rows } = await trino.query(checksumSql(meta, 'trino'));
  assert.equal(Number(rows[0][0]), meta.rows, `${key}: Trino row count`);
  rows[0].forEach((v, i) => {
    const [a, b] = [Number(duck[i]), Number(v)];
    assert.ok(Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(a)), `${key}: checksum part ${i}: DuckDB ${a}, Trino ${b}`);
  });
}

test('publishing again after a new run shows the new data and drops the old versions', async (t) => {
  const before = await publishedState(trino);
  demoRun(t);
  await writeProbe(1, 5);
  ok(['publish']);
  ok(['publish']); // idempotent: a second publish of the same lake changes nothing and does not fail
  assert.equal(await probeCount(), 5);
  const after = await publishedState(trino);
  const physical = (await trino.rows(`show tables from lakehouse."${VERSIONS_SCHEMA}"`)).map((r) => String(r.Table)).sort();
  assert.deepEqual(physical.filter((p) => p !== IDENTITY_TABLE), [...after.values()].map((v) => v.physical).sort(), 'only the current versions remain');
  assert.notEqual(after.get(`ops.${PROBE.name}`)?.physical, before.get(`ops.${PROBE.name}`)?.physical);
});

test('a missing or corrupt table fails publish naming it and leaves the previous publication in place', async () => {
  const saved = readCatalog(dataDir);
  const previous = await publishedState(trino);
  const victim = Object.values(saved.tables).find((m) => m.layer === 'gold') ?? Object.values(saved.tables)[0];
  const vanished = { ...victim, version: 999_999, path: join(victim.layer, victim.table, 'v999999') };
  writeCatalog(dataDir, { ...saved, tables: { ...saved.tables, [`${victim.layer}.${victim.table}`]: vanished } });
  let r = cli(['publish']);
  writeCatalog(dataDir, saved);
  assert.equal(r.status, 1);
  assert.match(r.stderr, new RegExp(`${victim.layer}\\.${victim.table}: version folder .*v999999 is missing`));

  const good = readCatalog(dataDir);
  await writeProbe(100, 7); // a new probe version, then its Parquet part is corrupted
  const meta = readCatalog(dataDir).tables[`ops.${PROBE.name}`];
  writeFileSync(join(dataDir, meta.path, meta.files[0]), 'this is not parquet');
  r = cli(['publish']);
  writeCatalog(dataDir, good); // repair the lake so that the rest of the stack sees a readable lake
  rmSync(join(dataDir, meta.path), { recursive: true, force: true });
  assert.equal(r.status, 1);
  assert.match(r.stderr, new RegExp(`ops\\.${PROBE.name} \\(${meta.path}\\): trino: `));
  assert.equal(await probeCount(), 5, 'readers still see the previous version');
  const now = await publishedState(trino);
  assert.deepEqual([...now.entries()].map(([k, v]) => [k, v.physical]), [...previous.entries()].map(([k, v]) => [k, v.physical]));
  const physical = (await trino.rows(`show tables from lakehouse."${VERSIONS_SCHEMA}"`)).map((x) => String(x.Table));
  assert.ok(!physical.some((p) => p.startsWith(`ops__${PROBE.name}__${meta.path.slice(-7)}`)), 'the failed version table was dropped');
  ok(['publish']);
});

test('query --engine trino --json returns the same rows as --engine duckdb', () => {
  const queries = [
    `select * from ops.${PROBE.name} order by id`,
    'select listener_id, count(*) as plays, min(played_at) as first_at, max(played_at) as last_at, sum(ms_played) as ms from silver.listening_with_features group by listener_id order by listener_id',
    'select feature_source, count(*) as n from silver.listening_with_features group by feature_source order by feature_source',
  ];
  for (const sql of queries) {
    const duck = JSON.parse(ok(['query', '--json', sql]));
    const viaTrino = JSON.parse(ok(['query', '--engine', 'trino', '--json', sql]));
    assert.ok(duck.length > 0, sql);
    assert.deepEqual(viaTrino, duck, sql);
  }
});

test('a table that leaves the lake loses its view', async () => {
  const catalog = readCatalog(dataDir);
  const meta = catalog.tables[`ops.${PROBE.name}`];
  delete catalog.tables[`ops.${PROBE.name}`];
  writeCatalog(dataDir, catalog);
  rmSync(join(dataDir, meta.layer, meta.table), { recursive: true, force: true });
  ok(['publish']);
  assert.ok(!(await publishedState(trino)).has(`ops.${PROBE.name}`));
});

test('publishing a data dir that this Trino does not serve is refused and changes nothing', async () => {
  const before = await publishedState(trino);
  const { dir: other, cleanup } = tempDir();
  try {
    const r = spawnSync(process.execPath, [join(repoRoot, 'bin', 'lakehouse.js'), 'publish', '--data-dir', other], {
      cwd: repoRoot, encoding: 'utf8', env: { ...process.env, TRINO_URL: trinoUrl, LOG_LEVEL: 'warn' },
    });
    assert.equal(r.status, 1);
    assert.match(r.stderr, new RegExp(`the Trino at ${trinoUrl} does not serve ${other}`));
  } finally {
    cleanup();
  }
  assert.deepEqual([...(await publishedState(trino)).keys()], [...before.keys()]);
});

test('a failing statement raises with the SQL and Trino\'s message', async () => {
  await assert.rejects(trino.query('select nope from lakehouse.gold.no_such_table'), (err: unknown) =>
    err instanceof TrinoQueryError && /no_such_table/.test(err.trinoMessage) && err.sql.includes('select nope') && /^trino: .*TABLE_NOT_FOUND/.test(err.message));
  const r = cli(['query', '--engine', 'trino', 'select * from gold.no_such_table']);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /gold\.no_such_table/);
});

test('the Trino download is cached: installing again downloads nothing', () => {
  const res = spawnSync('bash', [join(repoRoot, 'scripts', 'trino-install.sh')], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(res.status, 0, res.stderr);
  assert.match(res.stderr, /already installed .*\(no download\)/);
  assert.doesNotMatch(res.stderr, /downloading/);
});
