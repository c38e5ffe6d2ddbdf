// What each rule sees at the end of a run: the conditions that hold now, one per subject. Streaks
// ("N runs in a row") are read from the run history (ops.pipeline_runs, ops.data_quality_checks),
// which already holds the current run's row when this runs.
import type { DuckDBConnection } from '../lib/duckdb.ts';
import { queryRows } from '../lib/duckdb.ts';
import { relationExists } from '../lib/lake.ts';
import type { CheckResult } from './quality-checks.ts';
import type { Rule } from './alert-rules.ts';
import type { DriftRow } from './drift.ts';

/** What the run tells the alerts (a subset of pipeline/run.ts's RunSummary, so ops/ needs no pipeline import). */
export interface RunOutcome {
  run_id: string;
  /** cli, schedule or startup (ops.pipeline_runs.trigger). */
  trigger: string;
  status: 'succeeded' | 'failed' | 'aborted';
  failed_stage: string | null;
  error: string | null;
  finished_at: string;
  checks: CheckResult[];
  /** Per-listener results of the Spotify stage, when it ran. */
  spotify: { listener_id: string; status: string; error?: string }[];
}

export interface Condition {
  rule: Rule;
  subject: string;
  message: string;
  details: Record<string, unknown>;
}

type Prev = { run_id: string; summary: string | null };

async function previousRuns(conn: DuckDBConnection, current: string, limit: number): Promise<Prev[]> {
  if (!(await relationExists(conn, 'ops', 'pipeline_runs'))) return [];
  return queryRows<Prev>(conn, `select run_id, summary from ops.pipeline_runs where run_id <> $cur order by started_at desc, run_id desc limit ${Math.max(0, Math.floor(limit))}`, { cur: current });
}

const checkSubject = (c: Pick<CheckResult, 'check_name' | 'table_name' | 'column_name'>) => `${c.check_name} ${c.table_name}${c.column_name ? `.${c.column_name}` : ''}`;

async function qualityConditions(conn: DuckDBConnection, rule: Extract<Rule, { event: 'quality_check' }>, run: RunOutcome): Promise<Condition[]> {
  const failing = run.checks.filter((c) => c.status === 'fail' && c.level === rule.level && (!rule.checks || rule.checks.includes(c.check_name)));
  if (failing.length === 0) return [];
  const prev = rule.consecutive_runs > 1 ? await previousRuns(conn, run.run_id, rule.consecutive_runs - 1) : [];
  const failed = new Map<string, Set<string>>(prev.map((p) => [p.run_id, new Set()]));
  if (prev.length > 0 && (await relationExists(conn, 'ops', 'data_quality_checks'))) {
    const rows = await queryRows<{ run_id: string; check_name: string; table_name: string; column_name: string }>(conn,
      `select run_id, check_name, table_name, column_name from ops.data_quality_checks where status = 'fail' and level = $level and run_id in (${prev.map((_, i) => `$r${i}`).join(', ')})`,
      { level: rule.level, ...Object.fromEntries(prev.map((p, i) => [`r${i}`, p.run_id])) });
    for (const r of rows) failed.get(r.run_id)?.add(checkSubject(r));
  }
  return failing.flatMap((c) => {
    const subject = checkSubject(c);
    let streak = 1;
    for (const p of prev) {
      if (!failed.get(p.run_id)!.has(subject)) break;
      streak++;
    }
    if (streak < rule.consecutive_runs) return [];
    return [{ rule, subject, message: `quality check ${subject} (${c.level}) failed${streak > 1 ? ` in ${streak} runs in a row` : ''}: observed ${c.observed_value}, threshold ${c.threshold}; ${c.detail}`,
      details: { run_id: run.run_id, check: c, consecutive_runs: streak } }];
  });
}

function spotifyOf(summary: string | null): RunOutcome['spotify'] | null {
  try {
    const s = JSON.parse(summary ?? 'null')?.['ingest spotify'];
    return Array.isArray(s?.listeners) ? s.listeners : null;
  } catch {
    return null;
  }
}

