import type { Command } from 'commander';
import { cliFor } from '../app.ts';
import { stdoutSink } from '../output.ts';
import type { OutputFormat, TextSink } from '../../lib/result-stream.ts';
import type { DuckDBConnection } from '../../lib/duckdb.ts';
import { UsageError } from '../../lib/errors.ts';

/** Runs one read-only statement over the lake and streams its result to sink; returns the row count. */
export async function queryDuckDB(conn: DuckDBConnection, sql: string, format: OutputFormat, sink: TextSink): Promise<number> {
  const [{ prepareReadOnly }, { streamResult }] = await Promise.all([import('../../lib/read-only.ts'), import('../../lib/result-stream.ts')]);
  return streamResult(conn, await prepareReadOnly(conn, sql, 'query'), format, sink);
}

export function register(program: Command): void {
  program
    .command('query')
    .description('run read-only SQL over the lake; tables are addressed as bronze.<t>, silver.<t>, gold.<t>, ops.<t>')
    .argument('<sql>', 'one SELECT statement (also FROM …, DESCRIBE, SHOW, SUMMARIZE, EXPLAIN <select>)')
    .option('--engine <engine>', 'duckdb (embedded, default) or trino (TRINO_URL)', 'duckdb')
    .option('--format <format>', 'table (default), json (one array), ndjson (one object a line) or csv; --json = --format json')
    .addHelpText('after', `
The embedded engine reads only the current files of the lake's tables: statements other than queries
(COPY, ATTACH, INSTALL, LOAD, SET, PRAGMA, CREATE, INSERT, EXPLAIN ANALYZE …) and reading any other
file are refused (exit 2). Results are streamed, so any size works in bounded memory.

Examples:
  $ lakehouse query "select layer, count(*) from silver.listening_with_features group by all"
  $ lakehouse query --format csv "from silver.listening_with_features" > plays.csv
  $ lakehouse query --engine trino --json "select * from gold.feature_source_coverage"`)
    .action(async function (this: Command, sql: string, opts: { engine: string; format?: string }) {
      const { config, opts: g } = cliFor(this);
      const { parseOutputFormat, writeRows } = await import('../../lib/result-stream.ts');
      const format = parseOutputFormat(opts.format ?? (g.json ? 'json' : 'table'));
      if (opts.format && g.json && format !== 'json') throw new UsageError(`--json and --format ${format} contradict each other`);
      if (opts.engine === 'duckdb') {
        const { withReadOnlyLake } = await import('../../lib/read-only.ts');
        // Every statement here goes through prepareReadOnly, which creates the views it reads.
        await withReadOnlyLake(config, (lake) => queryDuckDB(lake.conn, sql, format, stdoutSink()), { viewsOnDemand: true });
      } else if (opts.engine === 'trino') {
        const [{ queryTrino }, { localTimesInRows }] = await Promise.all([import('../../lib/trino/query.ts'), import('../../lib/local-time.ts')]);
        await writeRows(localTimesInRows(await queryTrino(config, sql)), format, stdoutSink());
      } else {
        throw new UsageError(`--engine: expected duckdb or trino, got "${opts.engine}"`);
      }
    });
}
