// The "Operations" dashboard (ops tables): runs, quality checks, drift and alerts.
import type { DashboardSpec } from '../lib/dashboard-spec.ts';

const dashboard: DashboardSpec = {
  key: 'operations',
  categories: ['ops'],
  title: 'Operations',
  slug: 'operations',
  intro: '## Operations\nPipeline runs, data-quality checks, drift between the two newest silver versions and the alerts they raised (rules in alerts.yaml, see ops/README.md). The listener filter applies to the per-listener drift rows only.',
  charts: [
    { key: 'operations-runs', title: 'Pipeline runs', table: 'ops.pipeline_runs', width: 12,
      description: 'Recent runs with their trigger, status and error.',
      chart: { kind: 'raw', columns: ['run_id', 'trigger', 'started_at', 'finished_at', 'duration_ms', 'status', 'rows_written', 'quality_errors', 'quality_warnings', 'error'],
        orderBy: [['started_at', false]], rowLimit: 200 } },
    { key: 'operations-checks', title: 'Data-quality checks', table: 'ops.data_quality_checks', width: 12,
      description: 'Check results by status and level.',
      chart: { kind: 'table', groupby: ['check_name', 'level', 'status'], metrics: [{ label: 'checks', sql: 'COUNT(*)' }] } },
    { key: 'operations-alerts', title: 'Alerts', table: 'ops.alerts', width: 12,
      description: 'Alerts raised by the rules in alerts.yaml, newest first: where they went and whether delivery worked; occurrences grow while a repeat is held back by the cooldown.',
      chart: { kind: 'raw', columns: ['first_seen_at', 'last_seen_at', 'severity', 'rule_name', 'subject', 'occurrences', 'sent_to', 'delivery_status', 'attempts', 'last_error', 'message'],
        orderBy: [['first_seen_at', false]], rowLimit: 200 } },
    { key: 'operations-drift', title: 'Cohort drift per run', table: 'ops.drift_checks', width: 6,
      description: 'Largest cohort drift per run and check (PSI of features and hours, change of the synthetic share and of the catalog models\' hold-out metrics); compare with the thresholds in alerts.yaml.',
      chart: { kind: 'line', x: 'checked_at', temporal: true, metrics: [{ label: 'max drift', sql: 'MAX(drift_value)' }], groupby: ['check_name'], where: "scope = 'cohort'" } },
    { key: 'operations-drift-failing', title: 'Failing drift checks', table: 'ops.drift_checks', width: 6,
      description: 'Drift checks above their threshold, newest first, per listener and for the cohort.',
      chart: { kind: 'raw', columns: ['checked_at', 'scope', 'listener_id', 'check_name', 'item', 'drift_value', 'threshold', 'previous_version', 'current_version'],
        orderBy: [['checked_at', false]], where: "status = 'fail'", rowLimit: 200 } },
  ],
};

export default dashboard;
