import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { ConfigError } from '../lib/errors.ts';
import { tempDir, testConfig } from '../test/helpers.ts';
import { loadAlertRules, parseAlertRules } from './alert-rules.ts';

const CHANNELS = 'channels:\n  hook: { type: webhook, url_env: ALERT_HOOK, format: slack }\n  mail: { type: command, command: /usr/sbin/sendmail, args: ["-t"] }\n';

test('a valid file gives rules with their cooldown and channels (defaults filled in)', () => {
  const r = parseAlertRules(`defaults: { cooldown: 2h, channels: [hook] }\n${CHANNELS}rules:\n  - { name: failed, event: run_failed, severity: critical }\n  - { name: warn-streak, event: quality_check, level: warn, consecutive_runs: 3, severity: warning, cooldown: 1d, channels: [mail] }\n`, '/x/alerts.yaml');
  assert.deepEqual(r.rules.map((x) => [x.name, x.cooldownMs, x.channelNames]), [['failed', 7_200_000, ['hook']], ['warn-streak', 86_400_000, ['mail']]]);
  assert.deepEqual(r.rules[0].event === 'run_failed' && r.rules[0].statuses, ['failed', 'aborted']);
  assert.deepEqual(r.retry, { maxRetries: 3, baseDelayMs: 1000, maxDelayMs: 30_000 });
  assert.deepEqual(r.drift, { enabled: true, psi: 0.25, synthetic_share: 0.1, model_metric: 0.05, min_events: 100 });
  assert.equal(r.channels.hook.type === 'webhook' && r.channels.hook.timeout, 10_000);
});

test('errors name the file and the field', () => {
  const bad = (text: string, re: RegExp) => assert.throws(() => parseAlertRules(text, '/data/alerts.yaml'), (e: Error) => e instanceof ConfigError && re.test(e.message) && e.message.startsWith('alerts.yaml: '), text);
  bad(`${CHANNELS}rules:\n  - { name: a, event: run_failed, severity: loud, channels: [hook] }\n`, /rules\[0\]\.severity: /);
  bad(`${CHANNELS}rules:\n  - { name: a, event: drift, severity: info, cooldown: soon, channels: [hook] }\n`, /rules\[0\]\.cooldown: expected a duration/);
  bad(`${CHANNELS}rules:\n  - { name: a, event: run_failed, severity: info, channels: [pager] }\n`, /rules\[0\]\.channels\[0\]: unknown channel "pager" \(declared: hook, mail\)/);
  bad(`${CHANNELS}rules:\n  - { name: a, event: run_failed, severity: info }\n`, /rules\[0\]\.channels: no channels/);
  bad(`${CHANNELS}rules:\n  - { name: a, event: run_failed, severity: info, channels: [hook] }\n  - { name: a, event: drift, severity: info, channels: [hook] }\n`, /rules\[1\]\.name: rule name "a" is used twice/);
  bad(`${CHANNELS}rules:\n  - { name: a, event: quality_check, severity: info, channels: [hook] }\n`, /rules\[0\]\.level: /);
  bad(`${CHANNELS}rules:\n  - { name: a, event: on_fire, severity: info, channels: [hook] }\n`, /rules\[0\]\.event: /);
  bad('channels:\n  hook: { type: webhook, url_env: "https://hooks.example/T0KEN" }\n', /channels\.hook\.url_env: expected the name of an environment variable starting with ALERT_/);
  bad('channels:\n  hook: { type: webhook, url: "https://hooks.example/T0KEN", url_env: ALERT_X }\n', /channels\.hook: .*url/);
  bad('rules: [\n', /not valid YAML \(line \d+, column \d+\)/);
});

test('the file is found in the data dir or at LAKEHOUSE_ALERTS_FILE; a missing file means no alerts', () => {
  const t = tempDir();
  try {
    assert.equal(testConfig(t.dir).alerts.rulesFile, join(t.dir, 'alerts.yaml'));
    assert.equal(loadAlertRules(testConfig(t.dir).alerts.rulesFile), null);
    const other = join(t.dir, 'elsewhere.yml');
    writeFileSync(other, `${CHANNELS}rules:\n  - { name: a, event: no_new_plays, days: 7, severity: info, channels: [mail] }\n`);
    const config = testConfig(t.dir, {}, { LAKEHOUSE_ALERTS_FILE: other, ALERT_HOOK: 'https://hooks.example/T0KEN', OTHER_SECRET: 'x' });
    assert.equal(config.alerts.rulesFile, other);
    assert.deepEqual(config.alerts.secrets, { ALERT_HOOK: 'https://hooks.example/T0KEN' }, 'only ALERT_* variables are kept');
    assert.equal(loadAlertRules(other)?.rules[0].name, 'a');
  } finally {
    t.cleanup();
  }
});
