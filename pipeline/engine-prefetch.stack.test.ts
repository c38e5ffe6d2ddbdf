// `build gold --engine trino` computes the SQL tables side by side (gold/build.ts prefetchSqlTables,
// LakeTransaction.prefetch), against the real Trino of scripts/test-stack.sh serving
// LAKEHOUSE_DATA_DIR. A gold root of four probe tables over silver: the second fails in Trino while
// the others are being computed. The build must fail naming it, publish nothing, and leave no staging
// folder and no staging table of the prefetched tables behind; Trino's own query list shows that the
// statements ran at the same time. (It runs after engine-parity.stack.test.ts, whose lake has a
// silver; on its own it builds the demo lake first. The cluster test copies its lake into the served
// data dir and must run first, on an empty one.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, tempDir, testConfig } from '../test/helpers.ts';
import { silentLogger } from '../lib/logger.ts';
import { withWriter } from '../lib/session.ts';
import { readCatalog } from '../lib/lake.ts';
import { pipelineTrino, trinoEnv } from '../lib/trino/stack-test-support.ts';
import { buildGold } from '../gold/build.ts';

const dataDir = process.env.LAKEHOUSE_DATA_DIR ?? '';

function declare(root: string, name: string, sql: string): void {
  mkdirSync(join(root, 'descriptive'), { recursive: true });
  const spec = {
    layer: 'gold', category: 'descriptive', name, grainSentence: 'one row per listener', grain: ['listener_id'], description: `probe ${name}`,
    columns: [{ name: 'listener_id', type: 'VARCHAR', description: 'listener' }, { name: 'n', type: 'BIGINT', description: 'plays' }],
    inputs: ['silver.listening_with_features'], sql,
  };
  writeFileSync(join(root, 'descriptive', `${name}.ts`), `export default ${JSON.stringify(spec)};\n`);
}

/** Staging folders (.tmp-<run>-…) under every gold table folder. */
function stagingFolders(): string[] {
  const gold = join(dataDir, 'gold');
  if (!existsSync(gold)) return [];
  return readdirSync(gold).flatMap((t) => readdirSync(join(gold, t)).filter((e) => e.startsWith('.tmp-')).map((e) => `gold/${t}/${e}`));
}

test('--engine trino computes SQL tables side by side; one that fails fails the build, names itself and leaves nothing behind', { timeout: 10 * 60_000 }, async () => {
  assert.ok(process.env.TRINO_URL && dataDir, 'TRINO_URL and LAKEHOUSE_DATA_DIR must be set (scripts/test-stack.sh sets them)');
  if (!readCatalog(dataDir).tables['silver.listening_with_features']) {
    const res = spawnSync(process.execPath, [join(repoRoot, 'bin', 'lakehouse.js'), 'run', '--demo', '--data-dir', dataDir], {
      cwd: repoRoot, env: { ...process.env, LOG_LEVEL: 'warn' }, encoding: 'utf8',
    });
    assert.equal(res.status, 0, `lakehouse run --demo failed:\n${res.stderr.slice(-3000)}`);
  }
  const { dir: root, cleanup } = tempDir('gold-prefetch-');
  const before = readCatalog(dataDir);
  const marker = `prefetch_${Date.now()}`;
  const plays = (n: string) => `select listener_id, ${n} as n from silver.listening_with_features group by listener_id`;
  declare(root, `${marker}_a`, plays('count(*)::bigint'));
  // Fails while running: listener ids are not numbers.
  declare(root, `${marker}_b`, plays('max(cast(listener_id as bigint))'));
  declare(root, `${marker}_c`, plays('count(distinct track_id)::bigint'));
  declare(root, `${marker}_d`, plays('count(distinct session_id)::bigint'));
  try {
    const config = testConfig(dataDir, { engine: 'trino' }, trinoEnv());
    await withWriter(config, silentLogger, 'test', async (s) => {
      await assert.rejects(buildGold(s, { root }), (err: Error) => {
        assert.match(err.message, new RegExp(`${marker}_b`), 'the error names the failing table');
        assert.match(err.message, /cast|INVALID_CAST_ARGUMENT/i, "the error gives Trino's reason");
        return true;
      });
    });
    assert.deepEqual(readCatalog(dataDir), before, 'nothing published');
    assert.deepEqual(stagingFolders(), [], 'staging folders left behind');
    const trino = pipelineTrino();
    const left = (await trino.rows('show tables from lakehouse."_staging"')).map((r) => String(r.Table)).filter((t) => t.includes(marker));
    assert.deepEqual(left, [], 'staging tables left in Trino');
    // Each probe's INSERT as Trino saw it: when it was created and when it ended.
    const runs = await trino.rows(`select query, to_unixtime(created) as created, to_unixtime("end") as ended from system.runtime.queries
      where query like 'insert into %${marker}_%' and query not like '%system.runtime.queries%'`);
    const insertOf = (suffix: string) => {
      const r = runs.find((q) => String(q.query).includes(`${marker}_${suffix}"`));
      assert.ok(r, `Trino ran the INSERT of ${marker}_${suffix}`);
      return { created: Number(r.created), end: Number(r.ended) };
    };
    const [a, c, d] = [insertOf('a'), insertOf('c'), insertOf('d')];
    assert.ok(c.created < a.end && d.created < a.end, `the later tables started while the first one ran (first ${JSON.stringify(a)}, third ${JSON.stringify(c)}, fourth ${JSON.stringify(d)})`);
  } finally {
    cleanup();
  }
});
