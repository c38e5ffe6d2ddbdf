import type { Command } from 'commander';
import { StatementType } from '@duckdb/node-api';
import { cliFor, printJson, printTable } from '../app.ts';
import { withReader } from '../../lib/session.ts';
import { readerToJsonRows } from '../../lib/json-values.ts';
import type { DuckDBConnection } from '../../lib/duckdb.ts';
import { UsageError } from '../../lib/errors.ts';

const READ_ONLY = new Set<StatementType>([StatementType.SELECT, StatementType.EXPLAIN]);

/** Runs one read-only statement over the lake (tables as bronze.x, silver.x, gold.x, ops.x). */
export async function queryDuckDB(conn: DuckDBConnection, sql: string): Promise<Record<string, unknown>[]> {
  const statements = await conn.extractStatements(sql);
  if (statements.count !== 1) throw new UsageError(`query: expected exactly one SQL statement, got ${statements.count}`);
  const prepared = await statements.prepare(0);
  if (!READ_ONLY.has(prepared.statementType)) {
    throw new UsageError(`query: only read-only statements (SELECT, WITH … SELECT, EXPLAIN) are allowed, got ${StatementType[prepared.statementType]}`);
  }
  return readerToJsonRows(await prepared.runAndReadAll());
}

export function register(program: Command): void {
  program
    .command('query')
    .description('run read-only SQL over the lake; tables are addressed as bronze.<t>, silver.<t>, gold.<t>, ops.<t>')
    .argument('<sql>', 'one SELECT statement')
    .option('--engine <engine>', 'duckdb (embedded, default) or trino (TRINO_URL)', 'duckdb')
    .addHelpText('after', `
Examples:
  $ lakehouse query "select layer, count(*) from silver.listening_with_features group by all"
  $ lakehouse query --engine trino --json "select * from gold.feature_source_coverage"`)
    .action(async function (this: Command, sql: string, opts: { engine: string }) {
      const { config, log, opts: g } = cliFor(this);
      let rows: Record<string, unknown>[];
      if (opts.engine === 'duckdb') {
        rows = await withReader(config, log, (s) => queryDuckDB(s.conn, sql));
      } else if (opts.engine === 'trino') {
        const { queryTrino } = await import('../../lib/trino/query.ts');
        rows = await queryTrino(config, sql);
      } else {
        throw new UsageError(`--engine: expected duckdb or trino, got "${opts.engine}"`);
      }
      if (g.json) printJson(rows);
      else printTable(rows);
    });
}
