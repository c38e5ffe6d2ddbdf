// Per-tree training progress as progress events (lib/progress.ts): the CLI's terminal view shows them
// in its spinner line on a TTY; nothing is printed when nobody listens (piped, CI, tests, workers).
import { emitProgress } from '../progress.ts';

export interface TreeProgress {
  tick(): void;
  stop(): void;
}

const quiet: TreeProgress = { tick: () => {}, stop: () => {} };

export function treeProgress(label: string, total: number, enabled = true): TreeProgress {
  if (!enabled || total <= 0) return quiet;
  let done = 0;
  emitProgress({ kind: 'step', what: `${label}: trees`, done, total });
  return { tick: () => emitProgress({ kind: 'step', what: `${label}: trees`, done: ++done, total }), stop: () => {} };
}
