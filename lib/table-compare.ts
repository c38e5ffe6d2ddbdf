// Are two builds of a table the same? Used to show that --engine trino builds what DuckDB builds:
// same schema, and the same rows — matched on the table's grain (its unique key), every other column
// equal, doubles within a relative tolerance (two engines add in different orders: 1e-9 relative by
// default), NULL equal to NULL and NaN to NaN. A table without a grain is compared row for row
// (EXCEPT ALL both ways), exactly.
import type { DuckDBConnection } from './duckdb.ts';
import { queryRows, quoteIdent, quoteLiteral } from './duckdb.ts';

export interface TableSide {
  /** Parquet files (paths or globs). */
  files: string[];
  columns: { name: string; type: string }[];
}

export interface TableComparison {
  rows_a: number;
  rows_b: number;
  /** Rows of a with no equal row in b (beyond tolerance), and the other way round. */
  only_a: number;
  only_b: number;
  /** Columns whose values differ in matched rows, with one example. */
  differences: { column: string; rows: number; example: Record<string, unknown> }[];
  schema_equal: boolean;
  equal: boolean;
}

const isDouble = (type: string) => /^(DOUBLE|FLOAT|REAL)$/i.test(type);

function relation(side: TableSide): string {
  return `read_parquet([${side.files.map(quoteLiteral).join(', ')}])`;
}

/** Compares two builds of one table; grain: its unique key (empty: exact row-for-row comparison). */
export async function compareTables(conn: DuckDBConnection, a: TableSide, b: TableSide, grain: string[], tolerance = 1e-9): Promise<TableComparison> {
  const schemaEqual = JSON.stringify(a.columns.map((c) => [c.name, c.type])) === JSON.stringify(b.columns.map((c) => [c.name, c.type]));
  const [{ n: rowsA }] = await queryRows<{ n: number }>(conn, `select count(*)::double as n from ${relation(a)}`);
  const [{ n: rowsB }] = await queryRows<{ n: number }>(conn, `select count(*)::double as n from ${relation(b)}`);
  const base = { rows_a: rowsA, rows_b: rowsB, schema_equal: schemaEqual };
  if (!schemaEqual) return { ...base, only_a: rowsA, only_b: rowsB, differences: [], equal: false };

  if (grain.length === 0) {
    const [{ n: onlyA }] = await queryRows<{ n: number }>(conn, `select count(*)::double as n from (select * from ${relation(a)} except all select * from ${relation(b)})`);
    const [{ n: onlyB }] = await queryRows<{ n: number }>(conn, `select count(*)::double as n from (select * from ${relation(b)} except all select * from ${relation(a)})`);
    return { ...base, only_a: onlyA, only_b: onlyB, differences: [], equal: onlyA === 0 && onlyB === 0 };
  }

  const on = grain.map((g) => `a.${quoteIdent(g)} is not distinct from b.${quoteIdent(g)}`).join(' and ');
  const [{ only_a: onlyA, only_b: onlyB }] = await queryRows<{ only_a: number; only_b: number }>(conn, `
    select count(*) filter (where b.b_present is null)::double as only_a, count(*) filter (where a.a_present is null)::double as only_b
    from (select *, true as a_present from ${relation(a)}) a full outer join (select *, true as b_present from ${relation(b)}) b on ${on}`);

  const differences: TableComparison['differences'] = [];
  for (const c of a.columns) {
    if (grain.includes(c.name)) continue;
    const col = quoteIdent(c.name);
    const differs = isDouble(c.type)
      ? `not ((a.${col} is null and b.${col} is null) or (isnan(a.${col}) and isnan(b.${col}))
             or a.${col} = b.${col} or abs(a.${col} - b.${col}) <= ${tolerance} * greatest(abs(a.${col}), abs(b.${col})))`
      : `a.${col} is distinct from b.${col}`;
    const rows = await queryRows<Record<string, unknown>>(conn, `
      select count(*) over ()::double as n, ${grain.map((g) => `a.${quoteIdent(g)}`).join(', ')}, a.${col} as a_value, b.${col} as b_value
      from ${relation(a)} a join ${relation(b)} b on ${on}
      where ${differs} limit 1`);
    if (rows.length > 0) {
      const { n, ...example } = rows[0];
      differences.push({ column: c.name, rows: Number(n), example });
    }
  }
  return { ...base, only_a: onlyA, only_b: onlyB, differences, equal: onlyA === 0 && onlyB === 0 && differences.length === 0 };
}
