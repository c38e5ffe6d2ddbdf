// Alerts at the end of real runs, delivered to a webhook receiver on 127.0.0.1: a failed run, a
// planted failing check, a revoked Spotify token and a planted drift each produce exactly one alert
// within the cooldown; a receiver answering 500 is retried and the run still succeeds; the webhook
// URL (a secret) appears in no log line and no ops.alerts row.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { withReader } from '../lib/session.ts';
import { queryRows } from '../lib/duckdb.ts';
import { readCatalog } from '../lib/lake.ts';
import { readAlerts } from '../ops/alerts-evaluate.ts';
import { webhookReceiver, writeRules } from '../ops/test-receiver.ts';
import { capturingLogger, connect, fakeSpotify } from '../ingestion/spotify/test-support.ts';
import { runCli } from '../test/helpers.ts';
import { executeRun } from './run.ts';
import { PipelineScheduler } from './scheduler.ts';
import { demoLake, FAST_GOLD } from './test-support.ts';
import type { Config } from '../lib/config.ts';

const SECRET = 'T0KEN-s3cr3t-9f8e7d6c';
const run = (config: Config, log: ReturnType<typeof capturingLogger>['log'], extra: object = {}) =>
  executeRun(config, log, { ...FAST_GOLD, publish: null, spotify: false, ...extra });
const alertsOf = (config: Config) => withReader(config, capturingLogger().log, (s) => readAlerts(s.conn));

function rules(format: string, rule: string, extra = ''): string {
  return `defaults:\n  cooldown: 1h\n  channels: [ops]\nretry:\n  retries: 2\n  base_delay: 10ms\n  max_delay: 50ms\nchannels:\n  ops:\n    type: webhook\n    url_env: ALERT_WEBHOOK_URL\n    format: ${format}\n${extra}rules:\n${rule}`;
}

async function setup(format: string, rule: string, env: Record<string, string> = {}, status?: (n: number) => number) {
  const rx = await webhookReceiver(status);
  const lake = await demoLake({ ALERT_WEBHOOK_URL: `${rx.url}/hooks/${SECRET}`, ...env });
  writeRules(lake.dir, rules(format, rule));
  const cap = capturingLogger();
  return { rx, ...lake, cap, done: async () => { await rx.close(); lake.cleanup(); } };
}

function assertNoSecret(lines: string[], rows: unknown[]): void {
  assert.ok(lines.length > 0, 'the run logged something');
  assert.ok(!lines.some((l) => l.includes(SECRET)), 'a log line holds the webhook secret');
  assert.ok(!JSON.stringify(rows).includes(SECRET), 'ops.alerts holds the webhook secret');
}

test('a failed run alerts once (Slack shape); a second failure within the cooldown is not sent again', async (t) => {
  const s = await setup('slack', '  - { name: run-failed, event: run_failed, severity: critical }\n');
  t.after(s.done);
  const first = await run(s.config, s.cap.log, { timeoutMs: 1 });
  assert.equal(first.status, 'failed');
  assert.equal(s.rx.received.length, 1);
  const { body, path, contentType } = s.rx.received[0];
  assert.equal(path, `/hooks/${SECRET}`);
  assert.equal(contentType, 'application/json');
  assert.match(body.text, /\[CRITICAL\] run-failed: pipeline: run run-\S+ failed in stage \S+: .*time limit/);
  assert.ok(body.text.includes(first.run_id));
  assert.deepEqual(body.blocks.map((b: { type: string }) => b.type), ['header', 'section', 'context']);

  const second = await run(s.config, s.cap.log, { timeoutMs: 1 });
  assert.equal(second.status, 'failed');
  assert.equal(s.rx.received.length, 1, 'no repeat within the cooldown');
  const rows = await alertsOf(s.config);
  assert.equal(rows.length, 1);
  assert.deepEqual([rows[0].rule_name, rows[0].severity, rows[0].subject, rows[0].sent_to, rows[0].delivery_status, rows[0].attempts, rows[0].occurrences, rows[0].run_id, rows[0].last_run_id],
    ['run-failed', 'critical', 'pipeline', 'ops', 'sent', 1, 2, first.run_id, second.run_id]);
  assert.ok(rows[0].last_seen_at > rows[0].first_seen_at);
  assertNoSecret(s.cap.lines, rows);
});

