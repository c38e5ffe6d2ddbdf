// scripts/trino-user.sh and the security dir it maintains: modes, hashes, grants, rules, and that
// passwords are printed once and never logged. Runs the real script in a temporary TRINO_SECURITY_DIR.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, tempDir } from '../test/helpers.ts';
import {
  bcryptCost, fileMode, hashPassword, passwordMatches, readGrants, readPasswordFile, writeGrants, writePrivateFile,
} from '../lib/trino/security-files.ts';

function user(dir: string, args: string[], input?: string, env: Record<string, string> = {}) {
  const res = spawnSync('bash', [join(repoRoot, 'scripts', 'trino-user.sh'), ...args], {
    encoding: 'utf8', input, env: { ...process.env, TRINO_SECURITY_DIR: dir, TRINO_USER: '', TRINO_PASSWORD: '', TRINO_SUPERSET_PASSWORD: '', ...env }, timeout: 120_000,
  });
  return { status: res.status, stdout: res.stdout, stderr: res.stderr };
}

function modes(dir: string): Map<string, number> {
  const out = new Map<string, number>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      out.set(p.slice(dir.length + 1), statSync(p).mode & 0o777);
      if (statSync(p).isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out;
}

test('bcrypt hashes: $2y$ (what Trino accepts), cost 10, verifiable', () => {
  const hash = hashPassword('correct horse');
  assert.match(hash, /^\$2y\$10\$/);
  assert.equal(bcryptCost(hash), 10);
  assert.ok(passwordMatches('correct horse', hash));
  assert.ok(!passwordMatches('wrong horse', hash));
  assert.throws(() => hashPassword(''), /empty/);
});

test('private files are written 0600 (even under a permissive umask), the folder 0700', () => {
  const { dir, cleanup } = tempDir();
  const old = process.umask(0o022);
  try {
    writePrivateFile(join(dir, 'sec', 'x'), 'secret\n');
    assert.equal(fileMode(join(dir, 'sec', 'x')), 0o600);
    assert.equal(statSync(join(dir, 'sec')).mode & 0o777, 0o700);
    writePrivateFile(join(dir, 'sec', 'x'), 'other\n');
    assert.equal(readFileSync(join(dir, 'sec', 'x'), 'utf8'), 'other\n');
    assert.deepEqual(readdirSync(join(dir, 'sec')), ['x'], 'no temporary file is left behind');
  } finally {
    process.umask(old);
    cleanup();
  }
});

test('grants round-trip, and a broken studies.yaml is refused naming file and entry', () => {
  const { dir, cleanup } = tempDir();
  try {
    const file = join(dir, 'studies.yaml');
    writeGrants(file, { bob: ['s2', '2026', 's2'], alice: [] });
    assert.deepEqual(readGrants(file), { alice: [], bob: ['2026', 's2'] });
    writeFileSync(file, 'analysts:\n  alice: [2026]\n');
    assert.throws(() => readGrants(file), /studies\.yaml: analysts\.alice: 2026 is not a string; quote study ids/);
    writeFileSync(file, 'analysts:\n  Alice: [pilot]\n');
    assert.throws(() => readGrants(file), /studies\.yaml: analysts\.Alice: "Alice" is not a valid analyst name/);
    writeFileSync(file, 'analysts: [alice]\n');
    assert.throws(() => readGrants(file), /studies\.yaml: expected a mapping/);
  } finally {
    cleanup();
  }
});

test('trino-user.sh: init, add, grant, revoke, list, remove keep 0600 files, bcrypt hashes and the rules in step', () => {
  const { dir, cleanup } = tempDir();
  const sec = join(dir, 'security');
  try {
    let r = user(sec, ['init']);
    assert.equal(r.status, 0, r.stderr);
    for (const f of ['password.db', 'rules.json', 'shared-secret', 'studies.yaml', 'lakehouse.password', 'superset.password', 'tls/server.pem', 'tls/ca.pem']) {
      assert.ok(existsSync(join(sec, f)), f);
    }
    for (const [path, mode] of modes(sec)) {
      const want = path === 'tls' ? 0o700 : path === 'tls/ca.pem' ? 0o644 : 0o600;
      assert.equal(mode, want, `${path} is ${mode.toString(8)}`);
    }
    assert.equal(statSync(sec).mode & 0o777, 0o700);
    const lakehousePw = readFileSync(join(sec, 'lakehouse.password'), 'utf8').trim();
    assert.ok(passwordMatches(lakehousePw, readPasswordFile(join(sec, 'password.db')).get('lakehouse') ?? ''));
    assert.ok(!r.stderr.includes(lakehousePw), 'init does not log the generated password');
    const ca = readFileSync(join(sec, 'tls', 'ca.pem'), 'utf8');
    const san = spawnSync('openssl', ['x509', '-noout', '-ext', 'subjectAltName'], { input: ca, encoding: 'utf8' }).stdout;
    assert.match(san, /IP Address:127\.0\.0\.1/);
    assert.match(san, /DNS:localhost/);
    assert.match(readFileSync(join(sec, 'tls', 'server.pem'), 'utf8'), /BEGIN PRIVATE KEY[\s\S]*BEGIN CERTIFICATE/);

    // init again changes nothing: same certificate, same secret, same hashes.
    const before = ['password.db', 'shared-secret', 'tls/ca.pem'].map((f) => readFileSync(join(sec, f), 'utf8'));
    r = user(sec, ['init']);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(['password.db', 'shared-secret', 'tls/ca.pem'].map((f) => readFileSync(join(sec, f), 'utf8')), before);

    r = user(sec, ['add', 'alice', '--study', 'pilot']);
    assert.equal(r.status, 0, r.stderr);
    const pw = r.stdout.trim();
    assert.match(pw, /^[\w-]{32}$/);
    assert.ok(!r.stderr.includes(pw), 'the password is not logged');
    const hash = readPasswordFile(join(sec, 'password.db')).get('alice') ?? '';
    assert.ok(hash.startsWith('$2y$10$') && passwordMatches(pw, hash));
    assert.ok(!readFileSync(join(sec, 'password.db'), 'utf8').includes(pw), 'only the hash is stored');
    assert.equal(fileMode(join(sec, 'password.db')), 0o600);

    r = user(sec, ['add', 'bob', '--study', 'study-2', '--password-stdin'], 'a chosen password\n');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, '', 'a password read from stdin is not printed');
    assert.ok(passwordMatches('a chosen password', readPasswordFile(join(sec, 'password.db')).get('bob') ?? ''));

    assert.equal(user(sec, ['add', 'alice']).status, 2, 'an existing analyst is not added twice');
    assert.equal(user(sec, ['add', 'lakehouse']).status, 2, 'a service user is not an analyst');
    assert.equal(user(sec, ['add', 'carol', '--study', 'Bad Study']).status, 2);

    assert.equal(user(sec, ['grant', 'alice', '--study', 'study-2']).status, 0);
    assert.equal(user(sec, ['revoke', 'alice', '--study', 'pilot']).status, 0);
    assert.deepEqual(readGrants(join(sec, 'studies.yaml')), { alice: ['study-2'], bob: ['study-2'] });
    const rules = readFileSync(join(sec, 'rules.json'), 'utf8');
    assert.match(rules, /"user": "alice"[\s\S]*study_id IN \('study-2'\)/);
    assert.doesNotMatch(rules, /'pilot'/);
    for (const f of ['studies.yaml', 'rules.json', 'password.db']) assert.equal(fileMode(join(sec, f)), 0o600, f);

    r = user(sec, ['list', '--json']);
    assert.deepEqual(JSON.parse(r.stdout), [
      { user: 'alice', role: 'analyst', studies: ['study-2'], can_log_in: true },
      { user: 'bob', role: 'analyst', studies: ['study-2'], can_log_in: true },
      { user: 'lakehouse', role: 'pipeline', studies: null, can_log_in: true },
      { user: 'superset', role: 'superset', studies: null, can_log_in: true },
    ]);
    assert.doesNotMatch(r.stdout + r.stderr, /\$2y\$/, 'list never shows hashes');

    assert.equal(user(sec, ['remove', 'alice']).status, 0);
    assert.ok(!readPasswordFile(join(sec, 'password.db')).has('alice'));
    assert.doesNotMatch(readFileSync(join(sec, 'rules.json'), 'utf8'), /"alice/);
    assert.equal(user(sec, ['remove', 'alice']).status, 2);
  } finally {
    cleanup();
  }
});

test('service users take their password from TRINO_PASSWORD / TRINO_SUPERSET_PASSWORD when set (compose), writing no plain file', () => {
  const { dir, cleanup } = tempDir();
  const sec = join(dir, 'security');
  try {
    const r = user(sec, ['init'], undefined, { TRINO_PASSWORD: 'pipeline-secret-1', TRINO_SUPERSET_PASSWORD: 'superset-secret-1', TRINO_TLS_HOSTNAMES: 'trino' });
    assert.equal(r.status, 0, r.stderr);
    const entries = readPasswordFile(join(sec, 'password.db'));
    assert.ok(passwordMatches('pipeline-secret-1', entries.get('lakehouse') ?? ''));
    assert.ok(passwordMatches('superset-secret-1', entries.get('superset') ?? ''));
    assert.ok(!existsSync(join(sec, 'lakehouse.password')) && !existsSync(join(sec, 'superset.password')));
    assert.doesNotMatch(r.stderr, /secret-1/);
    const san = spawnSync('openssl', ['x509', '-in', join(sec, 'tls', 'ca.pem'), '-noout', '-ext', 'subjectAltName'], { encoding: 'utf8' }).stdout;
    assert.match(san, /DNS:trino/);
  } finally {
    cleanup();
  }
});
