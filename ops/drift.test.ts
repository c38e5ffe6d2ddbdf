import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EPSILON, psi } from './drift.ts';
import { scrub, webhookBody, type AlertMessage } from './alert-channels.ts';

test('PSI: 0 for the same distribution, symmetric, the textbook value for a known shift, finite for empty bins', () => {
  assert.equal(psi([10, 20, 30], [1, 2, 3]), 0);
  const a = [50, 30, 20];
  const b = [20, 30, 50];
  const expected = (0.2 - 0.5) * Math.log(0.2 / 0.5) + 0 + (0.5 - 0.2) * Math.log(0.5 / 0.2);
  assert.ok(Math.abs(psi(a, b) - expected) < 1e-12);
  assert.ok(Math.abs(psi(a, b) - psi(b, a)) < 1e-12);
  const empty = psi([100, 0], [0, 100]);
  assert.ok(Number.isFinite(empty));
  assert.ok(Math.abs(empty - 2 * (1 - EPSILON) * Math.log(1 / EPSILON)) < 1e-9);
});

const alert: AlertMessage = { source: 'lakehouse', alert_id: 'abc', rule: 'r', event: 'run_failed', severity: 'critical', subject: 'pipeline', message: 'run x failed', details: {}, first_seen_at: '2026-01-01T00:00:00.000Z', run_id: 'run-1', is_test: false };

test('webhook shapes: generic is the alert, Slack {text, blocks}, Teams an Adaptive Card or a MessageCard', () => {
  assert.deepEqual(webhookBody('generic', alert), alert);
  const slack = webhookBody('slack', alert) as { text: string; blocks: { type: string }[] };
  assert.equal(slack.text, '[CRITICAL] r: pipeline: run x failed');
  assert.deepEqual(slack.blocks.map((b) => b.type), ['header', 'section', 'context']);
  const teams = webhookBody('teams', alert) as { attachments: { contentType: string; content: { type: string; version: string } }[] };
  assert.equal(teams.attachments[0].contentType, 'application/vnd.microsoft.card.adaptive');
  assert.deepEqual([teams.attachments[0].content.type, teams.attachments[0].content.version], ['AdaptiveCard', '1.4']);
  const card = webhookBody('teams_messagecard', alert) as Record<string, unknown>;
  assert.deepEqual([card['@type'], card.themeColor, card.title], ['MessageCard', 'C0392B', '[CRITICAL] r: pipeline']);
});

test('scrub removes every secret value from a message', () => {
  assert.equal(scrub('POST https://h.example/T0KEN/x failed', ['https://h.example/T0KEN/x', 'ab']), 'POST [redacted] failed');
});
