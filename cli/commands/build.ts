import type { Command } from 'commander';
import { cliFor, printJson, printTable, verb } from '../app.ts';
import { withWriter } from '../../lib/session.ts';
import { silverStage, syntheticStage, type StageResult } from '../../pipeline/stages.ts';

function report(result: StageResult, json: boolean | undefined): void {
  if (json) printJson(result);
  else printTable(result.tables, ['table', 'rows', 'version']);
}

export function register(program: Command): void {
  const build = verb(program, 'build', 'build a layer from the one below it')
    .addHelpText('after', '\nExamples:\n  $ lakehouse build silver\n  $ lakehouse build gold --category predictive');

  build
    .command('synthetic')
    .description('generate deterministic synthetic features for tracks with no Spotify API or Kaggle features (skipped when ALLOW_SYNTHETIC=false)')
    .addHelpText('after', '\nExample:\n  $ lakehouse build synthetic')
    .action(async function (this: Command) {
      const { config, log, opts } = cliFor(this);
      report(await withWriter(config, log, 'build synthetic', (s) => syntheticStage(s)), opts.json);
    });

  build
    .command('silver')
    .description('build silver.listening_with_features (generates missing synthetic features first)')
    .addHelpText('after', '\nExamples:\n  $ lakehouse build silver\n  $ ALLOW_SYNTHETIC=false lakehouse build silver')
    .action(async function (this: Command) {
      const { config, log, opts } = cliFor(this);
      report(await withWriter(config, log, 'build silver', (s) => silverStage(s)), opts.json);
    });
}
