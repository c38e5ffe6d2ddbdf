// `lakehouse query --engine trino`: one read-only statement through the configured Trino, with the
// catalog `lakehouse` implied so tables are addressed as bronze.x, silver.x, gold.x, ops.x as with
// DuckDB. Rows follow the JSON contract of lib/json-values.ts.
import type { Config } from '../config.ts';
import { UsageError } from '../errors.ts';
import { trinoFromConfig } from './client.ts';
import { trinoResultToJsonRows } from './json-rows.ts';

const READ_ONLY = /^(select|with|values|show|describe|explain|table)\b/i;

/** Drops leading comments and whitespace so the first keyword can be checked. */
function leadingKeywordText(sql: string): string {
  return sql.replace(/^(\s+|--[^\n]*(\n|$)|\/\*[\s\S]*?\*\/)+/, '');
}

export function assertReadOnly(sql: string): string {
  // Trino refuses a trailing semicolon and parses exactly one statement, so more than one fails there.
  const body = leadingKeywordText(sql).replace(/[\s;]+$/, '');
  if (!READ_ONLY.test(body)) {
    throw new UsageError('query: only read-only statements (SELECT, WITH … SELECT, VALUES, SHOW, DESCRIBE, EXPLAIN) are allowed');
  }
  return body;
}

export async function queryTrino(config: Config, sql: string): Promise<Record<string, unknown>[]> {
  const statement = assertReadOnly(sql);
  return trinoResultToJsonRows(await trinoFromConfig(config).query(statement));
}
