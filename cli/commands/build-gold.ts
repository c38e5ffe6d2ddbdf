// `lakehouse build gold [--category <name>] [--table <name>]`: builds the declared gold tables.
// The `build` verb itself belongs to build.ts; this file only adds its `gold` subcommand. Files
// register in name order and "build-gold.ts" sorts before "build.ts", so when build.ts exists but has
// not run yet, the subcommand is attached when `build` is dispatched; without build.ts the verb is
// created here.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { cliFor, printJson, printTable } from '../app.ts';
import { withWriter } from '../../lib/session.ts';
import { buildGold } from '../../gold/build.ts';

interface GoldOptions {
  category?: string;
  table?: string;
}

function addGold(build: Command): void {
  if (build.commands.some((c) => c.name() === 'gold')) return;
  build
    .command('gold')
    .description('build the gold tables (all, one category or one table) in dependency order and publish them together')
    .option('--category <name>', 'only this category (descriptive, diagnostic, predictive, prescriptive, cognitive)')
    .option('--table <name>', 'only this table, e.g. mood_time_correlations')
    .action(async function (this: Command, opts: GoldOptions) {
      const { config, log, opts: g } = cliFor(this);
      const published = await withWriter(config, log, 'build gold', (s) => buildGold(s, opts));
      const rows = published.map((m) => ({ table: `${m.layer}.${m.table}`, rows: m.rows, version: m.version, duration_ms: m.duration_ms }));
      if (g.json) printJson(rows);
      else if (!g.quiet) printTable(rows, ['table', 'rows', 'version', 'duration_ms']);
    });
}

export function register(program: Command): void {
  const existing = program.commands.find((c) => c.name() === 'build');
  if (existing) {
    addGold(existing);
    return;
  }
  if (!existsSync(join(import.meta.dirname, 'build.ts'))) {
    addGold(program.command('build').description('build a layer from the one below it'));
    return;
  }
  program.hook('preSubcommand', (_root, sub) => {
    if (sub.name() === 'build') addGold(sub);
  });
}
