import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { cliFor, printJson } from '../app.ts';
import { io } from '../output.ts';
import { UsageError } from '../../lib/errors.ts';

export function register(program: Command): void {
  program
    .command('notebook')
    .description('rewrite <data dir>/lakehouse.duckdb (views of the current tables for Python, R and the DuckDB CLI) and print its path')
    .addHelpText('after', `
Every publish rewrites the file already; run this after moving or copying the data dir, since the
views hold absolute paths.

Examples:
  $ lakehouse notebook
  $ duckdb -readonly "$(lakehouse notebook)" -c "select * from gold.temporal_trends limit 5"`)
    .action(async function (this: Command) {
      const { config, opts: g } = cliFor(this);
      if (!existsSync(config.dataDir)) throw new UsageError(`${config.dataDir}: data dir does not exist (check --data-dir or LAKEHOUSE_DATA_DIR)`);
      const [{ readCatalog }, { withLock }, { writeNotebookDb }] = await Promise.all([import('../../lib/lake.ts'), import('../../lib/lock.ts'), import('../../lib/notebook-db.ts')]);
      const catalog = readCatalog(config.dataDir);
      const path = await withLock(config.dataDir, 'notebook', () => writeNotebookDb(config.dataDir, catalog));
      if (g.json) printJson({ path, tables: Object.keys(catalog.tables).length });
      else io.out(`${path}\n`);
    });
}
