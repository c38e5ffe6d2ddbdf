// Delivering an alert: webhooks (a JSON POST in the generic, Slack or Teams shape) and commands (an
// executable run without a shell, the alert JSON on stdin). Each channel is retried with backoff
// (lib/retry.ts); a channel that still fails is reported, never thrown. Webhook URLs come from
// ALERT_* environment variables and never reach a log line, an error or ops.alerts: every message
// is scrubbed of every secret value before it leaves this module.
import { spawn } from 'node:child_process';
import type { Logger } from '../lib/logger.ts';
import { retryWithBackoff } from '../lib/retry.ts';
import type { AlertRules, ChannelSpec } from './alert-rules.ts';

export interface AlertMessage {
  source: 'lakehouse';
  alert_id: string;
  rule: string;
  event: string;
  severity: 'info' | 'warning' | 'critical';
  subject: string;
  message: string;
  details: Record<string, unknown>;
  first_seen_at: string;
  run_id: string | null;
  is_test: boolean;
}

export interface Delivery {
  sent_to: string[];
  status: 'sent' | 'partial' | 'failed';
  attempts: number;
  /** "<channel>: <reason>" per channel that failed, scrubbed of secrets. */
  errors: string[];
}

const COLOURS = { info: '2E86DE', warning: 'F39C12', critical: 'C0392B' } as const;

function title(a: AlertMessage): string {
  return `${a.is_test ? '[TEST] ' : ''}[${a.severity.toUpperCase()}] ${a.rule}: ${a.subject}`;
}

function facts(a: AlertMessage): { name: string; value: string }[] {
  return [
    { name: 'rule', value: a.rule }, { name: 'event', value: a.event }, { name: 'severity', value: a.severity },
    { name: 'subject', value: a.subject }, { name: 'first seen', value: a.first_seen_at }, { name: 'run', value: a.run_id ?? '-' },
  ];
}

/** The request body of a webhook in the channel's format. */
export function webhookBody(format: string, a: AlertMessage): unknown {
  if (format === 'slack') {
    return {
      text: `${title(a)}: ${a.message}`,
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: title(a).slice(0, 150) } },
        { type: 'section', text: { type: 'mrkdwn', text: a.message.slice(0, 3000) } },
        { type: 'context', elements: [{ type: 'mrkdwn', text: facts(a).map((f) => `*${f.name}:* ${f.value}`).join('  ·  ').slice(0, 3000) }] },
      ],
    };
  }
  if (format === 'teams') {
    return {
      type: 'message',
      attachments: [{
        contentType: 'application/vnd.microsoft.card.adaptive',
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json', type: 'AdaptiveCard', version: '1.4',
          body: [
            { type: 'TextBlock', text: title(a), weight: 'Bolder', size: 'Medium', wrap: true, color: a.severity === 'critical' ? 'Attention' : a.severity === 'warning' ? 'Warning' : 'Default' },
            { type: 'TextBlock', text: a.message, wrap: true },
            { type: 'FactSet', facts: facts(a).map((f) => ({ title: f.name, value: f.value })) },
          ],
        },
      }],
    };
  }
  if (format === 'teams_messagecard') {
    return {
      '@type': 'MessageCard', '@context': 'https://schema.org/extensions', summary: title(a), themeColor: COLOURS[a.severity],
      title: title(a), text: a.message, sections: [{ facts: facts(a) }],
    };
  }
  return a;
}

/** Replaces every secret value in a text (error messages from fetch or a command may echo them). */
export function scrub(text: string, secrets: string[]): string {
  return secrets.filter((s) => s.length >= 4).reduce((t, s) => t.split(s).join('[redacted]'), text);
}

async function postWebhook(url: string, body: unknown, timeoutMs: number): Promise<void> {
  let res: Response;
  try {
    res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code;
    throw new Error((err as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : `network error${cause ? ` (${cause})` : ''}`);
  }
  const text = await res.text().catch(() => '');
  if (!res.ok) throw new Error(`HTTP ${res.status}${text ? `: ${text.slice(0, 200)}` : ''}`);
}

function runCommand(command: string, args: string[], input: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { shell: false, stdio: ['pipe', 'ignore', 'pipe'], timeout: timeoutMs, killSignal: 'SIGKILL' });
    let stderr = '';
    child.stderr.on('data', (d) => { stderr = (stderr + String(d)).slice(-500); });
    child.on('error', (err) => reject(new Error(`could not run ${command}: ${(err as NodeJS.ErrnoException).code ?? err.message}`)));
    child.on('close', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`${command} ${signal ? `was killed (${signal}${signal === 'SIGKILL' ? `, time limit ${timeoutMs} ms` : ''})` : `exited with code ${code}`}${stderr.trim() ? `: ${stderr.trim().slice(-200)}` : ''}`));
    });
    child.stdin.on('error', () => undefined); // a command that does not read stdin still decides by its exit code
    child.stdin.end(input);
  });
}

function sendOnce(channel: ChannelSpec, a: AlertMessage, secrets: Record<string, string>): () => Promise<void> {
  if (channel.type === 'command') return () => runCommand(channel.command, channel.args, `${JSON.stringify(a)}\n`, channel.timeout);
  const url = secrets[channel.url_env];
  return () => {
    if (!url) throw new Error(`environment variable ${channel.url_env} is not set`);
    if (!/^https?:\/\//i.test(url) || !URL.canParse(url)) throw new Error(`environment variable ${channel.url_env} does not hold an http(s) URL`);
    return postWebhook(url, webhookBody(channel.format, a), channel.timeout);
  };
}

/** Sends one alert to the named channels, each retried with backoff; never throws. */
export async function deliver(a: AlertMessage, channelNames: string[], rules: AlertRules, secrets: Record<string, string>, log: Logger): Promise<Delivery> {
  const secretValues = Object.values(secrets);
  const out: Delivery = { sent_to: [], status: 'sent', attempts: 0, errors: [] };
  for (const name of channelNames) {
    const channel = rules.channels[name];
    const url = channel.type === 'webhook' ? secrets[channel.url_env] : undefined;
    const missing = channel.type === 'webhook' && (!url || !URL.canParse(url)); // retrying cannot help
    const policy = missing ? { ...rules.retry, maxRetries: 0 } : rules.retry;
    const result = await retryWithBackoff(sendOnce(channel, a, secrets), policy, (r) =>
      log.warn({ channel: name, rule: a.rule, attempt: r.attempt, wait_ms: r.wait_ms, error: scrub(r.error, secretValues) }, 'alert delivery failed; retrying'));
    out.attempts += result.attempts;
    if (result.ok) out.sent_to.push(name);
    else {
      const error = scrub(result.error ?? 'unknown error', secretValues);
      out.errors.push(`${name}: ${error}`);
      log.error({ channel: name, rule: a.rule, subject: a.subject, attempts: result.attempts, error }, 'alert not delivered');
    }
  }
  out.status = out.errors.length === 0 ? 'sent' : out.sent_to.length > 0 ? 'partial' : 'failed';
  return out;
}
