// The pieces of Superset's security that need no running Superset: the admin password rule (and the
// scripts refusing a weak one before anything starts), the analysts' row-filter clause and the study
// id rule it relies on, the chart-data cache keyed on the lake version, and .env read like compose.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../test/helpers.ts';
import { isStudyId } from '../lib/study-id.ts';

const python = (code: string, env: Record<string, string> = {}, exe = 'python3') =>
  spawnSync(exe, ['-c', code], { cwd: join(repoRoot, 'superset'), encoding: 'utf8', env: { PATH: process.env.PATH ?? '', ...env } });

test('the admin password rule: at least 12 characters, not well-known, not the user name; no default user', () => {
  const check = (user: string, pw: string) => spawnSync('python3', [join(repoRoot, 'superset', 'admin_password.py')],
    { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', SUPERSET_ADMIN_USER: user, SUPERSET_ADMIN_PASSWORD: pw } });
  for (const [user, pw, why] of [
    ['curator', '', /SUPERSET_ADMIN_PASSWORD: not set/], ['curator', 'elevenchars', /shorter than 12/], ['curator', 'PASSWORDPASSWORD', /well-known/],
    ['curator', 'changeme123', /shorter than 12/], ['curator', 'SupersetAdmin', /well-known/], ['curator', 'xx-Curator-2026', /contains the user name/],
    ['', 'a-perfectly-long-passphrase', /SUPERSET_ADMIN_USER: not set/],
  ] as const) {
    const res = check(user, pw);
    assert.equal(res.status, 1, `accepted ${user}/${pw}`);
    assert.match(res.stderr, why);
    if (pw) assert.ok(!res.stderr.includes(pw), 'the message never shows the password');
  }
  assert.equal(check('curator', 'correct-horse-battery').status, 0);
});

test('the bootstrap and start scripts refuse a weak admin password before installing or starting anything', () => {
  for (const script of ['superset-start.sh', 'superset-bootstrap.sh']) {
    const started = Date.now();
    const res = spawnSync('bash', [join(repoRoot, 'scripts', script)], { cwd: repoRoot, encoding: 'utf8',
      env: { ...process.env, SUPERSET_ADMIN_USER: 'curator', SUPERSET_ADMIN_PASSWORD: 'admin', LAKEHOUSE_CACHE_DIR: join(tmpdir(), 'superset-sec-none'), SUPERSET_HOME: join(tmpdir(), 'superset-sec-none', 'home') } });
    assert.equal(res.status, 1, `${script}: ${res.stderr}`);
    assert.match(res.stderr, /SUPERSET_ADMIN_PASSWORD: shorter than 12 characters/);
    assert.ok(!existsSync(join(tmpdir(), 'superset-sec-none')), `${script} installed or wrote something first`);
    assert.ok(Date.now() - started < 10_000);
  }
});

test('row-filter clause: study ids are slugs (the same rule as lib/study-id.ts), quoted, sorted, none means no row', () => {
  const res = python(`
import json, users
out = {"two": users.studies_clause(["b", "a", "a"]), "none": users.studies_clause([])}
bad = []
for s in ["a') OR ('1'='1", "A", "", "x" * 65, "-x", "a b", "study;drop"]:
    try:
        users.check_study(s)
    except users.UsageError:
        bad.append(s)
out["bad"] = bad
out["ok"] = [s for s in ["pilot", "study-2026", "a_b", "0"] if users.check_study(s)]
print(json.dumps(out))`);
  assert.equal(res.status, 0, res.stderr);
  const out = JSON.parse(res.stdout) as { two: string; none: string; bad: string[]; ok: string[] };
  assert.equal(out.two, "listener_id IN (SELECT listener_id FROM lakehouse.silver.listener_studies WHERE study_id IN ('a', 'b'))");
  assert.equal(out.none, '1 = 0');
  assert.equal(out.bad.length, 7);
  for (const s of out.bad) assert.equal(isStudyId(s), false, `lib/study-id.ts accepts ${s}`);
  for (const s of out.ok) assert.equal(isStudyId(s), true, `lib/study-id.ts refuses ${s}`);
});

const venvPython = join(process.env.LAKEHOUSE_CACHE_DIR ?? join(homedir(), '.cache', 'lakehouse'), 'superset-venv', 'bin', 'python');

test('chart data cached under the lake version: a publish or a commit (erasure) changes the key; no lake, no cache', (t) => {
  if (!existsSync(venvPython)) {
    // CI installs the venv before the tests (.ci/run): there, a missing venv is a failure, not a skip.
    assert.ok(!process.env.CI, `no Superset venv at ${venvPython}: CI must run scripts/superset-install.sh before npm test`);
    return t.skip(`no Superset venv at ${venvPython} (scripts/superset-install.sh)`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'superset-sec-cache-'));
  try {
    const lake = join(dir, 'lake');
    mkdirSync(lake);
    const replace = (name: string, text: string) => { writeFileSync(join(lake, `${name}.tmp`), text); renameSync(join(lake, `${name}.tmp`), join(lake, name)); };
    const cache = (dataDir: string) => `
import sys, lake_cache
from flask import Flask
c = lake_cache.LakeVersionCache.factory(Flask("t"), {"LAKE_CACHE_DATA_DIR": ${JSON.stringify(dataDir)},
    "LAKE_CACHE_INNER": {"CACHE_TYPE": "FileSystemCache", "CACHE_DIR": ${JSON.stringify(join(dir, 'cache'))}, "CACHE_DEFAULT_TIMEOUT": 600}}, [], {"default_timeout": 600})
op = sys.argv[-1] if len(sys.argv) > 1 else ""
`;
    const run = (code: string, dataDir = lake) => {
      const res = spawnSync(venvPython, ['-c', cache(dataDir) + code], { cwd: join(repoRoot, 'superset'), encoding: 'utf8' });
      assert.equal(res.status, 0, res.stderr);
      return res.stdout.trim();
    };
    assert.equal(run('c.set("chart", "rows"); print(c.get("chart"))'), 'None', 'no catalog yet: nothing is cached');
    replace('_catalog.json', '{"tables": {}}');
    assert.equal(run('c.set("chart", "rows v1"); print(c.get("chart"))'), 'rows v1');
    assert.equal(run('print(c.get("chart"))'), 'rows v1', 'another process (worker) finds it while the lake is unchanged');
    replace('_pins.json', '{"trino": {}}');
    assert.equal(run('print(c.get("chart"))'), 'None', 'a publish (pins rewritten) changes the key');
    run('c.set("chart", "rows v2")');
    replace('_catalog.json', '{"tables": {}}');
    assert.equal(run('print(c.get("chart"))'), 'None', 'a commit with the same text (the erasure audit) changes the key too');
    assert.equal(run('c.set("chart", "x"); print(c.get("chart"))', join(dir, 'missing')), 'None', 'an unreadable lake: never cached');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('.env is read like compose reads it; the environment wins', () => {
  const dir = mkdtempSync(join(tmpdir(), 'superset-sec-env-'));
  try {
    const file = join(dir, '.env');
    writeFileSync(file, ['# comment', 'A=1', 'export B="two words" # note', "C='q # not a comment'", 'D=plain   # comment', 'E=', 'F=from-file', ''].join('\n'));
    const res = spawnSync('bash', ['-c', `source scripts/superset-common.sh; ss_load_env ${JSON.stringify(file)}; printf '%s|' "$A" "$B" "$C" "$D" "\${E-unset}" "$F"`],
      { cwd: repoRoot, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: dir, F: 'from-env' } });
    assert.equal(res.status, 0, res.stderr);
    assert.equal(res.stdout, '1|two words|q # not a comment|plain|unset|from-env|');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
