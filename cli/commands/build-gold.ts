// `lakehouse build gold [--category <name>] [--table <name>]`: builds the declared gold tables.
// The `build` verb is shared with build.ts (build synthetic, build silver): whichever file registers
// first creates it (`verb`), the other one finds it.
import type { Command } from 'commander';
import { cliWithView, printJson, printTable, verb, viewReplacesData, withProgress } from '../app.ts';
import { checkStudyId } from '../../lib/study-id.ts';
import { checkEngine } from '../engine-option.ts';

interface GoldOptions {
  category?: string;
  table?: string;
  study?: string;
  engine?: string;
}

function addGold(build: Command): void {
  if (build.commands.some((c) => c.name() === 'gold')) return;
  build
    .command('gold')
    .description('build the gold tables (all, one category or one table) in dependency order and publish them together')
    .option('--category <name>', 'only this category (descriptive, diagnostic, predictive, prescriptive, cognitive)')
    .option('--table <name>', 'only this table, e.g. mood_time_correlations')
    .option('--study <id>', "only this study's listeners' rows are rebuilt; the other studies' rows are kept unchanged (lake-level tables are rebuilt whole)")
    .option('--engine <engine>', 'who computes silver and the SQL gold tables: duckdb (embedded) or trino (the cluster at TRINO_URL); default LAKEHOUSE_ENGINE, else duckdb')
    .addHelpText('after', '\nExamples:\n  $ lakehouse build gold\n  $ lakehouse build gold --category descriptive\n  $ lakehouse build gold --table mood_time_correlations\n  $ lakehouse build gold --study pilot')
    .action(async function (this: Command, opts: GoldOptions) {
      if (opts.study !== undefined) checkStudyId(opts.study);
      const cli = await cliWithView(this, { engine: checkEngine(opts.engine) });
      const [{ buildGold, loadGoldTables, selectGoldTables }, { withWriter }, { checkStudy, scopeToStudy }] = await Promise.all([
        import('../../gold/build.ts'), import('../../lib/session.ts'), import('../../pipeline/study-scope.ts')]);
      const plan = cli.view ? selectGoldTables(await loadGoldTables(), opts).map((s) => `gold.${s.name}`) : [];
      const published = await withProgress(cli, 'lakehouse build gold', 'gold', () => withWriter(cli.config, cli.log, 'build gold', async (s) => {
        if (opts.study !== undefined) await scopeToStudy(s, await checkStudy(s.conn, opts.study));
        return buildGold(s, { category: opts.category, table: opts.table });
      }), plan);
      const rows = published.map((m) => ({ table: `${m.layer}.${m.table}`, rows: m.rows, version: m.version, duration_ms: m.duration_ms }));
      if (cli.opts.json) printJson(rows);
      else if (!viewReplacesData(cli)) printTable(rows, ['table', 'rows', 'version', 'duration_ms']);
    });
}

export function register(program: Command): void {
  addGold(verb(program, 'build', 'build a layer from the one below it'));
}
