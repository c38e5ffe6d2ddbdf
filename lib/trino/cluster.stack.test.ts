// Against the Trino cluster of `TRINO_WORKERS=2 scripts/test-stack.sh` (scripts/trino-start.sh
// --workers 2): the coordinator lists its workers, and the work of a query runs on the workers, not
// on the coordinator (node-scheduler.include-coordinator=false), as system.runtime.tasks shows per
// node. A table written by the engine's CTAS is written by the workers into the shared lake folder.
// Skipped when the stack runs a single node (TRINO_WORKERS unset or 0).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { repoRoot } from '../../test/helpers.ts';
import { openDuckDB } from '../duckdb.ts';
import { STAGING_SCHEMA } from './access-rules.ts';
import { engineQuery, rawQuery } from './session-test-support.ts';

const dataDir = process.env.LAKEHOUSE_DATA_DIR ?? '';
const workers = Number(process.env.TRINO_WORKERS ?? '0');
const skip = !dataDir || !process.env.TRINO_URL || !process.env.TRINO_PASSWORD
  ? 'needs the Trino of scripts/test-stack.sh'
  : workers < 2 ? 'needs a cluster: TRINO_WORKERS=2 scripts/test-stack.sh (this stack runs a single node)' : false;

const suffix = randomBytes(3).toString('hex');
const table = `lakehouse."${STAGING_SCHEMA}"."cluster_probe_${suffix}"`;
const folder = `gold/cluster_probe/.tmp-${suffix}`;
const ROWS = 300_000;

after(async () => {
  if (skip) return;
  await engineQuery(`drop table if exists ${table}`).catch(() => {});
  rmSync(join(dataDir, 'gold', 'cluster_probe'), { recursive: true, force: true });
});

interface NodeRow { nodeId: string; uri: string; version: string; coordinator: boolean; state: string }

async function nodes(): Promise<NodeRow[]> {
  const rows = await rawQuery('select node_id, http_uri, node_version, coordinator, state from system.runtime.nodes order by node_id');
  return rows.map(([nodeId, uri, version, coordinator, state]) => ({ nodeId, uri, version, coordinator, state }) as NodeRow);
}

/** node id -> number of tasks of the (finished) query that contains `marker`, from every node's task list. */
async function tasksPerNode(marker: string): Promise<Map<string, number>> {
  const [[queryId]] = await rawQuery(`select query_id from system.runtime.queries where query like '%${marker}%' and query not like '%system.runtime.queries%' and state = 'FINISHED'`);
  const rows = await rawQuery(`select node_id, count(*) from system.runtime.tasks where query_id = '${String(queryId)}' group by node_id`);
  return new Map(rows.map(([node, n]) => [String(node), Number(n)]));
}

test('the coordinator lists its workers: own node ids and HTTPS ports, the pinned version, all active', { skip }, async (t) => {
  const all = await nodes();
  const version = readFileSync(join(repoRoot, 'trino', 'VERSION'), 'utf8').trim();
  const coordinators = all.filter((n) => n.coordinator);
  const workerNodes = all.filter((n) => !n.coordinator);
  t.diagnostic(all.map((n) => `${n.nodeId} ${n.uri} ${n.coordinator ? 'coordinator' : 'worker'} ${n.state}`).join('; '));
  assert.equal(coordinators.length, 1);
  assert.equal(workerNodes.length, workers, `${workers} workers`);
  assert.equal(new Set(all.map((n) => n.nodeId)).size, all.length, 'node ids are unique');
  assert.equal(new Set(all.map((n) => n.uri)).size, all.length, 'each node has its own address/port');
  for (const n of all) {
    assert.equal(n.state, 'active', n.nodeId);
    assert.equal(n.version, version, n.nodeId);
    assert.match(n.uri, /^https:\/\//, `${n.nodeId} talks HTTPS`);
  }
});

test("a query's tasks run on the workers, none on the coordinator; CTAS files written by workers land in the lake", { skip }, async (t) => {
  const [coordinator] = (await nodes()).filter((n) => n.coordinator).map((n) => n.nodeId);
  await engineQuery(`create schema if not exists lakehouse."${STAGING_SCHEMA}"`);
  const ctasMarker = `cluster-ctas-${suffix}`;
  const started = Date.now();
  assert.deepEqual(await engineQuery(`create table ${table} with (format = 'PARQUET', external_location = 'local:///${folder}') as
    select a, b, cast(a % 97 as varchar) as k, timestamp '2025-01-01 00:00:00.000001' + b * interval '1' second as ts
    from unnest(sequence(1, 10000)) t(a) cross join unnest(sequence(1, ${ROWS / 10000})) u(b) -- ${ctasMarker}`), [[ROWS]]);
  t.diagnostic(`CTAS of ${ROWS} rows: ${Date.now() - started} ms`);

  const selectMarker = `cluster-select-${suffix}`;
  const counted = await engineQuery(`select k, count(*) as n, max(ts) as last from ${table} group by k order by k -- ${selectMarker}`);
  assert.equal(counted.length, 97);
  assert.equal(counted.reduce((s, r) => s + Number(r[1]), 0), ROWS);

  const selectTasks = await tasksPerNode(selectMarker);
  t.diagnostic(`select: tasks per node ${JSON.stringify(Object.fromEntries(selectTasks))}`);
  assert.equal(selectTasks.get(coordinator) ?? 0, 0, 'the coordinator runs no task of the query');
  assert.ok([...selectTasks.keys()].filter((n) => n !== coordinator).length >= 2, 'tasks ran on at least two workers');

  // The write: the workers write the files; only the commit (the coordinator-only TableFinish stage) runs on the coordinator.
  const ctasTasks = await tasksPerNode(ctasMarker);
  t.diagnostic(`CTAS: tasks per node ${JSON.stringify(Object.fromEntries(ctasTasks))}`);
  assert.ok([...ctasTasks.keys()].some((n) => n !== coordinator), 'a worker ran the write');
  assert.ok((ctasTasks.get(coordinator) ?? 0) <= 1, 'at most the commit task on the coordinator');

  const files = readdirSync(join(dataDir, folder));
  assert.ok(files.length >= 1);
  const { instance, connection } = await openDuckDB();
  try {
    const [row] = (await connection.runAndReadAll(`select count(*)::bigint as n, count(distinct k)::integer as keys from read_parquet('${join(dataDir, folder)}/*')`)).getRowObjectsJson();
    assert.deepEqual(row, { n: String(ROWS), keys: 97 }, `DuckDB reads every row of the ${files.length} file(s) the workers wrote`);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
});
