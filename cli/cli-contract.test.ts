// The CLI's promises to a person and to scripts: --version, help with global options and examples
// for every verb, the exit code of every error class, read-only verbs never creating a data dir.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { buildProgram } from './main.ts';
import { repoRoot, runCli, runCliChild, tempDir } from '../test/helpers.ts';

const pkgVersion = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;

/** Every command path below the program: ['run'], ['build', 'silver'], … */
function commandPaths(c: Command, prefix: string[] = []): string[][] {
  return c.commands.filter((s) => s.name() !== 'help').flatMap((s) => [[...prefix, s.name()], ...commandPaths(s, [...prefix, s.name()])]);
}

test('--version and -V print the package version', async () => {
  for (const flag of ['--version', '-V']) {
    const r = await runCli([flag]);
    assert.equal(r.code, 0);
    assert.equal(r.stdout.trim(), pkgVersion);
  }
  const child = await runCliChild(['--version']);
  assert.equal(child.code, 0, child.stderr);
  assert.equal(child.stdout.trim(), pkgVersion);
});

test("every verb's --help shows the global options and at least one example", async () => {
  const paths = commandPaths(await buildProgram());
  assert.ok(paths.length >= 20, `found only ${paths.length} commands`);
  const withoutOwnExamples = new Set<string>();
  const missing: string[] = [];
  for (const path of paths) {
    const r = await runCli([...path, '--help']);
    assert.equal(r.code, 0, path.join(' '));
    assert.match(r.stdout, /Global Options:[\s\S]*--data-dir <dir>[\s\S]*--json[\s\S]*--log-format/, `${path.join(' ')} --help lists the global options`);
    if (!/Examples?:\n\s+\$ (\S+=\S+ )*lakehouse /.test(r.stdout) && !withoutOwnExamples.has(path.join(' '))) missing.push(path.join(' '));
  }
  assert.deepEqual(missing, [], 'verbs whose --help has no example');
});

test('exit codes: 2 usage errors and missing input paths, 1 run failures; every message on stderr names what failed', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const cases: { args: string[]; code: number; stderr: RegExp }[] = [
      { args: ['no-such-verb'], code: 2, stderr: /unknown command 'no-such-verb'/ },
      { args: ['tables', '--no-such-flag'], code: 2, stderr: /unknown option '--no-such-flag'/ },
      { args: ['query'], code: 2, stderr: /missing required argument 'sql'/ },
      { args: ['tables', '--layer', 'platinum'], code: 2, stderr: /--layer platinum: unknown layer; valid: bronze, silver, gold, ops/ },
      { args: ['run', '--log-format', 'xml'], code: 2, stderr: /--log-format xml: expected pretty or json/ },
      { args: ['runs', '--limit', 'zero'], code: 2, stderr: /--limit zero/ },
      { args: ['ingest', 'kaggle', join(dir, 'nope.csv')], code: 2, stderr: /nope\.csv: no such file/ },
      { args: ['ingest', 'export', join(dir, 'nope.json'), '--listener', 'p1'], code: 2, stderr: /nope\.json: no such file or folder/ },
      { args: ['build', 'silver'], code: 1, stderr: /bronze\.listening_history does not exist yet/ },
    ];
    writeFileSync(join(dir, 'broken.csv'), 'not,the,kaggle,header\n1,2,3,4\n');
    cases.push({ args: ['ingest', 'kaggle', join(dir, 'broken.csv')], code: 1, stderr: /broken\.csv: wrong CSV header/ });
    for (const c of cases) {
      const r = await runCli([...c.args, '--data-dir', dir]);
      assert.equal(r.code, c.code, `${c.args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, c.stderr, c.args.join(' '));
    }
  } finally {
    cleanup();
  }
});

test('read-only verbs on a data dir that does not exist: exit 2 naming the path, and the folder is not created', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const missing = join(dir, 'no-lake-here');
    for (const args of [['tables'], ['runs'], ['status'], ['query', 'select 1'], ['tables', '--json']]) {
      const r = await runCli([...args, '--data-dir', missing]);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, new RegExp(`${missing.replace(/[/.-]/g, '\\$&')}: data dir does not exist`), args.join(' '));
      assert.equal(existsSync(missing), false, `${args.join(' ')} created ${missing}`);
    }
    mkdirSync(missing);
    const empty = await runCli(['tables', '--json', '--data-dir', missing]);
    assert.equal(empty.code, 0, `${empty.stderr} exitCode=${process.exitCode}`);
    assert.deepEqual(JSON.parse(empty.stdout), []);
  } finally {
    cleanup();
  }
});
