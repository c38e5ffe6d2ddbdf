// Everything the Spotify ingestion keeps about one listener outside the lake tables: landed raw
// responses, the cursor file and the OAuth tokens. For erasure (`lakehouse listeners delete`).
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../../lib/config.ts';
import { TokenStore, assertListenerId } from '../../lib/spotify/tokens.ts';
import { rawRoot } from './source.ts';
import { statePath } from './state.ts';

export function spotifyListenerPaths(config: Config, listener: string): string[] {
  assertListenerId(listener);
  return [join(rawRoot(config.dataDir), listener), statePath(config.dataDir, listener), TokenStore.fromConfig(config).fileFor(listener)];
}

/** Deletes the listener's raw responses, cursor and tokens; returns the paths that existed. */
export function forgetSpotifyListener(config: Config, listener: string): string[] {
  const removed = spotifyListenerPaths(config, listener).filter((p) => existsSync(p));
  for (const p of removed) rmSync(p, { recursive: true, force: true });
  return removed;
}
