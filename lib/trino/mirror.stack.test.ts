// Against the Trino and the S3-compatible server of scripts/test-stack.sh (TRINO_URL serving
// LAKEHOUSE_DATA_DIR, started with LAKEHOUSE_S3_ENDPOINT and the AWS_* credentials): a few tables of
// every column type are written to the stack's lake and published with LAKEHOUSE_MIRROR_URI set to a
// fresh bucket. Publish syncs the mirror first and registers every version table at its copy there:
// the physical tables' locations are s3://, Trino reads the objects (its "$path"), and its counts,
// checksums and rows equal DuckDB's on the local lake. Publishing again changes nothing; publishing
// without the mirror moves every table back to local:/// (a new version table each, the views
// swapped), which also leaves the stack as the stack tests after this one expect it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, testConfig } from '../../test/helpers.ts';
import { silentLogger } from '../logger.ts';
import { withReader, withWriter } from '../session.ts';
import { readCatalog, tableDir, writeCatalog, type TableVersionMeta } from '../lake.ts';
import type { WriteSpec } from '../table-writer.ts';
import { mirrorObjects } from '../mirror.ts';
import { createBucket, s3TestEnv } from '../s3-test-support.ts';
import type { PublishSummary } from './publish.ts';
import { VERSIONS_SCHEMA } from './publish-plan.ts';
import { checksumSql, physicalLocation, pipelineTrino, PROBE, probeSql, trinoEnv } from './stack-test-support.ts';

const dataDir = process.env.LAKEHOUSE_DATA_DIR ?? '';
const endpoint = process.env.LAKEHOUSE_S3_ENDPOINT ?? '';
const skip = !dataDir || !process.env.TRINO_URL || !process.env.TRINO_PASSWORD
  ? 'needs the Trino of scripts/test-stack.sh'
  : !endpoint
    ? 'needs LAKEHOUSE_S3_ENDPOINT (and AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY): scripts/test-stack.sh starts an S3-compatible server before Trino'
    : false;

const suffix = randomBytes(3).toString('hex');
const bucket = `trino-mirror-${suffix}`;
const mirror = `s3://${bucket}/lake`;
const config = testConfig(dataDir || '/nonexistent', {}, { ...trinoEnv(), ...s3TestEnv() });
const trino = pipelineTrino();

// Tables of this test only (every column type the lake uses, a bigger table, an aggregate of it);
// removed from the lake again at the end.
const PROBE_TABLE: WriteSpec = { ...PROBE, name: 'mirror_probe', description: 'Probe table written by the mirror stack test' };
const PLAYS: WriteSpec = {
  layer: 'silver', name: 'mirror_plays', description: 'Plays written by the mirror stack test', grain: ['play_id'],
  columns: [
    { name: 'play_id', type: 'BIGINT', description: 'Play number' },
    { name: 'listener_id', type: 'VARCHAR', description: 'Pseudonymous listener id' },
    { name: 'played_at', type: 'TIMESTAMP', description: 'End of playback, UTC' },
    { name: 'ms_played', type: 'INTEGER', description: 'Milliseconds played' },
  ],
};
const DAILY: WriteSpec = {
  layer: 'gold', name: 'mirror_daily', description: 'Plays per listener and day (mirror stack test)', grain: ['listener_id', 'day'],
  columns: [
    { name: 'listener_id', type: 'VARCHAR', description: 'Pseudonymous listener id' },
    { name: 'day', type: 'DATE', description: 'UTC day' },
    { name: 'plays', type: 'BIGINT', description: 'Plays that day' },
    { name: 'ms_played', type: 'DOUBLE', description: 'Milliseconds played that day' },
  ],
};
const OURS = [PROBE_TABLE, PLAYS, DAILY].map((s) => `${s.layer}.${s.name}`);

function cli(args: string[], env: Record<string, string>): { status: number | null; stdout: string; stderr: string } {
  const res = spawnSync(process.execPath, [join(repoRoot, 'bin', 'lakehouse.js'), ...args, '--data-dir', dataDir], {
    cwd: repoRoot, encoding: 'utf8', env: { ...process.env, LOG_LEVEL: 'info', ...env }, timeout: 300_000,
  });
  return { status: res.status, stdout: res.stdout, stderr: res.stderr };
}

