// Columns that are never published to Trino (and so never reach Superset), whatever the table's
// declaration says: personal labels a listener typed in, for instance. Parquet columns are matched
// by name, so leaving a column out of the Trino table hides it completely.
// Add "layer.table.column" here; this is the only place.
export const UNPUBLISHED_COLUMNS: ReadonlySet<string> = new Set(['bronze.listeners.display_label']);

export function isPublished(layer: string, table: string, column: string, excluded: ReadonlySet<string> = UNPUBLISHED_COLUMNS): boolean {
  return !excluded.has(`${layer}.${table}.${column}`);
}
