import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot, runCli, tempDir, testConfig } from '../test/helpers.ts';
import { silentLogger } from './logger.ts';
import { withWriter } from './session.ts';
import { NOTEBOOK_DB } from './notebook-db.ts';
import type { Config } from './config.ts';

/** Publishes the two tables the README's examples read, with `plays` rows. */
async function publish(config: Config, plays: number): Promise<void> {
  await withWriter(config, silentLogger, 'test', async (s) => {
    const tx = s.begin();
    await tx.write({
      layer: 'silver', name: 'listening_with_features', description: 'One row per play (test)', grain: ['event_id'],
      columns: [
        { name: 'event_id', type: 'BIGINT', description: 'Play number' },
        { name: 'listener_id', type: 'VARCHAR', description: 'Pseudonymous id of the listener' },
        { name: 'played_at_local', type: 'TIMESTAMP', description: "played_at in the listener's time zone" },
      ],
    }, { sql: `select range as event_id, 'p' || (range % 3) as listener_id, timestamp '2024-01-01 08:00' + to_minutes(range) as played_at_local from range(${plays})` });
    await tx.write({
      layer: 'gold', name: 'temporal_trends', description: 'Plays per listener and local day (test)', grain: ['listener_id', 'date_local'],
      columns: [
        { name: 'listener_id', type: 'VARCHAR', description: 'Pseudonymous id of the listener' },
        { name: 'date_local', type: 'DATE', description: "Calendar date in the listener's time zone" },
        { name: 'plays', type: 'BIGINT', description: 'Plays that day' },
      ],
    }, { sql: 'select listener_id, played_at_local::date as date_local, count(*) as plays from silver.listening_with_features group by all order by all' });
    await tx.commit();
  });
}

const nodeApi = pathToFileURL(join(repoRoot, 'node_modules', '@duckdb', 'node-api', 'lib', 'index.js')).href;

/** Opens the notebook file READ_ONLY in a separate Node process whose working directory is elsewhere. */
function readInOtherProcess(file: string, cwd: string): { plays: number; comment: string; viewComment: string } {
  const script = `
    const { DuckDBInstance } = await import(${JSON.stringify(nodeApi)});
    const db = await DuckDBInstance.create(${JSON.stringify(file)}, { access_mode: 'READ_ONLY' });
    const c = await db.connect();
    const one = async (sql) => (await c.runAndReadAll(sql)).getRowsJS()[0][0];
    const out = {
      plays: Number(await one('select count(*) from silver.listening_with_features')),
      comment: await one("select comment from duckdb_columns() where schema_name = 'silver' and table_name = 'listening_with_features' and column_name = 'listener_id'"),
      viewComment: await one("select comment from duckdb_views() where schema_name = 'gold' and view_name = 'temporal_trends'"),
    };
    c.closeSync(); db.closeSync();
    process.stdout.write(JSON.stringify(out));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

test('lakehouse.duckdb is rebuilt at every publish; a reader in another process and folder sees the current version with comments', async () => {
  const { dir, cleanup } = tempDir();
  const elsewhere = tempDir();
  try {
    const config = testConfig(dir);
    await publish(config, 100);
    const file = join(dir, NOTEBOOK_DB);
    const first = readInOtherProcess(file, elsewhere.dir);
    assert.equal(first.plays, 100);
    assert.equal(first.comment, 'Pseudonymous id of the listener');
    assert.match(first.viewComment, /^Plays per listener and local day \(test\).* Version 1, built \S+Z, 3 rows\.$/);
    await publish(config, 250);
    const second = readInOtherProcess(file, elsewhere.dir);
    assert.equal(second.plays, 250);
    assert.match(second.viewComment, /Version 2, built/);
    assert.deepEqual(readdirSync(dir).filter((f) => f.startsWith(NOTEBOOK_DB)), [NOTEBOOK_DB], 'no temporary file is left');

    // `lakehouse notebook` rewrites it on demand and prints its path.
    const r = await runCli(['notebook', '--data-dir', dir]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), file);
    assert.equal(readInOtherProcess(file, elsewhere.dir).plays, 250);
  } finally {
    cleanup();
    elsewhere.cleanup();
  }
});

const python = process.env.LAKEHOUSE_NOTEBOOK_PYTHON ?? join(homedir(), '.cache', 'lakehouse', 'notebook-venv', 'bin', 'python');
const pythonReady = existsSync(python) && spawnSync(python, ['-c', 'import duckdb, pandas, polars, pyarrow'], { encoding: 'utf8' }).status === 0;

/** The fenced code blocks of one language in the README's notebook section. */
function readmeBlocks(lang: string): string[] {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Reading the lake from notebooks'));
  const body = section.slice(0, section.indexOf('\n## ', 5));
  return [...body.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]);
}

const noPython = `no Python with duckdb, pandas, polars and pyarrow at ${python}: scripts/notebook-venv.sh makes one (or set LAKEHOUSE_NOTEBOOK_PYTHON)`;

// Skipped on a developer's machine without the venv; under CI (.ci/run makes the venv) a missing one fails.
test('the README notebook examples run: Python (pandas, polars) and the DuckDB CLI', {
  skip: pythonReady || process.env.CI ? false : noPython,
}, async (t) => {
  assert.ok(pythonReady, noPython);
  const { dir, cleanup } = tempDir();
  try {
    await publish(testConfig(dir), 120);
    const file = join(dir, NOTEBOOK_DB);
    const [py] = readmeBlocks('python');
    const run = spawnSync(python, ['-c', py.replaceAll('data/lakehouse.duckdb', file)], { cwd: dir, encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^120 \d+\n/);
    assert.match(run.stdout, /Pseudonymous id of the listener/);
    await publish(testConfig(dir), 150);
    const again = spawnSync(python, ['-c', py.replaceAll('data/lakehouse.duckdb', file)], { cwd: dir, encoding: 'utf8' });
    assert.match(again.stdout, /^150 \d+\n/, 'after a rebuild the notebook sees the new version');
    const cli = join(python, '..', 'duckdb');
    if (existsSync(cli)) {
      const [sh] = readmeBlocks('sh').filter((b) => b.startsWith('duckdb '));
      const out = spawnSync('sh', ['-c', sh.replaceAll('data/lakehouse.duckdb', file).replace(/^duckdb /, `'${cli}' `)], { cwd: dir, encoding: 'utf8' });
      assert.equal(out.status, 0, out.stderr);
      assert.match(out.stdout, /p0\s*│\s*50/);
    } else {
      t.diagnostic(`DuckDB CLI not found at ${cli}; its example was not run`);
    }
  } finally {
    cleanup();
  }
});
