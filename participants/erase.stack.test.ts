// Against the real Trino of scripts/test-stack.sh (TRINO_URL, serving LAKEHOUSE_DATA_DIR): two new
// listeners are imported and published; erasing one through the CLI republishes, after which Trino
// returns none of their rows, the other listener's rows are unchanged, the audit row is queryable,
// and the display label was never visible. Fresh ids, so the demo listeners of other stack tests stay.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { historyDir, repoRoot } from '../test/helpers.ts';
import { trinoFromEnv } from '../lib/trino/client.ts';

const dataDir = process.env.LAKEHOUSE_DATA_DIR ?? '';
const trinoUrl = process.env.TRINO_URL ?? '';
const suffix = randomBytes(3).toString('hex');
const GONE = `stack-gone-${suffix}`;
const KEPT = `stack-kept-${suffix}`;

function ok(args: string[]): string {
  const res = spawnSync(process.execPath, [join(repoRoot, 'bin', 'lakehouse.js'), ...args, '--data-dir', dataDir], {
    cwd: repoRoot, encoding: 'utf8', env: { ...process.env, TRINO_URL: trinoUrl, LOG_LEVEL: 'warn' }, timeout: 300_000,
  });
  assert.equal(res.status, 0, `lakehouse ${args.join(' ')} failed:\n${res.stderr}`);
  return res.stdout;
}

test('listeners delete republishes: Trino no longer returns the erased listener, the label never was', { skip: !dataDir || !trinoUrl ? 'needs TRINO_URL and LAKEHOUSE_DATA_DIR' : false }, async () => {
  const trino = trinoFromEnv();
  ok(['ingest', 'export', join(historyDir, 'Efrrowini__spotify-music-analysis', 'Streaming_History_Audio_2022.json'), '--listener', GONE]);
  ok(['ingest', 'export', join(historyDir, 'Khushi-203006__Spotify_Data_Analysis_Project', 'Streaming_History_Audio_2023.json'), '--listener', KEPT]);
  ok(['listeners', 'set', GONE, '--label', `label-${suffix}`]);
  ok(['publish']);

  const plays = async (id: string) => Number((await trino.rows(`select count(*) as n from lakehouse.bronze.listening_history where listener_id = '${id}'`))[0].n);
  const gone = await plays(GONE);
  const kept = await plays(KEPT);
  assert.ok(gone > 0 && kept > 0, 'both listeners are published');
  const columns = (await trino.rows("select column_name from lakehouse.information_schema.columns where table_schema = 'bronze' and table_name = 'listeners'")).map((r) => String(r.column_name));
  assert.ok(columns.includes('timezone') && !columns.includes('display_label'), `the label is not published (${columns.join(', ')})`);

  const summary = JSON.parse(ok(['listeners', 'delete', GONE, '--confirm', '--json'])) as { trino: string; residue: unknown[] };
  assert.equal(summary.trino, 'republished');
  assert.deepEqual(summary.residue, []);
  assert.equal(await plays(GONE), 0);
  assert.equal(await plays(KEPT), kept, 'the other listener is unchanged');
  const registry = await trino.rows(`select listener_id from lakehouse.bronze.listeners where listener_id in ('${GONE}', '${KEPT}')`);
  assert.deepEqual(registry.map((r) => r.listener_id), [KEPT]);
  const audit = await trino.rows(`select listener_id, rows_removed from lakehouse.ops.erasures where listener_id = '${GONE}'`);
  assert.equal(audit.length, 1);
  assert.ok(Number(audit[0].rows_removed) >= gone);
});
