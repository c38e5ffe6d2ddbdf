// The per-listener `after` cursor: <dataDir>/state/spotify/<listener>.json, replaced atomically and
// only after the bronze transaction that holds the plays up to it has committed. A crash between the
// commit and this write only makes the next run fetch those plays again; dedup drops them.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ListenerState {
  listener_id: string;
  /** played_at (epoch ms) of the newest committed play: the next run asks for plays after it. */
  after_ms: number | null;
  after: string | null;
  last_run_id: string | null;
  last_success_at: string | null;
}

export function statePath(dataDir: string, listener: string): string {
  return join(dataDir, 'state', 'spotify', `${listener}.json`);
}

export function readState(dataDir: string, listener: string): ListenerState {
  const file = statePath(dataDir, listener);
  if (!existsSync(file)) return { listener_id: listener, after_ms: null, after: null, last_run_id: null, last_success_at: null };
  return JSON.parse(readFileSync(file, 'utf8')) as ListenerState;
}

export function writeState(dataDir: string, state: ListenerState): void {
  const file = statePath(dataDir, state.listener_id);
  mkdirSync(join(dataDir, 'state', 'spotify'), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify(state, null, 2));
  renameSync(tmp, file);
}
