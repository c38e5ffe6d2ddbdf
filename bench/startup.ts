// Start-up cost of the CLI: the process CPU time (user + system, from the CLI's own getrusage line)
// of `lakehouse --version` and of a small `query`, median of a few calls. The figure the start-up
// target (issue 24: under 0.3 s for both) is about; `compiled` says whether dist/
// (scripts/build-dist.mjs) ran or the TypeScript sources through tsx. Measured after the first run
// of `npm run bench`, or alone by `npm run bench:startup` (bench/startup-run.ts).
import { failureNote, runCli } from './cli.ts';
import { median } from './report.ts';

export interface StartupFigure {
  command: string;
  runs: number;
  /** Process CPU (user + system) of every call, in call order. */
  cpu_ms: number[];
  cpu_ms_median: number | null;
  wall_ms_median: number | null;
  max_rss_kb_median: number | null;
  compiled: boolean | null;
}

export const STARTUP_QUERY = 'select count(*) as n from silver.listening_with_features';

/** Measures `--version` (no data dir) and `query <sql>` on `lake`; a failing call throws naming it. */
export async function measureStartup(lake: string, runs = 5, sql = STARTUP_QUERY): Promise<StartupFigure[]> {
  const commands: { label: string; dataDir: string; args: string[] }[] = [
    { label: 'lakehouse --version', dataDir: '', args: ['--version'] },
    { label: `lakehouse query "${sql}"`, dataDir: lake, args: ['query', '--json', sql] },
  ];
  const out: StartupFigure[] = [];
  for (const c of commands) {
    const seen: { cpu: number; wall: number; rss: number; compiled: boolean | undefined }[] = [];
    for (let i = 0; i < runs; i++) {
      const r = await runCli(c.dataDir, c.args);
      if (r.status !== 0 || !r.rusage) throw new Error(`${c.label}: ${failureNote(r)}`);
      seen.push({ cpu: r.rusage.user_ms + r.rusage.sys_ms, wall: r.wallMs, rss: r.rusage.max_rss_kb, compiled: r.rusage.compiled });
    }
    out.push({
      command: c.label, runs,
      cpu_ms: seen.map((s) => s.cpu),
      cpu_ms_median: median(seen.map((s) => s.cpu)),
      wall_ms_median: median(seen.map((s) => Math.round(s.wall))),
      max_rss_kb_median: median(seen.map((s) => s.rss)),
      compiled: seen.every((s) => s.compiled === true) ? true : seen.every((s) => s.compiled === false) ? false : null,
    });
  }
  return out;
}

export function formatStartup(figs: readonly StartupFigure[]): string {
  return figs.map((f) => `start-up: ${f.command}: ${f.cpu_ms_median} ms CPU, ${f.wall_ms_median} ms wall (median of ${f.runs}, CPU ${Math.min(...f.cpu_ms)}–${Math.max(...f.cpu_ms)} ms; ${f.compiled ? 'compiled dist/' : 'TypeScript through tsx'})`).join('\n');
}
