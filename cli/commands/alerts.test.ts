import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli, runCliChild, tempDir } from '../../test/helpers.ts';
import { webhookReceiver, writeRules } from '../../ops/test-receiver.ts';

const SECRET = 'cli-T0KEN-1234abcd';
const RULES = 'channels:\n  hook: { type: webhook, url_env: ALERT_CLI_TEST_URL, format: slack }\nrules:\n  - { name: run-failed, event: run_failed, severity: critical, channels: [hook] }\n';

test('alerts test <rule> sends a test alert and records it; alerts list shows it', async (t) => {
  const rx = await webhookReceiver();
  const { dir, cleanup } = tempDir();
  t.after(async () => { delete process.env.ALERT_CLI_TEST_URL; await rx.close(); cleanup(); });
  writeRules(dir, RULES);
  process.env.ALERT_CLI_TEST_URL = `${rx.url}/${SECRET}`;
  const sent = await runCli(['alerts', 'test', 'run-failed', '--data-dir', dir, '--json']);
  assert.equal(sent.code, 0, sent.stderr);
  assert.equal(rx.received.length, 1);
  assert.match(rx.received[0].body.text, /^\[TEST\] \[CRITICAL\] run-failed: test: test alert for rule run-failed/);
  assert.deepEqual((({ rule_name, is_test, sent_to, delivery_status }) => ({ rule_name, is_test, sent_to, delivery_status }))(JSON.parse(sent.stdout)),
    { rule_name: 'run-failed', is_test: true, sent_to: 'hook', delivery_status: 'sent' });
  const list = await runCli(['alerts', 'list', '--data-dir', dir, '--json']);
  assert.equal(list.code, 0, list.stderr);
  const rows = JSON.parse(list.stdout);
  assert.deepEqual(rows.map((r: { rule_name: string; subject: string }) => [r.rule_name, r.subject]), [['run-failed', 'test']]);
  assert.ok(![sent.stdout, sent.stderr, list.stdout, list.stderr].some((s) => s.includes(SECRET)), 'the secret is never printed');

  const unknown = await runCli(['alerts', 'test', 'nope', '--data-dir', dir]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /alerts test nope: no such rule in .*alerts\.yaml \(rules: run-failed\)/);
  delete process.env.ALERT_CLI_TEST_URL;
  const unset = await runCli(['alerts', 'test', 'run-failed', '--data-dir', dir]);
  assert.equal(unset.code, 1);
  assert.match(unset.stderr, /delivery failed: hook: environment variable ALERT_CLI_TEST_URL is not set/);
  process.env.ALERT_CLI_TEST_URL = `hooks.example/${SECRET}`;
  const notUrl = await runCli(['alerts', 'test', 'run-failed', '--data-dir', dir]);
  delete process.env.ALERT_CLI_TEST_URL;
  assert.equal(notUrl.code, 1);
  assert.match(notUrl.stderr, /hook: environment variable ALERT_CLI_TEST_URL does not hold an http\(s\) URL/);
  assert.ok(!notUrl.stderr.includes(SECRET));
});

test('an invalid rules file is a usage error naming the file and the field (child process)', async (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  writeRules(dir, RULES.replace('severity: critical', 'severity: urgent'));
  const res = await runCliChild(['alerts', 'list', '--data-dir', dir]);
  assert.equal(res.code, 2, res.stderr);
  assert.match(res.stderr, /alerts\.yaml: rules\[0\]\.severity: /);
});
