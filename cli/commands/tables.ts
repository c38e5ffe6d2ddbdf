import type { Command } from 'commander';
import { cliFor, printJson, printTable } from '../app.ts';
import { listTables } from '../../lib/lake.ts';
import { join } from 'node:path';

export function register(program: Command): void {
  program
    .command('tables')
    .description('list the current version of every table: layer, table, rows, version, built at, path')
    .option('--layer <layer>', 'only this layer')
    .action(function (this: Command, opts: { layer?: string }) {
      const { config, opts: g } = cliFor(this);
      const rows = listTables(config.dataDir)
        .filter((t) => !opts.layer || t.layer === opts.layer)
        .map((t) => ({ layer: t.layer, table: t.table, rows: t.rows, version: t.version, built_at: t.built_at, path: join(config.dataDir, t.path), run_id: t.run_id }));
      if (g.json) printJson(rows);
      else printTable(rows, ['layer', 'table', 'rows', 'version', 'built_at', 'path']);
    });
}
