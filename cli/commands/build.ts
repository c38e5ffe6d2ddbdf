import type { Command } from 'commander';
import { cliWithView, printJson, printTable, verb, viewReplacesData, withProgress, type Cli } from '../app.ts';
import type { StageResult } from '../../pipeline/stages.ts';
import { checkStudyId } from '../../lib/study-id.ts';
import { checkEngine } from '../engine-option.ts';

function report(result: StageResult, cli: Cli): void {
  if (cli.opts.json) printJson(result);
  else if (!viewReplacesData(cli)) printTable(result.tables, ['table', 'rows', 'version']);
}

export function register(program: Command): void {
  const build = verb(program, 'build', 'build a layer from the one below it')
    .addHelpText('after', '\nExamples:\n  $ lakehouse build silver\n  $ lakehouse build gold --category predictive');

  build
    .command('synthetic')
    .description('generate deterministic synthetic features for tracks with no Spotify API or Kaggle features (skipped when ALLOW_SYNTHETIC=false)')
    .addHelpText('after', '\nExample:\n  $ lakehouse build synthetic')
    .action(async function (this: Command) {
      const cli = await cliWithView(this);
      const [{ syntheticStage }, { withWriter }] = await Promise.all([import('../../pipeline/stages.ts'), import('../../lib/session.ts')]);
      report(await withProgress(cli, 'lakehouse build synthetic', 'synthetic', () => withWriter(cli.config, cli.log, 'build synthetic', (s) => syntheticStage(s))), cli);
    });

  build
    .command('silver')
    .description('build the silver tables (generates missing synthetic features first)')
    .option('--study <id>', "only this study's listeners' rows are rebuilt; the other studies' rows are kept unchanged")
    .option('--engine <engine>', 'who computes silver and the SQL gold tables: duckdb (embedded) or trino (the cluster at TRINO_URL); default LAKEHOUSE_ENGINE, else duckdb')
    .addHelpText('after', '\nExamples:\n  $ lakehouse build silver\n  $ lakehouse build silver --study pilot\n  $ ALLOW_SYNTHETIC=false lakehouse build silver')
    .action(async function (this: Command, o: { study?: string; engine?: string }) {
      if (o.study !== undefined) checkStudyId(o.study);
      const cli = await cliWithView(this, { engine: checkEngine(o.engine) });
      const [{ silverStage }, { withWriter }, { checkStudy, scopeToStudy }] = await Promise.all([
        import('../../pipeline/stages.ts'), import('../../lib/session.ts'), import('../../pipeline/study-scope.ts')]);
      const plan = ['silver.listening_with_features', 'silver.catalog_tracks'];
      report(await withProgress(cli, 'lakehouse build silver', 'silver', () => withWriter(cli.config, cli.log, 'build silver', async (s) => {
        if (o.study !== undefined) await scopeToStudy(s, await checkStudy(s.conn, o.study));
        return silverStage(s);
      }), plan), cli);
    });
}
