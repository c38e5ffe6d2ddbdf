// Command-line options of `npm run bench`.
import { isScaleName, SCALES, type ScaleName } from './scales.ts';

export interface BenchArgs {
  scale: ScaleName;
  runs: number;
  seed: string;
  /** Keep the lake folders of the runs instead of deleting them. */
  keep: boolean;
  /** Write no result file (still prints the table). */
  noSave: boolean;
}

export class BenchUsageError extends Error {}

export const USAGE = 'usage: npm run bench -- --scale <small|medium|large> [--runs N] [--seed S] [--keep] [--no-save]';

export function parseBenchArgs(argv: readonly string[]): BenchArgs {
  const args: Partial<BenchArgs> = { seed: 'bench', keep: false, noSave: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new BenchUsageError(`option ${a} needs a value\n${USAGE}`);
      return v;
    };
    if (a === '--scale') {
      const s = value();
      if (!isScaleName(s)) throw new BenchUsageError(`unknown scale "${s}"\n${USAGE}`);
      args.scale = s;
    } else if (a === '--runs') {
      const n = Number(value());
      if (!Number.isInteger(n) || n < 1) throw new BenchUsageError(`--runs must be a positive integer\n${USAGE}`);
      args.runs = n;
    } else if (a === '--seed') args.seed = value();
    else if (a === '--keep') args.keep = true;
    else if (a === '--no-save') args.noSave = true;
    else throw new BenchUsageError(`unknown argument "${a}"\n${USAGE}`);
  }
  const scale = args.scale ?? 'small';
  // The large scale is measured once (conventions: "measured once per benchmark run, not as a median").
  const runs = scale === 'large' ? 1 : args.runs ?? SCALES[scale].defaultRuns;
  return { scale, runs, seed: args.seed!, keep: args.keep!, noSave: args.noSave! };
}
