// Ingestion outcomes as warn-level checks next to the data-quality results: a listener whose Spotify
// or Last.fm ingestion failed, inbox files refused, inbox entries outside a valid listener folder, and probable
// gaps in the API history. They do not fail the run (one listener must not block the others), but
// they show up in ops.data_quality_checks and in `lakehouse runs --run <id>`.
import type { CheckResult } from '../ops/quality-checks.ts';
import type { SpotifyIngestSummary } from '../ingestion/spotify/ingest.ts';
import type { InboxSummary } from './inbox.ts';
import type { LastfmStageSummary } from './lastfm-stage.ts';
import type { StageResult } from './stages.ts';

const HISTORY = 'bronze.listening_history';

function warn(check: string, column: string, observed: number, detail: string): CheckResult {
  return { check_name: check, table_name: HISTORY, column_name: column, level: 'warn', status: observed > 0 ? 'fail' : 'pass', observed_value: observed, threshold: 0, detail };
}

export function ingestChecks(stages: StageResult[]): CheckResult[] {
  const out: CheckResult[] = [];
  const spotify = stages.find((s) => s.stage === 'ingest spotify')?.detail as SpotifyIngestSummary | undefined;
  if (spotify) {
    const failed = spotify.listeners.filter((l) => l.status === 'failed');
    out.push(warn('ingest_failures', 'spotify_api', failed.length,
      `listeners whose Spotify ingestion failed this run${failed.length ? `: ${failed.map((l) => `${l.listener_id} (${l.error})`).join('; ')}` : ''}`));
    const gaps = spotify.listeners.filter((l) => l.probable_gap);
    out.push(warn('probable_gaps', 'spotify_api', gaps.length,
      `listeners with plays the API no longer returns${gaps.length ? `: ${gaps.map((l) => `${l.listener_id} (${l.probable_gap!.after} to ${l.probable_gap!.before})`).join('; ')}; backfill from the privacy export via the inbox` : ''}`));
  }
  const lastfm = stages.find((s) => s.stage === 'ingest lastfm')?.detail as LastfmStageSummary | undefined;
  if (lastfm) {
    const failed = lastfm.listeners.filter((l) => l.status === 'failed');
    out.push(warn('ingest_failures', 'lastfm_api', failed.length,
      `listeners whose Last.fm ingestion failed this run${failed.length ? `: ${failed.map((l) => `${l.listener_id} (${l.error})`).join('; ')}` : ''}`));
  }
  const inbox = stages.find((s) => s.stage === 'ingest inbox')?.detail as InboxSummary | undefined;
  if (inbox) {
    const problems = [
      ...inbox.files.filter((f) => f.status === 'failed').map((f) => `${f.listener_id}: ${f.error}`),
      ...inbox.listeners_failed.map((l) => `${l.listener_id}: ${l.error}`),
    ];
    out.push(warn('ingest_failures', 'inbox', problems.length, `inbox files refused (moved to failed/) or listeners whose import failed${problems.length ? `: ${problems.join('; ')}` : ''}`));
    const ignored = inbox.ignored ?? [];
    out.push(warn('inbox_folders', 'inbox_folder', ignored.length, `inbox entries not imported because they are not in a valid listener folder${ignored.length ? `: ${ignored.map((p) => `inbox/${p.entry} (${p.rule})`).join('; ')}` : ''}`));
  }
  return out;
}
