import { defineTable } from '../lib/table-spec.ts';

/** Run history: one row per pipeline run (manual or scheduled), written when the run ends. */
export default defineTable({
  layer: 'ops',
  name: 'pipeline_runs',
  grainSentence: 'one row per pipeline run',
  grain: ['run_id'],
  description: 'History of pipeline runs (lakehouse run and the scheduler): trigger, timing, outcome, time per stage, tables written and the quality-gate result. A run killed without a chance to record itself (SIGKILL, power loss) has no row; its lock is recovered by the next run.',
  columns: [
    { name: 'run_id', type: 'VARCHAR', description: 'Run id (run-<UTC timestamp>-<random>), also stamped on every table version and bronze row the run wrote' },
    { name: 'trigger', type: 'VARCHAR', description: 'What started the run: schedule (a cron tick), startup (schedule --run-at-start) or cli (lakehouse run)' },
    { name: 'status', type: 'VARCHAR', description: 'succeeded, failed (a stage failed, the time limit passed or an error-level quality check failed) or aborted (shutdown requested)' },
    { name: 'started_at', type: 'TIMESTAMP', description: 'When the run started (UTC)' },
    { name: 'finished_at', type: 'TIMESTAMP', description: 'When the run ended (UTC)' },
    { name: 'duration_ms', type: 'BIGINT', description: 'Wall time of the run in milliseconds' },
    { name: 'failed_stage', type: 'VARCHAR', description: 'Stage that failed or was interrupted (null when the run succeeded)' },
    { name: 'error', type: 'VARCHAR', description: 'Error message of the failure (null when the run succeeded); never holds tokens or secrets' },
    { name: 'stage_durations', type: 'VARCHAR', description: 'JSON object: stage name -> milliseconds, in run order' },
    { name: 'tables_written', type: 'VARCHAR', description: 'JSON object: layer.table -> {version, rows, delta} for every table version the run published (delta = rows minus the rows of the version before the run)' },
    { name: 'rows_written', type: 'BIGINT', description: 'Sum of the positive row deltas over the tables the run wrote' },
    { name: 'quality_errors', type: 'INTEGER', description: "Failed quality checks of level 'error' (any blocks the publish to Trino)" },
    { name: 'quality_warnings', type: 'INTEGER', description: "Failed quality checks of level 'warn' (reported only)" },
    { name: 'publish_status', type: 'VARCHAR', description: 'published, not_configured (TRINO_URL unset), blocked_by_quality, skipped (the run failed earlier) or failed' },
    { name: 'summary', type: 'VARCHAR', description: 'JSON with stage details (files imported or moved to failed/, Spotify listeners, probable gaps, retries)' },
  ],
  inputs: [],
});
