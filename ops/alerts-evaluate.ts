// The end of every run: drift checks, then the alert rules. A condition whose rule and subject was
// alerted within the rule's cooldown only updates that alert's last_seen_at; anything else is sent
// (each channel retried with backoff) and recorded. ops.alerts and ops.drift_checks are written in
// one transaction. Nothing here fails the run: every error is logged and swallowed.
import { createHash } from 'node:crypto';
import type { DuckDBConnection } from '../lib/duckdb.ts';
import { queryRows } from '../lib/duckdb.ts';
import { UsageError, errorMessage } from '../lib/errors.ts';
import { relationExists } from '../lib/lake.ts';
import type { LakeSession } from '../lib/session.ts';
import type { Logger } from '../lib/logger.ts';
import type { AppendValue } from '../lib/appender.ts';
import { appendWhole, isoOf, ts } from './run-history.ts';
import alertsTable from './alerts.ts';
import driftChecksTable from './drift_checks.ts';
import { loadAlertRules, parseAlertRules, type AlertRules, type Rule } from './alert-rules.ts';
import { deliver, scrub, type AlertMessage } from './alert-channels.ts';
import { conditionsOf, type Condition, type RunOutcome } from './alert-events.ts';
import { runDriftChecks, type DriftRow } from './drift.ts';

export type { RunOutcome } from './alert-events.ts';

export interface AlertRow {
  alert_id: string;
  rule_name: string;
  event: string;
  severity: string;
  subject: string;
  message: string;
  details: string;
  is_test: boolean;
  run_id: string | null;
  last_run_id: string | null;
  first_seen_at: string;
  last_seen_at: string;
  occurrences: number;
  sent_to: string;
  delivery_status: string;
  attempts: number;
  last_error: string | null;
}

export interface AlertsResult {
  drift: DriftRow[];
  sent: AlertRow[];
  suppressed: AlertRow[];
}

/** Every recorded alert, newest first. */
export async function readAlerts(conn: DuckDBConnection, limit = 1_000_000): Promise<AlertRow[]> {
  if (!(await relationExists(conn, 'ops', 'alerts'))) return [];
  const rows = await queryRows<AlertRow>(conn, `select * from ops.alerts order by first_seen_at desc, alert_id limit ${Math.max(1, Math.floor(limit))}`);
  return rows.map((r) => ({ ...r, first_seen_at: isoOf(r.first_seen_at), last_seen_at: isoOf(r.last_seen_at) }));
}

function rowValues(r: AlertRow): AppendValue[] {
  return [r.alert_id, r.rule_name, r.event, r.severity, r.subject, r.message, r.details, r.is_test, r.run_id, r.last_run_id,
    ts(r.first_seen_at), ts(r.last_seen_at), r.occurrences, r.sent_to, r.delivery_status, r.attempts, r.last_error];
}

function driftValues(runId: string, at: string, d: DriftRow): AppendValue[] {
  return [runId, d.scope, d.listener_id, d.check_name, d.item, d.table_name, d.previous_version, d.current_version, d.previous_value, d.current_value,
    d.drift_value, d.threshold, d.status, d.n_previous, d.n_current, ts(at)];
}

function messageOf(c: Pick<Condition, 'rule' | 'subject' | 'message' | 'details'>, id: string, at: string, runId: string | null, isTest: boolean): AlertMessage {
  return { source: 'lakehouse', alert_id: id, rule: c.rule.name, event: c.rule.event, severity: c.rule.severity, subject: c.subject, message: c.message, details: c.details, first_seen_at: at, run_id: runId, is_test: isTest };
}

async function send(c: Pick<Condition, 'rule' | 'subject' | 'message' | 'details'>, rules: AlertRules, secrets: Record<string, string>, at: string, runId: string | null, isTest: boolean, log: Logger): Promise<AlertRow> {
  const values = Object.values(secrets);
  const clean = { ...c, message: scrub(c.message, values), details: JSON.parse(scrub(JSON.stringify(c.details), values)) as Record<string, unknown> };
  const id = createHash('sha256').update(`${c.rule.name}\u0000${c.subject}\u0000${at}`).digest('hex').slice(0, 16);
  const d = await deliver(messageOf(clean, id, at, runId, isTest), c.rule.channelNames, rules, secrets, log);
  log.info({ rule: c.rule.name, subject: c.subject, severity: c.rule.severity, sent_to: d.sent_to, delivery_status: d.status, attempts: d.attempts }, d.status === 'sent' ? 'alert sent' : 'alert delivery failed');
  return {
    alert_id: id, rule_name: c.rule.name, event: c.rule.event, severity: c.rule.severity, subject: c.subject, message: clean.message, details: JSON.stringify(clean.details),
    is_test: isTest, run_id: runId, last_run_id: runId, first_seen_at: at, last_seen_at: at, occurrences: 1, sent_to: d.sent_to.join(','),
    delivery_status: d.status, attempts: d.attempts, last_error: d.errors.length > 0 ? d.errors.join('; ') : null,
  };
}

