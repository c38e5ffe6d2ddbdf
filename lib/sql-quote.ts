// Quoting for the SQL we build. Kept apart from duckdb.ts (which re-exports both) so that modules
// that only build SQL text, such as the lake catalog behind `lakehouse tables`, do not load the
// DuckDB binding.

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** A SQL string literal; used only where DuckDB cannot bind a parameter (file paths in DDL/COPY). */
export function quoteLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
