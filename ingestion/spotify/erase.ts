// Everything the Spotify ingestion keeps about one listener outside the lake tables: landed raw
// responses, the cursor file and the OAuth tokens. For erasure (`lakehouse listeners delete`).
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../../lib/config.ts';
import { TokenStore } from './tokens.ts';
import { checkErasableListenerId } from '../../lib/listener-id.ts';
import { rawRoot } from './source.ts';
import { statePath } from './state.ts';

export function spotifyListenerPaths(config: Config, listener: string): string[] {
  // Also an id registered before the id rule: its files must go with the erasure too.
  checkErasableListenerId(listener);
  return [join(rawRoot(config.dataDir), listener), statePath(config.dataDir, listener), TokenStore.fromConfig(config).fileFor(listener, { erasable: true })];
}

/** Deletes the listener's raw responses, cursor and tokens; returns the paths that existed. */
export function forgetSpotifyListener(config: Config, listener: string): string[] {
  const removed = spotifyListenerPaths(config, listener).filter((p) => existsSync(p));
  for (const p of removed) rmSync(p, { recursive: true, force: true });
  return removed;
}
