import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, tempDir, testConfig } from '../test/helpers.ts';
import { silentLogger } from './logger.ts';
import { withReader, withWriter } from './session.ts';
import { queryRows } from './duckdb.ts';
import { readCatalog } from './lake.ts';
import { acquireLock, readLockHolder, lockPath } from './lock.ts';
import { LockHeldError } from './errors.ts';

function startLoop(dataDir: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'test', 'publish-loop.ts'), dataDir], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let published = 0;
  const waiters: (() => void)[] = [];
  child.stdout.on('data', (d: Buffer) => {
    published = Number(String(d).trim().split('\n').pop());
    waiters.splice(0).forEach((w) => w());
  });
  /** Resolves once the child has committed at least n versions (it prints each one). */
  const publishedAtLeast = (n: number) => new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${n} publishes within 60 s`)), 60_000);
    const check = () => (published >= n ? (clearTimeout(timer), resolve()) : waiters.push(check));
    check();
  });
  return { child, publishedAtLeast };
}

test('SIGKILL at any moment of a publish leaves the previous version whole and readable', async () => {
  const { dir, cleanup } = tempDir();
  try {
    // Kill at different points of the next publish after a committed one: while staging, while
    // validating, around the renames.
    for (const delayMs of [0, 15, 40, 90, 160]) {
      const loop = startLoop(dir);
      await loop.publishedAtLeast(1);
      await new Promise((r) => setTimeout(r, delayMs));
      loop.child.kill('SIGKILL');
      await new Promise((r) => loop.child.on('close', r));
      const meta = readCatalog(dir).tables['silver.churn'];
      assert.ok(meta, 'a version was committed before the kill');
      const config = testConfig(dir);
      const [row] = await withReader(config, silentLogger, (s) => queryRows<{ n: number; g: number; gens: number }>(s.conn,
        'select count(*)::integer n, max(generation) g, count(distinct generation)::integer gens from silver.churn'));
      assert.equal(row.gens, 1, 'one generation per version');
      assert.equal(row.n, 20000 + row.g, 'the version is whole');
      assert.equal(row.n, meta.rows);
      // The next writer takes over the dead writer's lock and clears its staging folder.
      await withWriter(config, silentLogger, 'after-kill', async () => undefined);
      assert.deepEqual(readdirSync(join(dir, 'silver', 'churn')).filter((f) => f.startsWith('.tmp')), []);
    }
  } finally {
    cleanup();
  }
});

test('a second writer gets an error naming the holder; a stale lock of a dead process is taken over', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const held = acquireLock(dir, 'ingest export');
    assert.throws(() => acquireLock(dir, 'build silver'), (e: Error) =>
      e instanceof LockHeldError && e.message.includes(`pid ${process.pid}`) && e.message.includes('"ingest export"') && e.message.includes(held.holder.started_at));
    held.release();
    assert.equal(existsSync(lockPath(dir)), false);

    const dead = spawn(process.execPath, ['-e', '0']);
    await new Promise((r) => dead.on('close', r));
    writeFileSync(lockPath(dir), JSON.stringify({ pid: dead.pid, host: (await import('node:os')).hostname(), command: 'run', started_at: '2026-01-01T00:00:00Z' }));
    const taken = acquireLock(dir, 'run');
    assert.equal(readLockHolder(dir)?.pid, process.pid);
    taken.release();
  } finally {
    cleanup();
  }
});

test('a writer whose lock was taken over (its lease ran out) publishes nothing: the new holder\'s versions stay', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const spec = { layer: 'silver' as const, name: 'churn', grain: ['id'], columns: [{ name: 'id', type: 'BIGINT', description: 'row' }] };
    await assert.rejects(withWriter(testConfig(dir), silentLogger, 'slow writer', async (s) => {
      const tx = s.begin();
      await tx.write(spec, { sql: 'select range as id from range(10)' });
      // Meanwhile another writer found the lease expired and took the lock over.
      writeFileSync(lockPath(dir), JSON.stringify({ pid: process.ppid, host: 'other-host', command: 'run', started_at: new Date().toISOString(), token: 'new-holder' }));
      await tx.commit();
    }), (e: Error) => e instanceof LockHeldError && /lost the lock \(taken over by pid \d+ on other-host running "run";/.test(e.message));
    assert.equal(readCatalog(dir).tables['silver.churn'], undefined, 'nothing was published');
    assert.equal(readLockHolder(dir)?.command, 'run', "the new holder's lock is left alone");
  } finally {
    cleanup();
  }
});
