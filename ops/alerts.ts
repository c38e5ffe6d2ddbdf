import { defineTable } from '../lib/table-spec.ts';

/** Every alert raised by a rule of alerts.yaml, with its delivery; repeats within the cooldown update the row. */
export default defineTable({
  layer: 'ops',
  name: 'alerts',
  grainSentence: 'one row per alert: a rule and subject first seen at a time (repeats within the cooldown update it)',
  grain: ['alert_id'],
  description: 'Alerts raised at the end of pipeline runs by the rules in alerts.yaml (failed or aborted runs, failing quality checks, listeners whose ingestion keeps failing or who stopped playing, drift) and test alerts, with where they were sent and whether delivery worked. The same rule and subject is not sent again within the rule\'s cooldown: the existing row\'s last_seen_at and occurrences grow instead. Never holds a webhook URL or other secret.',
  columns: [
    { name: 'alert_id', type: 'VARCHAR', description: 'Stable id of the alert: hash of rule, subject and first_seen_at' },
    { name: 'rule_name', type: 'VARCHAR', description: 'Name of the rule in alerts.yaml that raised it' },
    { name: 'event', type: 'VARCHAR', description: 'run_failed, quality_check, ingestion_failing, no_new_plays or drift' },
    { name: 'severity', type: 'VARCHAR', description: 'info, warning or critical, as the rule says' },
    { name: 'subject', type: 'VARCHAR', description: 'What the alert is about: pipeline, a check (check table[.column]), listener:<id>, cohort; the cooldown applies per rule and subject' },
    { name: 'message', type: 'VARCHAR', description: 'One line describing what happened (no secrets)' },
    { name: 'details', type: 'VARCHAR', description: 'JSON with the facts behind the alert (run, check values, failing drift metrics, …)' },
    { name: 'is_test', type: 'BOOLEAN', description: 'True for alerts sent by lakehouse alerts test' },
    { name: 'run_id', type: 'VARCHAR', description: 'Run that first raised the alert (null for a test alert)' },
    { name: 'last_run_id', type: 'VARCHAR', description: 'Run that saw the condition most recently' },
    { name: 'first_seen_at', type: 'TIMESTAMP', description: 'When the condition was first seen and the alert was sent (UTC)' },
    { name: 'last_seen_at', type: 'TIMESTAMP', description: 'When the condition was last seen (UTC); within the cooldown repeats only move this' },
    { name: 'occurrences', type: 'INTEGER', description: 'How many runs saw the condition while this alert was the current one' },
    { name: 'sent_to', type: 'VARCHAR', description: 'Channel names it was sent to, comma-separated (names from alerts.yaml, never URLs)' },
    { name: 'delivery_status', type: 'VARCHAR', description: 'sent (every channel accepted it), partial (some failed), failed (all failed after retries; the next occurrence sends again)' },
    { name: 'attempts', type: 'INTEGER', description: 'Delivery attempts over all channels, retries included' },
    { name: 'last_error', type: 'VARCHAR', description: 'Error of the last failed attempt per failing channel (status codes and reasons, never URLs or tokens); null when all succeeded' },
  ],
  inputs: [],
});
