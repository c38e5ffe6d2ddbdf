import type { Command } from 'commander';
import { cliWithView, printJson, printTable, verb, viewReplacesData, withProgress, type Cli } from '../app.ts';
import type { StageResult } from '../../pipeline/stages.ts';

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
    .description('build silver.listening_with_features (generates missing synthetic features first)')
    .addHelpText('after', '\nExamples:\n  $ lakehouse build silver\n  $ ALLOW_SYNTHETIC=false lakehouse build silver')
    .action(async function (this: Command) {
      const cli = await cliWithView(this);
      const [{ silverStage }, { withWriter }] = await Promise.all([import('../../pipeline/stages.ts'), import('../../lib/session.ts')]);
      const plan = ['silver.listening_with_features', 'silver.catalog_tracks'];
      report(await withProgress(cli, 'lakehouse build silver', 'silver', () => withWriter(cli.config, cli.log, 'build silver', (s) => silverStage(s)), plan), cli);
    });
}
