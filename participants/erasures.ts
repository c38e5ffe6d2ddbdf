import { defineTable } from '../lib/table-spec.ts';

/** Audit trail of erasures: which pseudonymous id was erased, when, and how much. No personal data. */
export default defineTable({
  layer: 'ops',
  name: 'erasures',
  grainSentence: 'one row per completed erasure of a listener',
  grain: ['erasure_id'],
  description: 'Audit trail of `lakehouse listeners delete`: the pseudonymous listener id, when the erasure finished, and how many rows, table versions and files were removed. It holds no listening data, labels or Spotify identifiers; it is the only place the erased id remains.',
  columns: [
    { name: 'erasure_id', type: 'VARCHAR', description: 'Run id of the erasure (also the run id of this row)' },
    { name: 'listener_id', type: 'VARCHAR', description: 'Pseudonymous id that was erased' },
    { name: 'erased_at', type: 'TIMESTAMP', description: 'When the erasure finished rewriting tables and removing files (UTC)' },
    { name: 'tables_touched', type: 'VARCHAR', description: 'JSON object: layer.table -> {versions, rows_removed, rows_removed_all_versions, rows_scrubbed, unused_keys_removed (of rows_removed: track rows whose key no remaining listener plays)}' },
    { name: 'table_count', type: 'INTEGER', description: 'Number of tables that held the listener' },
    { name: 'versions_rewritten', type: 'INTEGER', description: 'Table versions whose Parquet parts were rewritten' },
    { name: 'rows_removed', type: 'BIGINT', description: 'Rows of the listener removed from the current versions' },
    { name: 'rows_removed_all_versions', type: 'BIGINT', description: 'Rows of the listener removed, summed over every kept version' },
    { name: 'rows_scrubbed', type: 'BIGINT', description: 'Rows kept but stripped of a reference to the listener (API provenance of track rows, ops free text)' },
    { name: 'files_removed', type: 'INTEGER', description: 'Files removed outside the tables: landed API responses, cursor, tokens, inbox/processed/failed exports, demo inputs, model artifacts' },
    { name: 'models_dropped', type: 'INTEGER', description: 'Model artifacts (files) fitted on the listener rows that were dropped; the next build retrains them' },
  ],
  inputs: [],
});