/** `lakehouse publish --json`, with the mirror or (mirror '') without; the output must not show the secret key. */
function publish(mirrorUri: string): PublishSummary {
  const res = cli(['publish', '--json'], { LAKEHOUSE_MIRROR_URI: mirrorUri });
  assert.equal(res.status, 0, `lakehouse publish (LAKEHOUSE_MIRROR_URI=${mirrorUri}) failed:\n${res.stderr}`);
  assertNoSecret(res.stdout + res.stderr, 'lakehouse publish output');
  return JSON.parse(res.stdout) as PublishSummary;
}

function assertNoSecret(text: string, where: string): void {
  const secret = process.env.AWS_SECRET_ACCESS_KEY ?? '';
  if (secret.length >= 8) assert.ok(!text.includes(secret), `${where} shows AWS_SECRET_ACCESS_KEY`);
}

const metaOf = (qualified: string): TableVersionMeta => readCatalog(dataDir).tables[qualified];

async function duckChecksums(tables: string[]): Promise<Map<string, number[]>> {
  return withReader(config, silentLogger, async (s) => {
    const out = new Map<string, number[]>();
    for (const t of tables) out.set(t, (await s.conn.runAndReadAll(checksumSql(metaOf(t), 'duckdb'))).getRowsJS()[0].map(Number));
    return out;
  });
}

async function trinoChecksum(table: string): Promise<number[]> {
  return (await trino.query(checksumSql(metaOf(table), 'trino'))).rows[0].map(Number);
}

function assertClose(actual: number[], expected: number[], what: string): void {
  assert.equal(actual.length, expected.length, `${what}: number of checksum parts`);
  expected.forEach((e, i) => assert.ok(Math.abs(e - actual[i]) <= 1e-6 * Math.max(1, Math.abs(e)), `${what}: checksum part ${i}: DuckDB ${e}, Trino ${actual[i]}`));
}

const locationOf = (physical: string): Promise<string> => physicalLocation(trino, physical);

before(async () => {
  if (skip) return;
  await withWriter(config, silentLogger, 'mirror-stack-test', async (s) => {
    const tx = s.begin();
    await tx.write(PROBE_TABLE, { sql: probeSql(1, 40) });
    await tx.write(PLAYS, {
      sql: `select range::bigint as play_id, 'l-' || (range % 7) as listener_id,
              timestamp '2024-03-30 22:00:00.125' + to_minutes(range * 13) as played_at, (range * 7919 % 300000)::integer as ms_played
            from range(20000)`,
    });
    await tx.commit();
  });
  await withWriter(config, silentLogger, 'mirror-stack-test', async (s) => {
    const tx = s.begin();
    await tx.write(DAILY, {
      sql: `select listener_id, played_at::date as day, count(*)::bigint as plays, sum(ms_played)::double as ms_played
            from silver.mirror_plays group by all`,
    });
    await tx.commit();
  });
  await createBucket(config, bucket);
});

after(async () => {
  if (skip) return;
  // Leave the stack's lake as it was: our tables gone, everything published from the data dir.
  const catalog = readCatalog(dataDir);
  for (const t of OURS) {
    const meta = catalog.tables[t];
    if (!meta) continue;
    delete catalog.tables[t];
    rmSync(tableDir(dataDir, meta.layer, meta.table), { recursive: true, force: true });
  }
  writeCatalog(dataDir, catalog);
  const res = cli(['publish'], { LAKEHOUSE_MIRROR_URI: '' });
  if (res.status !== 0) console.error(`mirror.stack.test: republishing without the mirror failed:\n${res.stderr}`);
});