test('a planted failing check alerts after N consecutive runs, once, through the webhook and a command', async (t) => {
  const s = await setup('generic', '  - { name: inbox-broken, event: quality_check, level: warn, consecutive_runs: 2, checks: [inbox_folders], severity: warning, channels: [ops, script] }\n');
  t.after(s.done);
  const out = join(s.dir, 'command-received.json');
  const script = `require('fs').writeFileSync(${JSON.stringify(out)}, require('fs').readFileSync(0))`;
  writeRules(s.dir, rules('generic', '  - { name: inbox-broken, event: quality_check, level: warn, consecutive_runs: 2, checks: [inbox_folders], severity: warning, channels: [ops, script] }\n',
    `  script:\n    type: command\n    command: ${JSON.stringify(process.execPath)}\n    args: ['-e', ${JSON.stringify(script)}]\n`));
  mkdirSync(join(s.dir, 'inbox', 'Anna Müller'), { recursive: true });
  for (const expected of [0, 1, 1]) {
    const summary = await run(s.config, s.cap.log);
    assert.equal(summary.status, 'succeeded', summary.error ?? '');
    assert.ok(summary.quality.failed.some((c) => c.check_name === 'inbox_folders'));
    assert.equal(s.rx.received.length, expected);
  }
  const body = s.rx.received[0].body;
  assert.equal(body.rule, 'inbox-broken');
  assert.equal(body.severity, 'warning');
  assert.equal(body.subject, 'inbox_folders bronze.listening_history.inbox_folder');
  assert.match(body.message, /failed in 2 runs in a row.*Anna Müller/);
  const { readFileSync } = await import('node:fs');
  assert.deepEqual(JSON.parse(readFileSync(out, 'utf8')), body, 'the command got the same alert on stdin');
  const rows = await alertsOf(s.config);
  assert.deepEqual(rows.map((r) => [r.sent_to, r.delivery_status, r.attempts, r.occurrences]), [['ops,script', 'sent', 2, 2]]);
  assertNoSecret(s.cap.lines, rows);
});

test('a planted error-level check (a duplicated grain) alerts at once, and once within the cooldown', async (t) => {
  const s = await setup('teams_messagecard', '  - { name: check-error, event: quality_check, level: error, severity: critical }\n');
  t.after(s.done);
  const meta = readCatalog(s.dir).tables['bronze.rejected_rows'];
  copyFileSync(join(s.dir, meta.path, meta.files[0]), join(s.dir, meta.path, 'part-planted-duplicate.parquet'));
  for (let i = 0; i < 2; i++) {
    const summary = await run(s.config, s.cap.log, { inbox: false });
    assert.equal(summary.failed_stage, 'quality');
    assert.equal(s.rx.received.length, 1);
  }
  const card = s.rx.received[0].body;
  assert.equal(card['@type'], 'MessageCard');
  assert.equal(card.title, '[CRITICAL] check-error: grain_unique bronze.rejected_rows');
  assert.match(card.text, /quality check grain_unique bronze\.rejected_rows \(error\) failed: observed 10, threshold 0/);
  const rows = await alertsOf(s.config);
  assert.deepEqual(rows.map((r) => [r.subject, r.occurrences]), [['grain_unique bronze.rejected_rows', 2]]);
});

test('a revoked Spotify token (400 invalid_grant) alerts once the listener failed 2 runs in a row (Teams shape)', async (t) => {
  const fake = await fakeSpotify({ visible: 30 });
  const s = await setup('teams', '  - { name: token-revoked, event: ingestion_failing, consecutive_runs: 2, severity: critical }\n', fake.env());
  t.after(async () => { await fake.stop(); await s.done(); });
  await connect(s.config, 'p01');
  fake.accounts.expireAccessTokens();
  fake.accounts.revokeRefreshTokens();
  const spotify = { policy: { maxRetries: 0, baseDelayMs: 1 }, retryDelaysMs: [] };
  for (const expected of [0, 1, 1]) {
    const summary = await run(s.config, s.cap.log, { spotify, inbox: false });
    assert.equal(summary.status, 'succeeded', summary.error ?? '');
    assert.equal(s.rx.received.length, expected);
  }
  assert.ok(fake.requests.some((r) => r.route === 'token' && r.status === 400), 'the fake answered 400 to the refresh');
  const card = s.rx.received[0].body;
  assert.equal(card.type, 'message');
  assert.equal(card.attachments[0].contentType, 'application/vnd.microsoft.card.adaptive');
  const text = JSON.stringify(card.attachments[0].content.body);
  assert.match(text, /token-revoked: listener:p01/);
  assert.match(text, /failed in 2 runs in a row: .*lakehouse auth login --listener p01/);
  const rows = await alertsOf(s.config);
  assert.deepEqual(rows.map((r) => [r.subject, r.occurrences]), [['listener:p01', 2]]);
  assertNoSecret(s.cap.lines, rows);
});

