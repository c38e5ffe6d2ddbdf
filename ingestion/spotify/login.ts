// `lakehouse auth login`: PKCE authorization with a one-shot callback server on the configured
// loopback redirect URI. The authorize URL is printed (stderr), never opened automatically; a random
// state is checked and the wait has a clear timeout. A redirect URI with port 0 binds a free port
// (Spotify accepts any port for a loopback URI registered without one; the tests use it too).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from '../../lib/config.ts';
import { ConfigError } from '../../lib/errors.ts';
import type { Logger } from '../../lib/logger.ts';
import { SpotifyAuthError } from './errors.ts';
import { DEFAULT_SCOPES, authorizeUrl, createPkce, exchangeCode, randomState, requireClientId } from './oauth.ts';
import { TokenStore, type TokenStatus } from './tokens.ts';
import { checkListenerId } from '../../lib/listener-id.ts';

export interface LoginOptions {
  listener: string;
  scopes?: string[];
  timeoutMs?: number;
  /** Receives the authorize URL; default: print it to stderr for the participant to open. */
  onUrl?: (url: string) => void | Promise<void>;
  log?: Logger;
}

// Spotify refuses `localhost` as a redirect URI; only loopback IP literals may use plain http.
const LOOPBACK = new Set(['127.0.0.1', '[::1]']);

function callbackTarget(config: Config): URL {
  const uri = new URL(config.spotify.redirectUri);
  if (uri.protocol !== 'http:' || !LOOPBACK.has(uri.hostname)) {
    throw new ConfigError(`SPOTIFY_REDIRECT_URI: ${config.spotify.redirectUri} must be http://127.0.0.1:<port>/<path> or http://[::1]:<port>/<path> (Spotify refuses localhost) so this CLI can receive the callback`);
  }
  return uri;
}

function listen(server: Server, uri: URL): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', (err) => reject(new SpotifyAuthError(`Spotify login: cannot listen on ${uri.host} for the callback (${(err as Error).message})`)));
    server.listen(Number(uri.port || 80), uri.hostname.replace(/^\[|\]$/g, ''), () => resolve((server.address() as AddressInfo).port));
  });
}

function awaitCode(server: Server, path: string, state: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new SpotifyAuthError(`Spotify login: no callback within ${Math.round(timeoutMs / 1000)} s; start \`lakehouse auth login\` again and open the printed URL`)), timeoutMs);
    server.on('request', (req, res) => {
      const url = new URL(req.url ?? '/', 'http://callback.local');
      if (url.pathname !== path) {
        res.writeHead(404).end('not found');
        return;
      }
      const finish = (status: number, text: string, err?: Error, code?: string) => {
        res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' }).end(text);
        clearTimeout(timer);
        if (err) reject(err);
        else resolve(code!);
      };
      if (url.searchParams.get('state') !== state) {
        finish(400, 'Login refused: state mismatch. Start the login again.', new SpotifyAuthError('Spotify login: refused a callback whose state does not match the one we sent (stale or forged request); start the login again'));
      } else if (url.searchParams.get('error')) {
        finish(400, 'Login was not authorised.', new SpotifyAuthError(`Spotify login: authorisation denied (${url.searchParams.get('error')})`));
      } else if (!url.searchParams.get('code')) {
        finish(400, 'Missing code.', new SpotifyAuthError('Spotify login: the callback carried no code'));
      } else {
        finish(200, 'Spotify is connected. You can close this window.', undefined, url.searchParams.get('code')!);
      }
    });
  });
}

export async function login(config: Config, opts: LoginOptions): Promise<TokenStatus> {
  const listener = checkListenerId(opts.listener);
  requireClientId(config);
  const target = callbackTarget(config);
  const scopes = opts.scopes ?? DEFAULT_SCOPES;
  const pkce = createPkce();
  const state = randomState();
  const server = createServer();
  try {
    const port = await listen(server, target);
    const redirect = new URL(target.href);
    redirect.port = String(port);
    const redirectUri = redirect.href;
    const code = awaitCode(server, target.pathname, state, opts.timeoutMs ?? 300_000);
    const url = authorizeUrl(config, { redirectUri, state, challenge: pkce.challenge, scopes });
    const onUrl = opts.onUrl ?? ((u: string) => void process.stderr.write(`Open this URL to connect listener ${listener} to Spotify:\n\n  ${u}\n\nWaiting for the callback on ${redirectUri} …\n`));
    await Promise.all([code, onUrl(url)]);
    const token = await exchangeCode(config, { code: await code, redirectUri, verifier: pkce.verifier });
    const store = TokenStore.fromConfig(config);
    store.write(listener, token);
    opts.log?.info({ listener, scopes: token.scope }, 'Spotify connected');
    return store.status(listener);
  } finally {
    server.closeAllConnections();
    server.close();
  }
}
