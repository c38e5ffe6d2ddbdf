import type { Command } from 'commander';
import { cliFor, printJson, printTable, requireExistingDataDir } from '../app.ts';
import { LAYERS } from '../../lib/table-spec.ts';
import { UsageError } from '../../lib/errors.ts';

export function register(program: Command): void {
  program
    .command('tables')
    .description('list the current version of every table: layer, table, rows, version, built at, path')
    .option('--layer <layer>', `only this layer (${LAYERS.join(', ')})`)
    .addHelpText('after', '\nExamples:\n  $ lakehouse tables\n  $ lakehouse tables --layer gold --json')
    .action(async function (this: Command, opts: { layer?: string }) {
      const { config, opts: g } = cliFor(this);
      if (opts.layer !== undefined && !(LAYERS as readonly string[]).includes(opts.layer)) {
        throw new UsageError(`--layer ${opts.layer}: unknown layer; valid: ${LAYERS.join(', ')}`);
      }
      const [{ listTables, sortedTables }, { isRemoteLake, joinLake, readRemoteCatalog }] = await Promise.all([import('../../lib/lake.ts'), import('../../lib/object-store.ts')]);
      let tables;
      if (isRemoteLake(config.dataDir)) {
        tables = sortedTables(await readRemoteCatalog(config));
      } else {
        requireExistingDataDir(config);
        tables = listTables(config.dataDir);
      }
      const rows = tables
        .filter((t) => !opts.layer || t.layer === opts.layer)
        .map((t) => ({ layer: t.layer, table: t.table, rows: t.rows, version: t.version, built_at: t.built_at, path: joinLake(config.dataDir, t.path), run_id: t.run_id }));
      if (g.json) printJson(rows);
      else printTable(rows, ['layer', 'table', 'rows', 'version', 'built_at', 'path']);
    });
}
