// What erasing one listener means for one Parquet part, decided from its columns:
// - a `listener_id` column: the listener's rows are removed;
// - catalog tables without listener_id (track metadata and features from the Web API) keep their
//   rows, which describe tracks, not people, but lose the provenance that points at the listener's
//   landed responses (`source_file` under raw/spotify/<listener>/, its hash, the play time it was
//   last seen at); those whose rows exist only because someone played the track (synthetic
//   features, Web API metadata and features: unused-keys.ts) also lose the rows whose key no
//   remaining listener's play uses;
// - ops tables (run summaries, quality-check details) may name listeners in free text: the id is
//   replaced by "erased" wherever it stands as a whole token.
import { quoteIdent } from '../lib/duckdb.ts';
import type { Layer } from '../lib/table-spec.ts';
import { PLAY_KEYED_TABLES, unusedKeyCondition } from './unused-keys.ts';

export interface PartColumn {
  name: string;
  type: string;
}

export interface EraseRule {
  /** Rows matching this are removed (null: none is). */
  removeWhere: string | null;
  /** Remaining rows matching this are rewritten by `select` (null: none is). */
  scrubWhere: string | null;
  /** Select list that keeps every column, in order, with scrubbed values. */
  select: string;
  params: Record<string, string>;
}

export const ERASED = 'erased';
const ID_CHAR = 'A-Za-z0-9_.-';

/** RE2 pattern matching the id as a whole token (not inside a longer id). */
export function tokenPattern(id: string): string {
  const escaped = id.replace(/[.\-]/g, (c) => `\\${c}`);
  return `(^|[^${ID_CHAR}])${escaped}([^${ID_CHAR}]|$)`;
}

const PROVENANCE_NULLED = new Set(['file_sha256', 'last_seen_at']);

function provenanceRule(columns: PartColumn[], params: Record<string, string>): EraseRule | null {
  if (!columns.some((c) => c.name === 'source_file' && c.type === 'VARCHAR')) return null;
  const cond = 'starts_with(source_file, $prefix)';
  const select = columns.map((c) => {
    const q = quoteIdent(c.name);
    if (c.name === 'source_file') return `case when ${cond} then '${ERASED}' else ${q} end as ${q}`;
    if (PROVENANCE_NULLED.has(c.name)) return `case when ${cond} then null else ${q} end as ${q}`;
    return q;
  }).join(', ');
  return { removeWhere: null, scrubWhere: cond, select, params: { prefix: params.prefix } };
}

function tokenRule(columns: PartColumn[]): { scrubWhere: string | null; select: string } {
  const text = columns.filter((c) => c.type === 'VARCHAR' && c.name !== 'listener_id');
  if (text.length === 0) return { scrubWhere: null, select: columns.map((c) => quoteIdent(c.name)).join(', ') };
  const conds = text.map((c) => `coalesce(regexp_matches(${quoteIdent(c.name)}, $pattern), false)`);
  const replace = (q: string) => `regexp_replace(regexp_replace(${q}, $pattern, '\\1${ERASED}\\2', 'g'), $pattern, '\\1${ERASED}\\2', 'g')`;
  const select = columns.map((c) => {
    const q = quoteIdent(c.name);
    return text.includes(c) ? `${replace(q)} as ${q}` : q;
  }).join(', ');
  return { scrubWhere: conds.join(' or '), select };
}

/** Adds "remove rows whose key no kept play uses" to the rule of a play-keyed table. */
function withUnusedKeys(rule: EraseRule | null, columns: PartColumn[], keyColumn: string | undefined): EraseRule | null {
  if (!keyColumn || !columns.some((c) => c.name === keyColumn)) return rule;
  const select = rule?.select ?? columns.map((c) => quoteIdent(c.name)).join(', ');
  return { removeWhere: unusedKeyCondition(keyColumn), scrubWhere: rule?.scrubWhere ?? null, select, params: rule?.params ?? {} };
}

export interface RuleContext {
  /** "layer.table" of the part. */
  table?: string;
  /** The used-keys temp table is filled (unused-keys.ts): play-keyed tables lose their unused keys. */
  usedKeys?: boolean;
}

/** The rule for one part, or null when the part cannot hold anything of a listener. */
export function eraseRule(layer: Layer, columns: PartColumn[], listenerId: string, ctx: RuleContext = {}): EraseRule | null {
  const params = { id: listenerId, prefix: `${listenerId}/`, pattern: tokenPattern(listenerId) };
  const hasListener = columns.some((c) => c.name === 'listener_id');
  const removeWhere = hasListener ? 'listener_id = $id' : null;
  if (layer === 'ops') {
    const t = tokenRule(columns);
    const used: Record<string, string> = {};
    if (hasListener) used.id = params.id;
    if (t.scrubWhere) used.pattern = params.pattern;
    return removeWhere || t.scrubWhere ? { removeWhere, scrubWhere: t.scrubWhere, select: t.select, params: used } : null;
  }
  if (hasListener) return { removeWhere, scrubWhere: null, select: columns.map((c) => quoteIdent(c.name)).join(', '), params: { id: params.id } };
  const keyColumn = ctx.usedKeys && ctx.table ? PLAY_KEYED_TABLES[ctx.table] : undefined;
  return withUnusedKeys(provenanceRule(columns, params), columns, keyColumn);
}