test('a planted drift (a listener moved 12 time zones) alerts once; its checks land in ops.drift_checks', async (t) => {
  const s = await setup('generic', '  - { name: drift, event: drift, scopes: [listener], severity: warning }\n');
  t.after(s.done);
  const [listener] = await withReader(s.config, s.cap.log, (x) => queryRows<{ listener_id: string; timezone: string }>(x.conn, 'select listener_id, timezone from bronze.listeners order by 1 limit 1'));
  const zones = listener.timezone === 'Pacific/Kiritimati' ? ['Pacific/Pago_Pago', 'Pacific/Kiritimati'] : ['Pacific/Kiritimati', listener.timezone];
  for (const zone of zones) {
    const set = await runCli(['listeners', 'set', listener.listener_id, '--timezone', zone, '--data-dir', s.dir]);
    assert.equal(set.code, 0, set.stderr);
    const summary = await run(s.config, s.cap.log, { inbox: false });
    assert.equal(summary.status, 'succeeded', summary.error ?? '');
    assert.equal(s.rx.received.length, 1);
  }
  const body = s.rx.received[0].body;
  assert.equal(body.subject, `listener:${listener.listener_id}`);
  assert.match(body.message, /hour_psi hour_of_day \d+\.\d+ > 0\.25 \(silver\.listening_with_features v\d+ → v\d+\)/);
  assert.ok(!/feature_psi/.test(body.message), 'features did not move');
  const checks = await withReader(s.config, s.cap.log, (x) => queryRows<{ run_id: string; scope: string; listener_id: string | null; check_name: string; status: string }>(x.conn,
    'select run_id, scope, listener_id, check_name, item, status from ops.drift_checks order by run_id, scope, listener_id, check_name, item'));
  const failing = checks.filter((c) => c.status === 'fail' && c.scope === 'listener');
  assert.deepEqual([...new Set(failing.map((c) => `${c.listener_id} ${c.check_name}`))], [`${listener.listener_id} hour_psi`]);
  assert.ok(checks.some((c) => c.scope === 'cohort' && c.check_name === 'feature_psi' && c.status === 'pass'));
  assert.equal(new Set(checks.map((c) => c.run_id)).size, 2, 'one set of checks per run');
  const rows = await alertsOf(s.config);
  assert.deepEqual(rows.map((r) => [r.rule_name, r.occurrences]), [['drift', 2]]);
});

test('listeners without new plays for N days alert, one alert each; a paused listener does not', async (t) => {
  const s = await setup('generic', '  - { name: silent, event: no_new_plays, days: 7, severity: info }\n');
  t.after(s.done);
  const listeners = await withReader(s.config, s.cap.log, (x) => queryRows<{ listener_id: string }>(x.conn, 'select listener_id from bronze.listeners order by 1'));
  assert.ok(listeners.length >= 2);
  const paused = listeners[0].listener_id;
  const set = await runCli(['listeners', 'set', paused, '--status', 'paused', '--data-dir', s.dir]);
  assert.equal(set.code, 0, set.stderr);
  const summary = await run(s.config, s.cap.log, { inbox: false });
  assert.equal(summary.status, 'succeeded', summary.error ?? '');
  const subjects = s.rx.received.map((r) => r.body.subject).sort();
  assert.deepEqual(subjects, listeners.slice(1).map((l) => `listener:${l.listener_id}`), 'the demo plays are older than 7 days');
  assert.match(s.rx.received[0].body.message, /^no new plays for listener \S+ in 7 day\(s\): the newest play ended at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
});

test('a receiver answering 500 is retried with backoff and recorded; the run still succeeds and the secret stays out of the logs', async (t) => {
  const s = await setup('generic', '  - { name: stale, event: quality_check, level: warn, checks: [freshness], severity: info }\n', {}, () => 500);
  t.after(s.done);
  const summary = await run(s.config, s.cap.log, { inbox: false });
  assert.equal(summary.status, 'succeeded', summary.error ?? '');
  assert.equal(s.rx.received.length, 3, 'one attempt and two retries');
  const rows = await alertsOf(s.config);
  assert.deepEqual(rows.map((r) => [r.rule_name, r.sent_to, r.delivery_status, r.attempts, r.last_error]), [['stale', '', 'failed', 3, 'ops: HTTP 500: receiver refused']]);
  assert.ok(s.cap.lines.some((l) => l.includes('alert delivery failed; retrying')));
  assertNoSecret(s.cap.lines, rows);
});

test('a scheduled run that fails alerts too (the scheduler runs go through the same end of run)', async (t) => {
  const s = await setup('generic', '  - { name: run-failed, event: run_failed, severity: critical }\n');
  t.after(s.done);
  const scheduler = new PipelineScheduler({ config: s.config, log: s.cap.log, cron: '0 0 1 1 *', runOptions: { ...FAST_GOLD, publish: null, spotify: false, timeoutMs: 1 } });
  const outcome = await scheduler.tick('schedule');
  await scheduler.stop();
  assert.equal(outcome.outcome, 'ran');
  assert.equal(s.rx.received.length, 1);
  const body = s.rx.received[0].body;
  assert.deepEqual([body.rule, body.subject, body.details.trigger, body.details.status], ['run-failed', 'pipeline', 'schedule', 'failed']);
  assert.match(body.message, /^schedule run run-\S+ failed in stage /);
});
