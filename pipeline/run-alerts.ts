// The end of a run, after its row is recorded: drift checks and alert rules (ops/alerts-evaluate.ts).
// Kept apart from run.ts so the run only makes one call, which never throws.
import type { Logger } from '../lib/logger.ts';
import type { LakeSession } from '../lib/session.ts';
import type { CheckResult } from '../ops/quality-checks.ts';
import { evaluateAlerts, type AlertsResult } from '../ops/alerts-evaluate.ts';
import type { SpotifyIngestSummary } from '../ingestion/spotify/ingest.ts';
import type { RunSummary } from './run.ts';

export async function runAlerts(session: LakeSession, summary: RunSummary, checks: CheckResult[], log: Logger): Promise<AlertsResult | null> {
  const spotify = summary.stages.find((s) => s.stage === 'ingest spotify')?.detail as SpotifyIngestSummary | undefined;
  return evaluateAlerts(session, {
    run_id: summary.run_id, trigger: summary.trigger, status: summary.status, failed_stage: summary.failed_stage, error: summary.error, finished_at: summary.finished_at,
    checks, spotify: (spotify?.listeners ?? []).map((l) => ({ listener_id: l.listener_id, status: l.status, error: l.error })),
  }, log);
}