async function ingestionConditions(conn: DuckDBConnection, rule: Extract<Rule, { event: 'ingestion_failing' }>, run: RunOutcome): Promise<Condition[]> {
  const failing = run.spotify.filter((l) => l.status === 'failed');
  if (failing.length === 0) return [];
  const prev = rule.consecutive_runs > 1 ? await previousRuns(conn, run.run_id, 50) : [];
  const histories = prev.map((p) => spotifyOf(p.summary));
  return failing.flatMap((l) => {
    let streak = 1;
    for (const h of histories) {
      const seen = h?.find((x) => x.listener_id === l.listener_id);
      if (!seen) continue; // a run that did not reach this listener neither breaks nor extends the streak
      if (seen.status !== 'failed') break;
      streak++;
      if (streak >= rule.consecutive_runs) break;
    }
    if (streak < rule.consecutive_runs) return [];
    return [{ rule, subject: `listener:${l.listener_id}`, message: `Spotify ingestion of listener ${l.listener_id} failed${streak > 1 ? ` in ${streak} runs in a row` : ''}: ${l.error ?? 'unknown error'}`,
      details: { run_id: run.run_id, listener_id: l.listener_id, consecutive_runs: streak, error: l.error ?? null } }];
  });
}

async function silenceConditions(conn: DuckDBConnection, rule: Extract<Rule, { event: 'no_new_plays' }>, run: RunOutcome): Promise<Condition[]> {
  if (!(await relationExists(conn, 'bronze', 'listeners')) || !(await relationExists(conn, 'bronze', 'listening_history'))) return [];
  const cutoff = new Date(Date.parse(run.finished_at) - rule.days * 86_400_000).toISOString().replace('T', ' ').replace('Z', '');
  const rows = await queryRows<{ listener_id: string; last_played_at: string | null }>(conn, `
    with last as (select listener_id, max(played_at) as last_played_at from bronze.listening_history group by 1)
    select l.listener_id, strftime(last.last_played_at, '%Y-%m-%dT%H:%M:%SZ') as last_played_at
    from bronze.listeners l left join last using (listener_id)
    where l.status = 'active' and coalesce(last.last_played_at, l.created_at) < $cutoff::timestamp
    order by 1`, { cutoff });
  return rows.map((r) => ({ rule, subject: `listener:${r.listener_id}`,
    message: `no new plays for listener ${r.listener_id} in ${rule.days} day(s)${r.last_played_at ? `: the newest play ended at ${r.last_played_at}` : ': no play at all yet'}`,
    details: { run_id: run.run_id, listener_id: r.listener_id, last_played_at: r.last_played_at, days: rule.days } }));
}

function driftConditions(rule: Extract<Rule, { event: 'drift' }>, drift: DriftRow[], run: RunOutcome): Condition[] {
  const bySubject = new Map<string, DriftRow[]>();
  for (const d of drift.filter((x) => x.status === 'fail' && rule.scopes.includes(x.scope))) {
    const subject = d.scope === 'cohort' ? 'cohort' : `listener:${d.listener_id}`;
    bySubject.set(subject, [...(bySubject.get(subject) ?? []), d]);
  }
  return [...bySubject].map(([subject, rows]) => ({
    rule, subject,
    message: `drift for ${subject === 'cohort' ? 'the cohort' : subject.replace(':', ' ')}: ${rows.map((d) => `${d.check_name} ${d.item} ${d.drift_value?.toFixed(3)} > ${d.threshold} (${d.table_name} v${d.previous_version} → v${d.current_version})`).join('; ')}`,
    details: { run_id: run.run_id, checks: rows },
  }));
}

/** The conditions every rule sees now, in rule order. */
export async function conditionsOf(conn: DuckDBConnection, rules: Rule[], run: RunOutcome, drift: DriftRow[]): Promise<Condition[]> {
  const out: Condition[] = [];
  for (const rule of rules) {
    if (rule.event === 'run_failed' && run.status !== 'succeeded' && rule.statuses.includes(run.status)) {
      out.push({ rule, subject: 'pipeline', message: `${run.trigger === 'cli' ? '' : `${run.trigger} `}run ${run.run_id} ${run.status}${run.failed_stage ? ` in stage ${run.failed_stage}` : ''}: ${run.error ?? 'no error recorded'}`,
        details: { run_id: run.run_id, trigger: run.trigger, status: run.status, failed_stage: run.failed_stage, error: run.error } });
    }
    if (rule.event === 'quality_check') out.push(...(await qualityConditions(conn, rule, run)));
    if (rule.event === 'ingestion_failing') out.push(...(await ingestionConditions(conn, rule, run)));
    if (rule.event === 'no_new_plays') out.push(...(await silenceConditions(conn, rule, run)));
    if (rule.event === 'drift') out.push(...driftConditions(rule, drift, run));
  }
  return out;
}
