import type { Command } from 'commander';
import { cliFor, printJson, printTable, verb } from '../app.ts';
import { io } from '../output.ts';
import { LakehouseError, UsageError } from '../../lib/errors.ts';

export function register(program: Command): void {
  const alerts = verb(program, 'alerts', 'alert rules (alerts.yaml, see ops/README.md) and the alerts they raised (ops.alerts)');
  alerts.addHelpText('after', '\nExamples:\n  $ lakehouse alerts list\n  $ lakehouse alerts test run-failed');
  alerts
    .command('list')
    .description('recorded alerts from ops.alerts, newest first (also checks the rules file: exit code 2 when it is invalid)')
    .option('--limit <n>', 'how many alerts', '50')
    .addHelpText('after', '\nExamples:\n  $ lakehouse alerts list\n  $ lakehouse alerts list --limit 5 --json')
    .action(async function (this: Command, o: { limit: string }) {
      const { config, log, opts } = cliFor(this);
      const limit = Number(o.limit);
      if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`--limit ${o.limit}: expected a positive whole number`);
      const [{ loadAlertRules }, { readAlerts }, { withReader }] = await Promise.all([import('../../ops/alert-rules.ts'), import('../../ops/alerts-evaluate.ts'), import('../../lib/session.ts')]);
      const rules = loadAlertRules(config.alerts.rulesFile);
      io.err(rules ? `rules: ${rules.rules.length} in ${rules.file}\n` : `rules: none (no file at ${config.alerts.rulesFile}; no alerts are raised)\n`);
      const rows = await withReader(config, log, (s) => readAlerts(s.conn, limit));
      if (opts.json) return printJson(rows.map((r) => ({ ...r, details: JSON.parse(r.details) })));
      printTable(rows as unknown as Record<string, unknown>[], ['first_seen_at', 'last_seen_at', 'occurrences', 'severity', 'rule_name', 'subject', 'sent_to', 'delivery_status', 'attempts', 'message']);
    });
  alerts
    .command('test <rule>')
    .description("sends a test alert through the rule's channels and records it in ops.alerts (is_test); exit code 1 when a channel failed")
    .addHelpText('after', '\nExamples:\n  $ ALERT_WEBHOOK_URL=https://hooks.slack.com/services/… lakehouse alerts test run-failed')
    .action(async function (this: Command, rule: string) {
      const { config, log, opts } = cliFor(this);
      const [{ sendTestAlert }, { withWriter }] = await Promise.all([import('../../ops/alerts-evaluate.ts'), import('../../lib/session.ts')]);
      const row = await withWriter(config, log, 'alerts test', (s) => sendTestAlert(s, rule, log));
      if (opts.json) printJson({ ...row, details: JSON.parse(row.details) });
      else printTable([{ ...row }], ['rule_name', 'severity', 'sent_to', 'delivery_status', 'attempts', 'last_error']);
      if (row.delivery_status !== 'sent') throw new LakehouseError(`alerts test ${rule}: delivery ${row.delivery_status}: ${row.last_error}`);
    });
}
