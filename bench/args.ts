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
  /** A reference system run after our stages on the same inputs (`--compare spark`: bench/spark-compare.ts). */
  compare: CompareTarget | null;
}

/** The references `--compare` knows. The scikit-learn comparison is a separate command (`npm run bench:ml`). */
export const COMPARE_TARGETS = ['spark'] as const;
export type CompareTarget = (typeof COMPARE_TARGETS)[number];

export class BenchUsageError extends Error {}

export const USAGE = 'usage: npm run bench -- --scale <small|medium|large> [--runs N] [--seed S] [--keep] [--no-save] [--compare spark]';

export function parseBenchArgs(argv: readonly string[]): BenchArgs {
  const args: Partial<BenchArgs> = { seed: 'bench', keep: false, noSave: false, compare: null };
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
    else if (a === '--compare') {
      const c = value();
      if (!(COMPARE_TARGETS as readonly string[]).includes(c)) throw new BenchUsageError(`--compare: unknown reference "${c}" (known: ${COMPARE_TARGETS.join(', ')})\n${USAGE}`);
      args.compare = c as CompareTarget;
    }
    else throw new BenchUsageError(`unknown argument "${a}"\n${USAGE}`);
  }
  const scale = args.scale ?? 'small';
  // The large scale is measured once (conventions: "measured once per benchmark run, not as a median").
  const runs = scale === 'large' ? 1 : args.runs ?? SCALES[scale].defaultRuns;
  return { scale, runs, seed: args.seed!, keep: args.keep!, noSave: args.noSave!, compare: args.compare! };
}
