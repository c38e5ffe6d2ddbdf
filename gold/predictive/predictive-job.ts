// The job behind the six tables of gold/predictive (declared on model_performance_metrics): the
// catalog forests, then the per-listener time model, then the three report tables.
import type { BuildContext } from '../../lib/build-context.ts';
import type { TableSpec } from '../../lib/table-spec.ts';
import { fitCatalogModels, writeCatalogPredictions } from './catalog-job.ts';
import { runTimeModels } from './time-job.ts';
import { Report, writeRows } from './report-rows.ts';
import featureImportance from './feature_importance.ts';
import confusionMatrix from './confusion_matrix.ts';

export async function runPredictiveJob(ctx: BuildContext, metricsSpec: TableSpec): Promise<void> {
  const started = Date.now();
  const report = new Report();
  const catalog = await fitCatalogModels(ctx, report);
  ctx.log.debug({ ms: Date.now() - started }, 'catalog models ready');
  await writeCatalogPredictions(ctx, catalog, report);
  ctx.log.debug({ ms: Date.now() - started }, 'catalog predictions written');
  await runTimeModels(ctx, report);
  await writeRows(ctx, metricsSpec, report.metrics);
  await writeRows(ctx, featureImportance, report.importance, {
    rank: 'row_number() over (partition by model_name, listener_id order by importance desc, feature)::integer',
  });
  await writeRows(ctx, confusionMatrix, report.confusion);
  const verdicts = report.metrics.filter((m) => m.listener_id === null && ['r2', 'accuracy'].includes(m.metric_name))
    .map((m) => `${m.model_name} ${m.metric_name} ${m.metric_value.toFixed(3)} vs baseline ${m.baseline_value?.toFixed(3)}${m.beats_baseline ? '' : ' (does NOT beat its baseline)'}`);
  ctx.log.info({ seconds: (Date.now() - started) / 1000, metrics: report.metrics.length, catalog: verdicts }, 'predictive models done');
}
