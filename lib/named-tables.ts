// Which lake tables a statement reads, from DuckDB's own parse tree (json_serialize_sql), so that
// `lakehouse query` creates only those tables' views: binding a view reads its Parquet footers, and
// creating all 47 views of the demo lake cost a small query about 30 ms of CPU, a tenth of its start.
// The answer is null, meaning "create every view", whenever the statement might see the catalog
// some other way than by naming a table: a table function (duckdb_views(), query_table(…)), SHOW,
// DESCRIBE or SUMMARIZE, PIVOT, a name outside the lake's layers (information_schema.tables, a CTE,
// an unqualified or unknown name, whose error message suggests similar names), or a table
// reference of a kind this walk does not know.

/** Table references that read no table by themselves; BASE_TABLE is checked against the catalog. */
const PLAIN_REFS = new Set(['BASE_TABLE', 'JOIN', 'SUBQUERY', 'EMPTY', 'EXPRESSION_LIST']);
/** References that list or read catalog entries, wherever they appear. */
const CATALOG_REFS = new Set(['TABLE_FUNCTION', 'SHOW_REF', 'PIVOT']);

/**
 * The `layer.table` names (keys of the lake catalog) that `statement`, one parsed statement from
 * json_serialize_sql, reads; null when every view has to exist (see above).
 */
export function namedLakeTables(statement: unknown, tables: Readonly<Record<string, unknown>>): Set<string> | null {
  const named = new Set<string>();
  let everything = false;
  const visit = (node: unknown): void => {
    if (everything || node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      node.forEach(visit);
      return;
    }
    const o = node as Record<string, unknown>;
    // Table references carry an alias, a sample clause and a query location; expressions carry a
    // class, and query nodes (SELECT_NODE) a sample clause but neither alias nor location.
    const isRef = typeof o.type === 'string' && !('class' in o) && 'sample' in o && 'alias' in o && 'query_location' in o;
    if (typeof o.type === 'string' && CATALOG_REFS.has(o.type)) everything = true;
    else if (isRef && !PLAIN_REFS.has(o.type as string)) everything = true;
    else if (isRef && o.type === 'BASE_TABLE') {
      const name = `${String(o.schema_name)}.${String(o.table_name)}`;
      if (o.catalog_name !== '' || !Object.hasOwn(tables, name)) everything = true;
      else named.add(name);
    }
    if (!everything) Object.values(o).forEach(visit);
  };
  visit(statement);
  return everything ? null : named;
}
