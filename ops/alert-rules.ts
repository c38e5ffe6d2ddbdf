// The alert rules: one YAML file (LAKEHOUSE_ALERTS_FILE, default <data dir>/alerts.yaml), validated
// once with zod. Errors name the file and the field ("alerts.yaml: rules[1].cooldown: …"). Secrets
// never live in the file: channels name ALERT_* environment variables instead.
import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import YAML from 'yaml';
import { z } from 'zod';
import { parseDuration } from '../lib/config.ts';
import { ConfigError } from '../lib/errors.ts';

const duration = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const ms = parseDuration(v);
  if (ms === null) {
    ctx.addIssue({ code: 'custom', message: `expected a duration such as 30s, 15m, 6h or 1d, got "${v}"` });
    return z.NEVER;
  }
  return ms;
});

const secretName = z.string().regex(/^ALERT_[A-Z0-9_]+$/, 'expected the name of an environment variable starting with ALERT_ (the value itself never goes into this file)');

const webhook = z.object({
  type: z.literal('webhook'),
  url_env: secretName,
  format: z.enum(['generic', 'slack', 'teams', 'teams_messagecard']).default('generic'),
  timeout: duration.default(10_000),
}).strict();

const command = z.object({
  type: z.literal('command'),
  /** An executable, run without a shell; the alert JSON arrives on stdin. */
  command: z.string().min(1),
  args: z.array(z.string()).default([]),
  timeout: duration.default(30_000),
}).strict();

const channel = z.discriminatedUnion('type', [webhook, command]);

const base = {
  name: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'expected lowercase letters, digits, _ and -'),
  severity: z.enum(['info', 'warning', 'critical']),
  cooldown: duration.optional(),
  channels: z.array(z.string()).min(1).optional(),
};

const consecutive = z.number().int().min(1).default(1);

const rule = z.discriminatedUnion('event', [
  z.object({ ...base, event: z.literal('run_failed'), statuses: z.array(z.enum(['failed', 'aborted'])).min(1).default(['failed', 'aborted']) }).strict(),
  z.object({ ...base, event: z.literal('quality_check'), level: z.enum(['error', 'warn']), consecutive_runs: consecutive, checks: z.array(z.string()).optional() }).strict(),
  z.object({ ...base, event: z.literal('ingestion_failing'), consecutive_runs: consecutive }).strict(),
  z.object({ ...base, event: z.literal('no_new_plays'), days: z.number().positive() }).strict(),
  z.object({ ...base, event: z.literal('drift'), scopes: z.array(z.enum(['cohort', 'listener'])).min(1).default(['cohort', 'listener']) }).strict(),
]);

const drift = z.object({
  /** false: no drift checks (they read two silver versions: ~14 s for 2 × 5M events on 2 busy cores). */
  enabled: z.boolean().default(true),
  /** PSI above this is drift (0.1 = moderate, 0.25 = large shift, the usual reading). */
  psi: z.number().positive().default(0.25),
  /** Absolute change of the synthetic share (0-1) between the two versions. */
  synthetic_share: z.number().positive().default(0.1),
  /** Absolute change of a catalog model's hold-out metric between the two gold versions. */
  model_metric: z.number().positive().default(0.05),
  /** Fewer events than this in either version: the PSI is not judged (too noisy). */
  min_events: z.number().int().min(1).default(100),
}).strict();

const schema = z.object({
  defaults: z.object({ cooldown: duration.default(6 * 3_600_000), channels: z.array(z.string()).default([]) }).strict().default({ cooldown: 6 * 3_600_000, channels: [] }),
  retry: z.object({ retries: z.number().int().min(0).max(10).default(3), base_delay: duration.default(1000), max_delay: duration.default(30_000) }).strict().default({ retries: 3, base_delay: 1000, max_delay: 30_000 }),
  drift: drift.default({ enabled: true, psi: 0.25, synthetic_share: 0.1, model_metric: 0.05, min_events: 100 }),
  channels: z.record(z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'channel names: lowercase letters, digits, _ and -'), channel).default({}),
  rules: z.array(rule).default([]),
}).strict().superRefine((doc, ctx) => {
  const seen = new Set<string>();
  doc.rules.forEach((r, i) => {
    if (seen.has(r.name)) ctx.addIssue({ code: 'custom', path: ['rules', i, 'name'], message: `rule name "${r.name}" is used twice` });
    seen.add(r.name);
    const names = r.channels ?? doc.defaults.channels;
    if (names.length === 0) ctx.addIssue({ code: 'custom', path: ['rules', i, 'channels'], message: 'no channels: give channels here or under defaults.channels' });
    names.forEach((c, j) => {
      if (!(c in doc.channels)) ctx.addIssue({ code: 'custom', path: r.channels ? ['rules', i, 'channels', j] : ['defaults', 'channels', j], message: `unknown channel "${c}" (declared: ${Object.keys(doc.channels).join(', ') || 'none'})` });
    });
  });
});

export type ChannelSpec = z.infer<typeof channel> & { name: string };
export type RuleDoc = z.infer<typeof rule>;
export type Rule = RuleDoc & { cooldownMs: number; channelNames: string[] };
export type DriftThresholds = z.infer<typeof drift>;

export interface AlertRules {
  file: string;
  rules: Rule[];
  channels: Record<string, ChannelSpec>;
  retry: { maxRetries: number; baseDelayMs: number; maxDelayMs: number };
  drift: DriftThresholds;
}

function pathOf(path: PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i > 0 ? '.' : ''}${String(p)}`)).join('') || '(top level)';
}

/** Parses and validates a rules document; `file` names it in errors. */
export function parseAlertRules(text: string, file: string): AlertRules {
  const name = basename(file);
  let raw: unknown;
  try {
    raw = YAML.parse(text) ?? {};
  } catch (err) {
    const pos = err instanceof YAML.YAMLError && err.linePos ? ` (line ${err.linePos[0].line}, column ${err.linePos[0].col})` : '';
    throw new ConfigError(`${name}: not valid YAML${pos}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(`${name}: ${parsed.error.issues.map((i) => `${pathOf(i.path)}: ${i.message}`).join('; ')} (file ${file})`);
  }
  const doc = parsed.data;
  return {
    file,
    rules: doc.rules.map((r) => ({ ...r, cooldownMs: r.cooldown ?? doc.defaults.cooldown, channelNames: r.channels ?? doc.defaults.channels })),
    channels: Object.fromEntries(Object.entries(doc.channels).map(([n, c]) => [n, { ...c, name: n }])),
    retry: { maxRetries: doc.retry.retries, baseDelayMs: doc.retry.base_delay, maxDelayMs: doc.retry.max_delay },
    drift: doc.drift,
  };
}

/** The rules file, or null when it does not exist (no alerts). Throws ConfigError when it is invalid. */
export function loadAlertRules(file: string): AlertRules | null {
  if (!existsSync(file)) return null;
  return parseAlertRules(readFileSync(file, 'utf8'), file);
}
