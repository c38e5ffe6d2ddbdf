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
