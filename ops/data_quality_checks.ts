import { defineTable } from '../lib/table-spec.ts';

/** Results of the data-quality gates, one row per check and run. */
export default defineTable({
  layer: 'ops',
  name: 'data_quality_checks',
  grainSentence: 'one row per run, check, table and column',
  grain: ['run_id', 'check_name', 'table_name', 'column_name'],
  description: "Data-quality checks run after every build: grain uniqueness, null rates of key columns, audio-feature ranges, bronze to silver reconciliation, freshness and the share of synthetic features. A failed check of level 'error' stops the run's publish to Trino; 'warn' checks are reported only.",
  columns: [
    { name: 'run_id', type: 'VARCHAR', description: 'Run that performed the check' },
    { name: 'check_name', type: 'VARCHAR', description: 'grain_unique, key_nulls, feature_range, bronze_silver_reconciliation, silver_listener_coverage, freshness, synthetic_share or synthetic_share_listener' },
    { name: 'table_name', type: 'VARCHAR', description: 'Checked table as layer.table' },
    { name: 'column_name', type: 'VARCHAR', description: "Checked column ('' when the check is about the whole table)" },
    { name: 'level', type: 'VARCHAR', description: "error (a failure blocks the publish) or warn (reported only)" },
    { name: 'status', type: 'VARCHAR', description: 'pass or fail' },
    { name: 'observed_value', type: 'DOUBLE', description: 'What was measured (count, rate or hours; see detail)' },
    { name: 'threshold', type: 'DOUBLE', description: 'The largest observed value that passes' },
    { name: 'detail', type: 'VARCHAR', description: 'What was measured, in words, with an example of a failing value where there is one' },
    { name: 'checked_at', type: 'TIMESTAMP', description: 'When the check ran (UTC)' },
  ],
  inputs: [],
});