/** The alert that still holds back a repeat of rule+subject at `at`, if any (a failed delivery holds back nothing). */
function current(existing: AlertRow[], rule: Rule, subject: string, at: string): AlertRow | undefined {
  const last = existing.filter((r) => !r.is_test && r.rule_name === rule.name && r.subject === subject).sort((a, b) => b.first_seen_at.localeCompare(a.first_seen_at))[0];
  if (!last || last.delivery_status === 'failed') return undefined;
  return Date.parse(at) - Date.parse(last.first_seen_at) < rule.cooldownMs ? last : undefined;
}

/** Writes what changed; both tables are created (empty) by the first run, so their dashboards never point at a missing table. */
async function writeResults(session: LakeSession, runId: string, at: string, all: AlertRow[] | null, drift: DriftRow[]): Promise<void> {
  const alerts = all ?? ((await relationExists(session.conn, 'ops', 'alerts')) ? null : []);
  const writeDrift = drift.length > 0 || !(await relationExists(session.conn, 'ops', 'drift_checks'));
  if (!alerts && !writeDrift) return;
  const tx = session.begin();
  try {
    if (alerts) await appendWhole(session, tx, alertsTable, alerts.map(rowValues), false);
    if (writeDrift) await appendWhole(session, tx, driftChecksTable, drift.map((d) => driftValues(runId, at, d)));
    await tx.commit();
  } catch (err) {
    tx.abort();
    throw err;
  }
}

function rulesOrNull(session: LakeSession, log: Logger): AlertRules | null {
  try {
    return loadAlertRules(session.config.alerts.rulesFile);
  } catch (err) {
    log.error({ error: errorMessage(err) }, 'alert rules not loaded: no alerts this run (fix the file; lakehouse alerts list checks it)');
    return null;
  }
}

/** Sends the conditions not held back by a cooldown; returns every alert row (updated) and what happened. */
async function apply(session: LakeSession, rules: AlertRules, conditions: Condition[], runId: string, at: string, log: Logger): Promise<{ all: AlertRow[]; sent: AlertRow[]; suppressed: AlertRow[] }> {
  let all = await readAlerts(session.conn);
  const sent: AlertRow[] = [];
  const suppressed: AlertRow[] = [];
  for (const c of conditions) {
    const open = current(all, c.rule, c.subject, at);
    if (open) {
      const updated = { ...open, last_seen_at: at, last_run_id: runId, occurrences: open.occurrences + 1 };
      all = all.map((r) => (r.alert_id === open.alert_id ? updated : r));
      suppressed.push(updated);
      log.info({ rule: c.rule.name, subject: c.subject, first_seen_at: open.first_seen_at }, 'alert not repeated within its cooldown');
      continue;
    }
    const row = await send(c, rules, session.config.alerts.secrets, at, runId, false, log);
    all = [...all, row];
    sent.push(row);
  }
  return { all, sent, suppressed };
}

async function driftOf(session: LakeSession, rules: AlertRules | null, log: Logger): Promise<DriftRow[]> {
  if (rules && !rules.drift.enabled) return [];
  try {
    return await runDriftChecks(session.conn, session.config.dataDir, rules?.drift ?? parseAlertRules('{}', 'defaults').drift);
  } catch (err) {
    log.warn({ error: errorMessage(err) }, 'drift checks failed; the run is not affected');
    return [];
  }
}

/** Drift checks and alerts at the end of a run. Never throws. */
export async function evaluateAlerts(session: LakeSession, run: RunOutcome, log: Logger = session.log): Promise<AlertsResult | null> {
  try {
    const rules = rulesOrNull(session, log);
    const drift = await driftOf(session, rules, log);
    const at = new Date().toISOString();
    const conditions = rules ? await conditionsOf(session.conn, rules.rules, run, drift) : [];
    const applied = rules && conditions.length > 0 ? await apply(session, rules, conditions, run.run_id, at, log) : null;
    await writeResults(session, run.run_id, at, applied?.all ?? null, drift);
    return { drift, sent: applied?.sent ?? [], suppressed: applied?.suppressed ?? [] };
  } catch (err) {
    log.error({ error: errorMessage(err) }, 'alerts not evaluated; the run is not affected');
    return null;
  }
}

/** `lakehouse alerts test <rule>`: sends a test alert through the rule's channels and records it. */
export async function sendTestAlert(session: LakeSession, ruleName: string, log: Logger): Promise<AlertRow> {
  const rules = loadAlertRules(session.config.alerts.rulesFile);
  if (!rules) throw new UsageError(`alerts test: no rules file at ${session.config.alerts.rulesFile} (see ops/README.md)`);
  const rule = rules.rules.find((r) => r.name === ruleName);
  if (!rule) throw new UsageError(`alerts test ${ruleName}: no such rule in ${rules.file} (rules: ${rules.rules.map((r) => r.name).join(', ') || 'none'})`);
  const at = new Date().toISOString();
  const row = await send({ rule, subject: 'test', message: `test alert for rule ${rule.name} (${rule.event}); nothing is wrong`, details: { test: true } }, rules, session.config.alerts.secrets, at, null, true, log);
  const all = [...(await readAlerts(session.conn)), row];
  await writeResults(session, session.runId, at, all, []);
  return row;
}
