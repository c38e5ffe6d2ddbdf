// Per-tree training progress on stderr when it is a TTY (quiet when piped, in CI and in tests).
import cliProgress from 'cli-progress';

export interface TreeProgress {
  tick(): void;
  stop(): void;
}

const quiet: TreeProgress = { tick: () => {}, stop: () => {} };

export function treeProgress(label: string, total: number, enabled = process.stderr.isTTY === true): TreeProgress {
  if (!enabled || total <= 0) return quiet;
  const bar = new cliProgress.SingleBar({
    stream: process.stderr,
    format: `${label} [{bar}] {value}/{total} trees | {duration_formatted}`,
    hideCursor: true,
    clearOnComplete: false,
    synchronousUpdate: true,
    fps: 5,
  }, cliProgress.Presets.shades_classic);
  bar.start(total, 0);
  return { tick: () => bar.increment(), stop: () => bar.stop() };
}
