// Rebuilds the Spotify bronze rows from the landed raw responses, without calling the API
// (`lakehouse ingest spotify --from-raw`). Loading is idempotent: plays and features already stored
// are skipped by the same dedup as a normal run. The cursor moves forward to the newest landed play.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { LakeSession } from '../../lib/session.ts';
import { checkListenerId } from '../../lib/listener-id.ts';
import { stageAll } from './ingest.ts';
import { items, playedAtMs } from './parse.ts';
import { rawRoot, type LandedFile } from './source.ts';
import { readState, writeState } from './state.ts';

export interface RebuildSummary {
  listener_id: string;
  files: number;
  plays_added: number;
  duplicates_skipped: number;
  features_added: number;
  cursor_after: string | null;
}

const LANDED = /^(recently-played|audio-features)-\d{4}\.json$/;

export function landedFiles(dataDir: string, listener: string): LandedFile[] {
  const root = rawRoot(dataDir);
  const dir = join(root, listener);
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((r) => statSync(join(dir, r)).isDirectory()).sort().flatMap((run) =>
    readdirSync(join(dir, run)).filter((f) => LANDED.test(f)).sort().map((f) => {
      const file = join(dir, run, f);
      const body = readFileSync(file, 'utf8');
      return {
        kind: f.startsWith('recently-played') ? 'recently-played' as const : 'audio-features' as const,
        body, listenerId: listener, sourceFile: relative(root, file), sha256: createHash('sha256').update(body).digest('hex'),
      };
    }));
}

export async function rebuildSpotifyFromRaw(session: LakeSession, listener?: string): Promise<RebuildSummary[]> {
  const root = rawRoot(session.config.dataDir);
  const ids = listener ? [checkListenerId(listener)] : existsSync(root) ? readdirSync(root).sort() : [];
  const out: RebuildSummary[] = [];
  for (const id of ids) {
    const files = landedFiles(session.config.dataDir, id);
    const s = { plays_added: 0, duplicates_skipped: 0, features_added: 0 };
    const tx = session.begin();
    try {
      await stageAll(session.context(tx), id, files, s);
      await tx.commit();
    } catch (err) {
      await tx.abort();
      throw err;
    }
    const newest = Math.max(0, ...files.filter((f) => f.kind === 'recently-played').flatMap((f) => items(JSON.parse(f.body)).map(playedAtMs)).filter((ms): ms is number => ms !== null));
    const state = readState(session.config.dataDir, id);
    if (newest > (state.after_ms ?? 0)) writeState(session.config.dataDir, { ...state, after_ms: newest, after: new Date(newest).toISOString(), last_run_id: session.runId });
    out.push({ listener_id: id, files: files.length, ...s, cursor_after: readState(session.config.dataDir, id).after });
  }
  return out;
}
