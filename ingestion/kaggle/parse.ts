// Validation of Kaggle Spotify Tracks records. Rejects only what is structurally wrong (see
// CONVENTIONS.md "Kaggle rejects"); every other row is kept as it is.
import type { AppendValue } from '../../lib/appender.ts';
import { outOfRange, UNIT_FEATURES, VALID_RANGES, type AudioFeatureName } from '../../lib/audio-features.ts';
import { excerpt } from './bounded-csv.ts';

export const KAGGLE_HEADER = [
  'track_id', 'artists', 'album_name', 'track_name', 'popularity', 'duration_ms', 'explicit',
  'danceability', 'energy', 'key', 'loudness', 'mode', 'speechiness', 'acousticness',
  'instrumentalness', 'liveness', 'valence', 'tempo', 'time_signature', 'track_genre',
] as const;

/** Header names some published copies use instead of ours. */
const ALIASES: Record<string, string> = { time_signal: 'time_signature' };

const UNITS = new Set<string>(UNIT_FEATURES);
/** Integer columns and the largest magnitude their bronze type holds exactly (INTEGER, or BIGINT within 2^53). */
const INTEGERS = new Map<string, number>([
  ['popularity', 2 ** 31 - 1], ['duration_ms', Number.MAX_SAFE_INTEGER], ['key', 2 ** 31 - 1], ['mode', 2 ** 31 - 1], ['time_signature', 2 ** 31 - 1],
]);
const NUMBERS = new Set([...UNITS, 'loudness', 'tempo', ...INTEGERS.keys()]);
/** Decimal notation only: Number() would also take 0x1F, 0b101, 0o17 and Infinity. */
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

export interface HeaderCheck {
  /** Index in the record of each KAGGLE_HEADER column. */
  positions: number[];
  /** Index of the Kaggle row index column, or -1. */
  indexColumn: number;
  missing: string[];
  /** Columns named more than once (after aliasing). */
  duplicated: string[];
  /** Columns that are neither ours nor the leading index column. */
  unexpected: string[];
  aliased: string[];
}

export function checkHeader(header: string[]): HeaderCheck {
  const names = header.map((h) => h.trim().replace(/^\uFEFF/, ''));
  const normalised = names.map((n) => ALIASES[n] ?? n);
  const positions = KAGGLE_HEADER.map((c) => normalised.indexOf(c));
  const missing = KAGGLE_HEADER.filter((_, i) => positions[i] < 0);
  const aliased = names.filter((n) => n in ALIASES);
  const indexColumn = names.findIndex((n, i) => i === 0 && (n === '' || n === 'Unnamed: 0' || n === 'index'));
  const duplicated = [...new Set(normalised.filter((n, i) => normalised.indexOf(n) !== i))];
  const known = new Set<string>(KAGGLE_HEADER);
  const unexpected = names.filter((n, i) => i !== indexColumn && !known.has(normalised[i]));
  return { positions, indexColumn, missing, duplicated, unexpected, aliased };
}

export type Parsed = { ok: true; values: AppendValue[] } | { ok: false; field: string | null; reason: string };

function parseNumber(raw: string): number | null {
  const s = raw.trim();
  if (!DECIMAL.test(s)) return null;
  const n = Number(s);
  return Number.isFinite(n) ? n : null;
}

function parseBool(raw: string): boolean | null {
  const s = raw.trim().toLowerCase();
  return s === 'true' ? true : s === 'false' ? false : null;
}

/** Turns one record into the values of the KAGGLE_HEADER columns (kaggle_index first), or a reject. */
export function parseRecord(record: string[], header: HeaderCheck, expectedFields: number, recordNumber: number): Parsed {
  if (record.length !== expectedFields) return { ok: false, field: null, reason: `expected ${expectedFields} fields, got ${record.length}` };
  const values: AppendValue[] = [];
  const idxRaw = header.indexColumn >= 0 ? record[header.indexColumn].trim() : '';
  const idx = idxRaw === '' ? recordNumber : parseNumber(idxRaw);
  if (idx === null || !Number.isSafeInteger(idx)) return { ok: false, field: 'index', reason: `index column is not an integer within ±2^53: "${excerpt(idxRaw)}"` };
  values.push(idx);
  for (let i = 0; i < KAGGLE_HEADER.length; i++) {
    const name = KAGGLE_HEADER[i];
    const raw = record[header.positions[i]];
    const checked = checkField(name, raw);
    if (!checked.ok) return checked;
    values.push(checked.value);
  }
  return { ok: true, values };
}

function checkField(name: string, raw: string): { ok: true; value: AppendValue } | { ok: false; field: string; reason: string } {
  if (name === 'track_id') {
    const id = raw.trim();
    return id === '' ? { ok: false, field: name, reason: 'empty track_id' } : { ok: true, value: id };
  }
  if (name === 'explicit') {
    const b = parseBool(raw);
    return b === null ? { ok: false, field: name, reason: `explicit is not true/false: "${excerpt(raw)}"` } : { ok: true, value: b };
  }
  if (!NUMBERS.has(name)) return { ok: true, value: raw };
  const n = parseNumber(raw);
  if (n === null) return { ok: false, field: name, reason: `${name} is not a decimal number: "${excerpt(raw)}"` };
  const limit = INTEGERS.get(name);
  if (limit !== undefined && !Number.isInteger(n)) return { ok: false, field: name, reason: `${name} is not an integer: "${excerpt(raw)}"` };
  if (limit !== undefined && Math.abs(n) > limit) return { ok: false, field: name, reason: `${name} ${excerpt(raw.trim())} is beyond the integer range (±${limit})` };
  if (outOfRange(name, n)) {
    const [lo, hi] = VALID_RANGES[name as AudioFeatureName]!;
    const reason = UNITS.has(name) ? `${name} ${n} outside [0, 1]` : name === 'tempo' ? `tempo ${n} outside [${lo}, ${hi}] BPM` : `loudness ${n} dB above ${hi} dB`;
    return { ok: false, field: name, reason };
  }
  return { ok: true, value: n };
}
