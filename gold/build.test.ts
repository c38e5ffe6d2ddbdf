import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir, testConfig } from '../test/helpers.ts';
import { silentLogger } from '../lib/logger.ts';
import { withWriter } from '../lib/session.ts';
import { readCatalog } from '../lib/lake.ts';
import { queryRows } from '../lib/duckdb.ts';
import { StageError, TableContractError, UsageError } from '../lib/errors.ts';
import { buildGold, loadGoldTables, selectGoldTables } from './build.ts';

// Declarations written into a temporary gold root: plain objects, so they need no imports.
function declare(root: string, category: string, name: string, body: Record<string, unknown>): void {
  mkdirSync(join(root, category), { recursive: true });
  const spec = {
    layer: 'gold', category, name, grainSentence: 'one row per listener', grain: ['listener_id'], description: `test table ${name}`,
    columns: [{ name: 'listener_id', type: 'VARCHAR', description: 'listener' }, { name: 'n', type: 'BIGINT', description: 'plays' }],
    inputs: [], ...body,
  };
  writeFileSync(join(root, category, `${name}.ts`), `export default ${JSON.stringify(spec)};\n`);
}

async function withLake<T>(fn: (dataDir: string, root: string) => Promise<T>): Promise<T> {
  const { dir, cleanup } = tempDir();
  try {
    return await fn(join(dir, 'lake'), join(dir, 'gold'));
  } finally {
    cleanup();
  }
}

const good = { sql: "select 'a' as listener_id, 2::bigint as n" };

test('a table whose schema differs from its declaration fails the run naming it, and nothing is published', async () => {
  await withLake(async (dataDir, root) => {
    declare(root, 'descriptive', 'fine_table', good);
    declare(root, 'diagnostic', 'bad_types', { sql: "select 'a' as listener_id, 2::integer as n" });
    const config = testConfig(dataDir);
    await withWriter(config, silentLogger, 'test', async (s) => {
      await assert.rejects(buildGold(s, { root }), (err: Error) => err instanceof TableContractError && /^gold\.bad_types: schema does not match/.test(err.message));
    });
    assert.deepEqual(Object.keys(readCatalog(dataDir).tables), []);
  });
});

test('a duplicate grain and a SQL error fail naming the table', async () => {
  await withLake(async (dataDir, root) => {
    declare(root, 'descriptive', 'dup_grain', { sql: "select 'a' as listener_id, n::bigint as n from range(2) t(n)" });
    declare(root, 'descriptive', 'broken_sql', { sql: 'select listener_id, n from gold.no_such_table' });
    const config = testConfig(dataDir);
    await withWriter(config, silentLogger, 'test', async (s) => {
      await assert.rejects(buildGold(s, { root, table: 'dup_grain' }), /^TableContractError: gold\.dup_grain: grain \(listener_id\) is not unique/);
      await assert.rejects(buildGold(s, { root, table: 'broken_sql' }), (err: Error) => err instanceof StageError && err.message.startsWith('gold.broken_sql: '));
    });
  });
});

test('unknown category or table is a usage error listing the valid names; a missing input is named', async () => {
  await withLake(async (dataDir, root) => {
    declare(root, 'descriptive', 'fine_table', good);
    declare(root, 'diagnostic', 'needs_silver', { ...good, inputs: ['silver.listening_with_features'] });
    const all = await loadGoldTables(root);
    assert.throws(() => selectGoldTables(all, { category: 'nope' }), (e: Error) => e instanceof UsageError && /valid: descriptive, diagnostic$/.test(e.message));
    assert.throws(() => selectGoldTables(all, { table: 'nope' }), (e: Error) => e instanceof UsageError && /valid: fine_table, needs_silver$/.test(e.message));
    await withWriter(testConfig(dataDir), silentLogger, 'test', async (s) => {
      await assert.rejects(buildGold(s, { root, category: 'diagnostic' }), /gold\.needs_silver: input silver\.listening_with_features has not been built/);
    });
  });
});

