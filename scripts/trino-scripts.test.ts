// The native Trino scripts' failure paths that need no running Trino (and no download): the JDK
// check and stopping by a pid file that does not name a Trino.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, tempDir } from '../test/helpers.ts';

const script = (name: string) => join(repoRoot, 'scripts', name);
const jdk17 = readdirSync('/usr/lib/jvm').map((d) => join('/usr/lib/jvm', d)).find((d) => /17/.test(d) && existsSync(join(d, 'bin', 'java')));

test('trino-start fails with a clear message, before any download, when no JDK is new enough', { skip: !jdk17 && 'no JDK 17 on this machine to stand in for a too-old JDK' }, () => {
  const { dir, cleanup } = tempDir();
  try {
    const env = { ...process.env, LAKEHOUSE_CACHE_DIR: dir, LAKEHOUSE_DATA_DIR: join(dir, 'data'), TRINO_PORT: '18999' };
    let r = spawnSync('bash', [script('trino-start.sh')], { encoding: 'utf8', env: { ...env, TRINO_JAVA_HOME: jdk17 } });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /TRINO_JAVA_HOME=.* is not a Java 24\+ JDK \(Trino \d+ needs Java 24 or newer\)/);
    r = spawnSync('bash', [script('trino-start.sh')], { encoding: 'utf8', env: { ...env, JAVA_HOME: jdk17, TRINO_JDK_DIRS: join(dir, 'none') } });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /needs Java 24 or newer, found none \(JDKs seen: \S+=17\)/);
    assert.ok(!existsSync(join(dir, 'trino', readFileSync(join(repoRoot, 'trino', 'VERSION'), 'utf8').trim())), 'nothing was downloaded');
  } finally {
    cleanup();
  }
});

test('trino-stop never signals a process that is not Trino (a stale pid file)', async () => {
  const { dir, cleanup } = tempDir();
  const bystander = spawn('sleep', ['30']);
  try {
    mkdirSync(join(dir, 'trino', 'run-18998'), { recursive: true });
    writeFileSync(join(dir, 'trino', 'run-18998', 'trino.pid'), String(bystander.pid));
    const r = spawnSync('bash', [script('trino-stop.sh')], { encoding: 'utf8', env: { ...process.env, LAKEHOUSE_CACHE_DIR: dir, TRINO_PORT: '18998' } });
    assert.equal(r.status, 0);
    assert.match(r.stderr, /not running; removing the stale pid file/);
    assert.equal(bystander.exitCode, null, 'the bystander process is still alive');
    assert.ok(!existsSync(join(dir, 'trino', 'run-18998', 'trino.pid')));
  } finally {
    bystander.kill();
    cleanup();
  }
});

const bytes = (v: string) => {
  const m = /^(\d+(?:\.\d+)?)\s*(B|kB|KB|MB|GB|TB|[kmgt])?$/i.exec(v.trim());
  assert.ok(m, `a size: ${v}`);
  const unit = (m[2] ?? 'B').toUpperCase()[0];
  return Number(m[1]) * 1024 ** ({ B: 0, K: 1, M: 2, G: 3, T: 4 } as Record<string, number>)[unit];
};
const setting = (text: string, key: string) => new RegExp(`^${key.replace(/\./g, '\\.')}=(.+)$`, 'm').exec(text)?.[1];

test('memory settings fit: per-node query memory plus headroom within each heap, cluster limits above the per-node ones', () => {
  const etc = join(repoRoot, 'trino', 'etc');
  let totalHeap = 0;
  for (const [role, dir] of [['coordinator', etc], ['worker', join(etc, 'worker')]]) {
    const config = readFileSync(join(dir, 'config.properties'), 'utf8');
    const heap = /^-Xmx(\d+[kmgKMG])$/m.exec(readFileSync(join(dir, 'jvm.config'), 'utf8'))?.[1];
    assert.ok(heap, `${role}: jvm.config sets -Xmx`);
    const perNode = setting(config, 'query.max-memory-per-node');
    const headroom = setting(config, 'memory.heap-headroom-per-node');
    assert.ok(perNode && headroom, `${role}: per-node memory and headroom are set explicitly`);
    assert.ok(bytes(perNode) + bytes(headroom) <= bytes(heap), `${role}: ${perNode} + ${headroom} must fit in the ${heap} heap (Trino refuses to start otherwise)`);
    totalHeap += bytes(heap) * (role === 'worker' ? 2 : 1);
  }
  const coordinator = readFileSync(join(etc, 'config.properties'), 'utf8');
  const workerPerNode = bytes(setting(readFileSync(join(etc, 'worker', 'config.properties'), 'utf8'), 'query.max-memory-per-node')!);
  assert.ok(bytes(setting(coordinator, 'query.max-memory')!) >= workerPerNode, 'a query may use at least one worker\'s memory');
  assert.ok(bytes(setting(coordinator, 'query.max-total-memory')!) >= bytes(setting(coordinator, 'query.max-memory')!));
  assert.ok(totalHeap <= 10 * 1024 ** 3, `coordinator + 2 workers stay within 10 GB of heap on the 24 GB machine (${totalHeap / 1024 ** 3} GB)`);
  // The worker's config only differs where it must.
  const jvm = readFileSync(join(etc, 'jvm.config'), 'utf8').split('\n').filter((l) => !l.startsWith('-Xmx'));
  assert.deepEqual(readFileSync(join(etc, 'worker', 'jvm.config'), 'utf8').split('\n').filter((l) => !l.startsWith('-Xmx')), jvm, 'worker jvm.config = coordinator\'s but the heap');
});

test('trino-start refuses a bad --workers value before doing anything', () => {
  for (const args of [['--workers', 'x'], ['--workers', '99'], ['--bogus']]) {
    const r = spawnSync('bash', [script('trino-start.sh'), ...args], { encoding: 'utf8', env: { ...process.env, LAKEHOUSE_CACHE_DIR: '/nonexistent-cache', TRINO_PORT: '18997' } });
    assert.equal(r.status, 2, args.join(' '));
    assert.match(r.stderr, /trino-start: error: (--workers must be a number from 0 to 16|unknown argument --bogus)/);
  }
});

test("trino-stop looks at the workers' pid files too and never signals a process that is not Trino", () => {
  const { dir, cleanup } = tempDir();
  const bystander = spawn('sleep', ['30']);
  try {
    const state = join(dir, 'trino', 'run-18996');
    mkdirSync(join(state, 'worker-1'), { recursive: true });
    writeFileSync(join(state, 'worker-1', 'trino.pid'), String(bystander.pid));
    const r = spawnSync('bash', [script('trino-stop.sh')], { encoding: 'utf8', env: { ...process.env, LAKEHOUSE_CACHE_DIR: dir, TRINO_PORT: '18996' } });
    assert.equal(r.status, 0);
    assert.match(r.stderr, /worker 1 \(pid \d+\) is not running; removing the stale pid file/);
    assert.equal(bystander.exitCode, null, 'the bystander process is still alive');
    assert.ok(!existsSync(join(state, 'worker-1', 'trino.pid')));
  } finally {
    bystander.kill();
    cleanup();
  }
});
