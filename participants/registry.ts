// Registering, changing, pausing and resuming listeners (bronze.listeners). Each change rewrites the
// small registry table in the caller's transaction, so it is published atomically like any table.
import { randomBytes } from 'node:crypto';
import type { BuildContext } from '../lib/build-context.ts';
import { UsageError } from '../lib/errors.ts';
import { checkTimeZone, readListeners, writeListeners, type ListenerRow } from '../bronze/listener-registry.ts';
import { checkErasableListenerId, checkListenerId } from '../lib/listener-id.ts';
import { DEFAULT_STUDY, checkStudyId } from '../lib/study-id.ts';

export type ListenerStatus = ListenerRow['status'];
export const STATUSES: readonly ListenerStatus[] = ['active', 'paused', 'withdrawn'];

/** Opaque id: no name, no date, nothing derived from the person. 40 random bits in base 32. */
export function generateListenerId(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyz23456789';
  const bytes = randomBytes(10);
  return `l-${[...bytes].map((b) => alphabet[b % alphabet.length]).join('')}`;
}

/** Parses a user-given instant ("now", ISO-8601 with or without zone; no zone = UTC) to a UTC TIMESTAMP literal. */
export function parseInstant(flag: string, value: string, now = new Date()): string {
  const trimmed = value.trim();
  const hasZone = /(Z|[+-]\d{2}:?\d{2})$/i.test(trimmed);
  const date = trimmed.toLowerCase() === 'now' ? now : new Date(hasZone || !/\d{2}:\d{2}/.test(trimmed) ? trimmed : `${trimmed}Z`);
  if (Number.isNaN(date.getTime())) throw new UsageError(`${flag}: "${value}" is not a date or time (e.g. 2026-03-01T09:30:00Z or now)`);
  return date.toISOString().replace('T', ' ').replace('Z', '');
}

export function checkStatus(value: string): ListenerStatus {
  if (!(STATUSES as readonly string[]).includes(value)) throw new UsageError(`--status: "${value}" is not one of ${STATUSES.join(', ')}`);
  return value as ListenerStatus;
}

export function checkLabel(label: string): string | null {
  const t = label.trim();
  if (t.length > 200) throw new UsageError('--label: at most 200 characters');
  return t === '' ? null : t;
}

export interface NewListener {
  id?: string;
  label?: string | null;
  timezone?: string;
  /** UTC TIMESTAMP literal (see parseInstant). */
  consentRecordedAt?: string | null;
  status?: ListenerStatus;
  study?: string;
}

/** Registers a listener; the id is generated when none is given. Refuses an id already registered. */
export async function addListener(ctx: BuildContext, wanted: NewListener): Promise<ListenerRow> {
  const id = wanted.id === undefined ? generateListenerId() : checkListenerId(wanted.id, 'listeners add');
  const rows = await readListeners(ctx.conn);
  if (rows.some((r) => r.listener_id === id)) throw new UsageError(`listeners add: ${id} is already registered (change it with \`lakehouse listeners set ${id}\`)`);
  const row: ListenerRow = {
    listener_id: id,
    display_label: wanted.label ?? null,
    timezone: checkTimeZone(wanted.timezone ?? ctx.config.timezone),
    created_at: parseInstant('created_at', 'now'),
    consent_recorded_at: wanted.consentRecordedAt ?? null,
    status: wanted.status ?? 'active',
    timezone_source: wanted.timezone ? 'given' : 'default',
    study_id: wanted.study === undefined ? DEFAULT_STUDY : checkStudyId(wanted.study),
  };
  await writeListeners(ctx, sortRows([...rows, row]));
  return row;
}

export interface ListenerPatch {
  timezone?: string;
  /** null clears the label. */
  label?: string | null;
  consentRecordedAt?: string | null;
  status?: ListenerStatus;
  study?: string;
}

/** Changes a registered listener; returns the row before and after. */
export async function updateListener(ctx: BuildContext, id: string, patch: ListenerPatch): Promise<{ before: ListenerRow; after: ListenerRow }> {
  const rows = await readListeners(ctx.conn);
  const before = rows.find((r) => r.listener_id === checkErasableListenerId(id));
  if (!before) throw new UsageError(`listeners: ${id} is not registered (see \`lakehouse listeners list\`)`);
  const after: ListenerRow = { ...before };
  if (patch.timezone !== undefined) {
    after.timezone = checkTimeZone(patch.timezone);
    after.timezone_source = 'given';
  }
  if (patch.label !== undefined) after.display_label = patch.label;
  if (patch.consentRecordedAt !== undefined) after.consent_recorded_at = patch.consentRecordedAt;
  if (patch.status !== undefined) after.status = patch.status;
  if (patch.study !== undefined) after.study_id = checkStudyId(patch.study);
  const changed = JSON.stringify(after) !== JSON.stringify(before);
  if (changed) await writeListeners(ctx, sortRows(rows.map((r) => (r.listener_id === id ? after : r))));
  return { before, after };
}

function sortRows(rows: ListenerRow[]): ListenerRow[] {
  return [...rows].sort((a, b) => a.listener_id.localeCompare(b.listener_id));
}
