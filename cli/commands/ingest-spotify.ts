// `ingest spotify` lives in its own file and attaches to the `ingest` verb of ingest.ts. This file
// loads first ('-' sorts before '.'), so when `ingest` is not registered yet the subcommand is added
// just before `ingest` is dispatched.
import type { Command } from 'commander';
import { cliFor, printJson, printTable } from '../app.ts';
import { io } from '../output.ts';
import { LakehouseError } from '../../lib/errors.ts';
import type { SpotifyIngestSummary } from '../../ingestion/spotify/ingest.ts';

function printSummary(s: SpotifyIngestSummary): void {
  printTable(s.listeners.map((l) => ({
    listener: l.listener_id, status: l.status, fetched: l.plays_fetched, added: l.plays_added,
    duplicates: l.duplicates_skipped, features: l.audio_features, cursor: l.cursor_after, gap: l.probable_gap ? 'probable' : '', error: l.error ?? '',
  })));
  const h = s.http;
  io.out(`requests ${h.requests}, retries ${h.retries} (429: ${h.rate_limited}, 5xx: ${h.server_errors}, network: ${h.network_errors}, timeouts: ${h.timeouts}, bad bodies: ${h.malformed_bodies}), failures ${h.failures}, token refreshes ${h.token_refreshes}\n`);
  if (s.audio_features === 'unavailable') io.out('audio features: unavailable for this app (HTTP 403); silver uses Kaggle, then synthetic features\n');
  for (const l of s.listeners) if (l.probable_gap) io.out(`${l.listener_id}: ${l.probable_gap.backfill}\n`);
}

export function register(program: Command): void {
  const existing = program.commands.find((c) => c.name() === 'ingest');
  if (existing) addSpotify(existing);
  else program.hook('preSubcommand', (_program, sub) => { if (sub.name() === 'ingest') addSpotify(sub); });
}

function addSpotify(ingest: Command): void {
  if (ingest.commands.some((c) => c.name() === 'spotify')) return;
  ingest.addHelpText('after', '\nExamples:\n  $ lakehouse ingest kaggle ~/Downloads/dataset.csv\n  $ lakehouse ingest export ~/Downloads/my_spotify_data --listener p01 --timezone Europe/Berlin\n  $ lakehouse ingest spotify --all');
  ingest
    .command('spotify')
    .description('pull new recently-played tracks (and audio features) of connected listeners from the Spotify Web API')
    .option('--listener <id>', 'one connected listener')
    .option('--all', 'every connected listener that is not paused')
    .option('--from-raw', 'rebuild bronze from the landed raw responses (no API call); all listeners unless --listener')
    .addHelpText('after', '\nExamples:\n  $ lakehouse ingest spotify --listener p01\n  $ lakehouse ingest spotify --all --json\n  $ lakehouse ingest spotify --from-raw')
    .action(async function (this: Command, o: { listener?: string; all?: boolean; fromRaw?: boolean }) {
      const { config, log, opts } = cliFor(this);
      if (o.fromRaw) {
        const [{ rebuildSpotifyFromRaw }, { withWriter }] = await Promise.all([import('../../ingestion/spotify/rebuild.ts'), import('../../lib/session.ts')]);
        const rebuilt = await withWriter(config, log, 'ingest spotify --from-raw', (s) => rebuildSpotifyFromRaw(s, o.listener));
        if (opts.json) printJson(rebuilt);
        else printTable(rebuilt.map((r) => ({ ...r })));
        return;
      }
      const { ingestSpotify } = await import('../../ingestion/spotify/ingest.ts');
      const summary = await ingestSpotify(config, log, { listener: o.listener, all: o.all });
      if (opts.json) printJson(summary);
      else printSummary(summary);
      if (summary.failed > 0) throw new LakehouseError(`ingest spotify: ${summary.failed} listener(s) failed: ${summary.listeners.filter((l) => l.error).map((l) => `${l.listener_id}: ${l.error}`).join('; ')}`);
    });
}
