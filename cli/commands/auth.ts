import type { Command } from 'commander';
import { cliFor, printJson, printTable } from '../app.ts';
import { io } from '../output.ts';
import { checkListenerId } from '../../lib/listener-id.ts';

export function register(program: Command): void {
  const auth = program.command('auth').description('connect listeners to the Spotify Web API (tokens stay in <data-dir>/secrets/spotify, mode 0600)')
    .addHelpText('after', '\nExamples:\n  $ lakehouse auth login --listener p01\n  $ lakehouse auth status');

  auth
    .command('login')
    .description('connect one listener: prints a Spotify authorisation URL and waits for the callback on SPOTIFY_REDIRECT_URI')
    .requiredOption('--listener <id>', 'pseudonymous listener id')
    .option('--timeout <seconds>', 'how long to wait for the callback', '300')
    .option('--scope <scope...>', 'extra OAuth scopes beyond user-read-recently-played')
    .addHelpText('after', '\nExample:\n  $ lakehouse auth login --listener p01     # open the printed URL as participant p01')
    .action(async function (this: Command, o: { listener: string; timeout: string; scope?: string[] }) {
      const { config, log, opts } = cliFor(this);
      const [{ login }, { DEFAULT_SCOPES }] = await Promise.all([import('../../ingestion/spotify/login.ts'), import('../../ingestion/spotify/oauth.ts')]);
      const scopes = [...new Set([...DEFAULT_SCOPES, ...(o.scope ?? [])])];
      const status = await login(config, { listener: checkListenerId(o.listener), scopes, timeoutMs: Number(o.timeout) * 1000, log });
      if (opts.json) printJson(status);
      else io.out(`${status.listener_id}: connected (scopes: ${status.scopes.join(' ')}; access token expires ${status.expires_at}, refreshed automatically)\n`);
    });

  auth
    .command('status')
    .description('per listener: connected or not, scopes, token expiry (never the token)')
    .option('--listener <id>', 'only this listener')
    .addHelpText('after', '\nExamples:\n  $ lakehouse auth status\n  $ lakehouse auth status --listener p01 --json')
    .action(async function (this: Command, o: { listener?: string }) {
      const { config, opts } = cliFor(this);
      const { TokenStore } = await import('../../ingestion/spotify/tokens.ts');
      const store = TokenStore.fromConfig(config);
      const ids = o.listener ? [checkListenerId(o.listener)] : store.listeners();
      const rows = ids.map((id) => store.status(id));
      if (opts.json) printJson(rows);
      else printTable(rows.map((r) => ({ ...r, scopes: r.scopes.join(' ') })), ['listener_id', 'connected', 'scopes', 'expires_at', 'expired']);
    });

  auth
    .command('logout')
    .description("delete a listener's stored Spotify tokens")
    .requiredOption('--listener <id>', 'pseudonymous listener id')
    .addHelpText('after', '\nExample:\n  $ lakehouse auth logout --listener p01')
    .action(async function (this: Command, o: { listener: string }) {
      const { config } = cliFor(this);
      const { TokenStore } = await import('../../ingestion/spotify/tokens.ts');
      const removed = TokenStore.fromConfig(config).remove(checkListenerId(o.listener));
      io.out(`${o.listener}: ${removed ? 'tokens deleted' : 'was not connected'}\n`);
    });
}