test('gold inputs build first in the same run; a job may write several tables; one commit publishes all', async () => {
  await withLake(async (dataDir, root) => {
    // Names chosen so that alphabetical order is the wrong build order.
    declare(root, 'cognitive', 'a_reads_b', { sql: 'select listener_id, n * 10 as n from gold.b_base', inputs: ['gold.b_base'] });
    declare(root, 'cognitive', 'b_base', good);
    mkdirSync(join(root, 'predictive'), { recursive: true });
    const side = { layer: 'gold', category: 'predictive', name: 'side_table', grainSentence: 'one row per listener', grain: ['listener_id'], description: 'written by job_table',
      columns: [{ name: 'listener_id', type: 'VARCHAR', description: 'listener' }], inputs: [], build: Object.assign(async () => {}, { producedBy: 'gold.job_table' }) };
    writeFileSync(join(root, 'predictive', 'side_table.ts'), `export default Object.assign(${JSON.stringify(side)}, { build: Object.assign(async () => {}, { producedBy: 'gold.job_table' }) });\n`);
    writeFileSync(join(root, 'predictive', 'job_table.ts'), `const side = ${JSON.stringify(side)};
export default { ...side, name: 'job_table', description: 'a job writing two tables', build: async (ctx, spec) => {
  await ctx.tx.write(spec, { sql: "select 'a' as listener_id" });
  await ctx.tx.write(side, { sql: "select 'b' as listener_id" });
} };\n`);
    const published = await withWriter(testConfig(dataDir), silentLogger, 'test', (s) => buildGold(s, { root }));
    assert.deepEqual(published.map((m) => m.table).sort(), ['a_reads_b', 'b_base', 'job_table', 'side_table']);
    assert.deepEqual(new Set(published.map((m) => m.run_id)).size, 1);
    const rows = await withWriter(testConfig(dataDir), silentLogger, 'read', (s) => queryRows<{ n: string }>(s.conn, 'select n from gold.a_reads_b'));
    assert.equal(Number(rows[0].n), 20);
    const onlySide = await withWriter(testConfig(dataDir), silentLogger, 'test', (s) => buildGold(s, { root, table: 'side_table' }));
    assert.deepEqual(onlySide.map((m) => m.table).sort(), ['job_table', 'side_table']);
  });
});

test('LAKEHOUSE_MIN_PLAY_MS reaches the feature statistics (bound, default 30 s, 0 counts every play); a bad value is a config error', async () => {
  const { writeSilverEvents } = await import('./shared/fixture-runner.ts');
  const { ConfigError } = await import('../lib/errors.ts');
  const events = [
    { listener_id: 'a', event_id: 'e1', date_local: '2024-03-04', ms_played: 10_000, feature_source: 'kaggle', valence: 0.9 },
    { listener_id: 'a', event_id: 'e2', date_local: '2024-03-04', ms_played: 60_000, feature_source: 'kaggle', valence: 0.3 },
  ];
  const averages: Record<string, unknown> = {};
  for (const setting of ['', '5000', '0', '30001']) {
    const { dir, cleanup } = tempDir();
    try {
      await withWriter(testConfig(dir, {}, setting ? { LAKEHOUSE_MIN_PLAY_MS: setting } : {}), silentLogger, 'test', async (s) => {
        await writeSilverEvents(s, events);
        await buildGold(s, { table: 'temporal_trends' });
        const [row] = await queryRows<{ total_plays: number; avg_valence: number | null }>(s.conn, 'select total_plays, avg_valence from gold.temporal_trends');
        assert.equal(Number(row.total_plays), 2, 'play counts count every play');
        averages[setting || 'default'] = row.avg_valence;
      });
    } finally {
      cleanup();
    }
  }
  assert.deepEqual(averages, { default: 0.3, '5000': 0.6, '0': 0.6, '30001': 0.3 });
  assert.throws(() => testConfig('/tmp/unused', {}, { LAKEHOUSE_MIN_PLAY_MS: '30s' }), ConfigError);
  assert.throws(() => testConfig('/tmp/unused', {}, { LAKEHOUSE_MIN_PLAY_MS: '-1' }), ConfigError);
});
