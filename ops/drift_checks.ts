import { defineTable } from '../lib/table-spec.ts';

/** Drift between the two newest versions of silver (and of the catalog models' hold-out metrics), per run. */
export default defineTable({
  layer: 'ops',
  name: 'drift_checks',
  grainSentence: 'one row per run, scope, listener, check and item',
  grain: ['run_id', 'scope', 'listener_id', 'check_name', 'item'],
  description: 'Drift checks run at the end of every pipeline run: the newest version of silver.listening_with_features against the previous one, for the cohort and per listener: population stability index (PSI) of each audio feature (10 equal-width bins over the feature\'s range) and of the hour of day (24 bins), with empty bins counted as a share of 0.0001; the change of the synthetic share; and the change of each catalog model\'s hold-out metric between the two newest versions of gold.model_performance_metrics. Thresholds come from alerts.yaml.',
  columns: [
    { name: 'run_id', type: 'VARCHAR', description: 'Run that performed the check' },
    { name: 'scope', type: 'VARCHAR', description: 'cohort (all listeners together) or listener' },
    { name: 'listener_id', type: 'VARCHAR', description: 'Listener of a listener-scope row; null for cohort rows' },
    { name: 'check_name', type: 'VARCHAR', description: 'feature_psi, hour_psi, synthetic_share_change or model_metric_change' },
    { name: 'item', type: 'VARCHAR', description: 'The feature (feature_psi), hour_of_day (hour_psi), feature_source (synthetic_share_change) or <model>.<metric> (model_metric_change)' },
    { name: 'table_name', type: 'VARCHAR', description: 'Compared table as layer.table' },
    { name: 'previous_version', type: 'INTEGER', description: 'Version compared against (the one before the current)' },
    { name: 'current_version', type: 'INTEGER', description: 'Current version of the table' },
    { name: 'previous_value', type: 'DOUBLE', description: 'Synthetic share or metric value in the previous version (null for PSI rows)' },
    { name: 'current_value', type: 'DOUBLE', description: 'Synthetic share or metric value in the current version (null for PSI rows)' },
    { name: 'drift_value', type: 'DOUBLE', description: 'The PSI, or the absolute change of the value' },
    { name: 'threshold', type: 'DOUBLE', description: 'The largest drift_value that passes (from alerts.yaml, or the defaults)' },
    { name: 'status', type: 'VARCHAR', description: 'pass, fail, or insufficient (fewer events than drift.min_events in either version: not judged)' },
    { name: 'n_previous', type: 'BIGINT', description: 'Events (or metric rows) behind the previous value' },
    { name: 'n_current', type: 'BIGINT', description: 'Events (or metric rows) behind the current value' },
    { name: 'checked_at', type: 'TIMESTAMP', description: 'When the check ran (UTC)' },
  ],
  inputs: [],
});