test('publish with LAKEHOUSE_MIRROR_URI syncs the mirror and Trino serves every table from s3:// with DuckDB-equal data', { skip }, async (t) => {
  const started = Date.now();
  const summary = publish(mirror);
  t.diagnostic(`publish with the mirror: ${Date.now() - started} ms, ${summary.tables.length} tables, ${summary.mirror?.uploaded_files} files uploaded`);
  const catalog = readCatalog(dataDir);
  assert.deepEqual(summary.tables.map((x) => x.table).sort(), Object.keys(catalog.tables).sort());
  assert.equal(summary.mirror?.uri, mirror, 'publish synced the mirror first');
  assert.ok((summary.mirror?.uploaded_files ?? 0) > 0, 'the fresh bucket received the lake');
  for (const x of summary.tables) {
    const meta = catalog.tables[x.table];
    assert.equal(x.location, `${mirror}/${meta.path}`, `${x.table}: registered in the mirror`);
  }
  const keys = new Set((await mirrorObjects(config, mirror)).map((o) => o.key));
  for (const tbl of OURS) {
    const meta = catalog.tables[tbl];
    for (const f of meta.files) assert.ok(keys.has(`lake/${meta.path}/${f}`), `${tbl}: ${f} is in the mirror`);
  }

  const duck = await duckChecksums(OURS);
  for (const tbl of OURS) {
    const row = summary.tables.find((x) => x.table === tbl);
    assert.ok(row, `${tbl} is published`);
    assert.ok((await locationOf(row.physical)).startsWith(`s3://${bucket}/`), `${tbl}: the physical table's location is s3://`);
    const paths = await trino.rows(`select distinct "$path" as p from lakehouse."${VERSIONS_SCHEMA}"."${row.physical.replace(/^_versions\./, '')}"`);
    assert.ok(paths.length > 0 && paths.every((p) => String(p.p).startsWith(`${mirror}/${tbl.replace('.', '/')}/`)), `${tbl}: Trino reads the objects in the mirror: ${paths.map((p) => p.p).join(', ')}`);
    assertClose(await trinoChecksum(tbl), duck.get(tbl) ?? [], tbl);
    assert.equal(Number((await trino.query(`select count(*) from lakehouse.${tbl}`)).rows[0][0]), metaOf(tbl).rows, `${tbl}: Trino's count`);
  }
  // Row by row for the probe (every column type) and an aggregate.
  const trinoProbe = (await trino.query(`select id, big, label, is_even, cast(seen_date as varchar), cast(seen_at as varchar), array_join(tags, ',') from lakehouse.ops.mirror_probe order by id`)).rows;
  const duckProbe = await withReader(config, silentLogger, async (s) => (await s.conn.runAndReadAll(
    `select id, big, label, is_even, seen_date::varchar, strftime(seen_at, '%Y-%m-%d %H:%M:%S.%f'), array_to_string(tags, ',') from ops.mirror_probe order by id`,
  )).getRowsJS());
  assert.deepEqual(trinoProbe.map((r) => r.map(String)), duckProbe.map((r) => r.map(String)), 'ops.mirror_probe row by row');
  const trinoDaily = (await trino.query(`select listener_id, cast(day as varchar), plays, ms_played from lakehouse.gold.mirror_daily order by 1, 2`)).rows;
  const duckDaily = await withReader(config, silentLogger, async (s) => (await s.conn.runAndReadAll(
    `select listener_id, day::varchar, plays, ms_played from gold.mirror_daily order by 1, 2`,
  )).getRowsJS());
  assert.deepEqual(trinoDaily.map((r) => r.map(String)), duckDaily.map((r) => r.map(String)), 'gold.mirror_daily row by row');

  // Trino's own log never shows the secret key (it reads the credentials from its environment).
  const log = join(process.env.LAKEHOUSE_CACHE_DIR || join(homedir(), '.cache', 'lakehouse'), 'trino', `run-${new URL(process.env.TRINO_URL ?? '').port}`, 'server.log');
  if (existsSync(log)) assertNoSecret(readFileSync(log, 'utf8'), log);
});

test('publishing again with the mirror changes nothing; without it every table moves back to the data dir', { skip }, async () => {
  const again = publish(mirror);
  assert.deepEqual(again.tables.filter((x) => x.changed).map((x) => x.table), [], 'nothing changed');
  assert.deepEqual([again.created, again.dropped], [[], []]);
  assert.equal(again.mirror?.uploaded_files, 0, 'the mirror was already in step');

  const local = publish('');
  assert.equal(local.mirror, null);
  assert.deepEqual(local.tables.filter((x) => !x.changed).map((x) => x.table), [], 'switching the location re-registers every table');
  for (const x of local.tables) assert.match(x.location, /^local:\/\/\//, x.table);
  const duck = await duckChecksums(OURS);
  for (const tbl of OURS) {
    const row = local.tables.find((x) => x.table === tbl)!;
    assert.match(await locationOf(row.physical), /^local:\/\/\//, `${tbl}: back on the data dir`);
    assertClose(await trinoChecksum(tbl), duck.get(tbl) ?? [], tbl);
  }
  const physical = (await trino.rows(`show tables from lakehouse."${VERSIONS_SCHEMA}"`)).map((r) => String(r.Table));
  assert.ok(local.tables.every((x) => physical.includes(x.physical.replace(/^_versions\./, ''))));
  assert.equal(physical.filter((p) => !p.startsWith('_')).length, local.tables.length, 'the s3:// version tables were dropped');
});
