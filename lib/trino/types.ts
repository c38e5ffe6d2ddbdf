// Types across the DuckDB -> Parquet -> Trino (Hive connector) boundary.
//
// How DuckDB writes each type to Parquet and how the Hive connector reads it back:
// - BOOLEAN -> BOOLEAN -> boolean; TINYINT/SMALLINT/INTEGER -> INT32 (int8/int16 annotations) ->
//   tinyint/smallint/integer; BIGINT -> INT64 -> bigint; unsigned types are widened.
// - FLOAT -> FLOAT -> real; DOUBLE -> DOUBLE -> double; DECIMAL(p,s) -> decimal(p,s); HUGEINT is
//   written as DOUBLE by DuckDB, so it is read as double.
// - VARCHAR / ENUM / JSON -> BYTE_ARRAY (UTF8) -> varchar; BLOB -> varbinary.
// - DATE -> INT32 (DATE) -> date.
// - TIMESTAMP[_S|_MS|_NS] and TIMESTAMP WITH TIME ZONE -> INT64 (TIMESTAMP micros/nanos) -> Hive
//   timestamp(6), read at microsecond precision (hive.timestamp-precision=MICROSECONDS, as DuckDB's
//   TIMESTAMP) with the Parquet time zone pinned to UTC (the lake stores UTC instants), so values come
//   out unchanged. Trino itself writes INT96, which DuckDB reads back as TIMESTAMP.
// - T[] / T[n] -> 3-level LIST -> array(T); STRUCT(a T, ...) -> group -> row(a T, ...);
//   MAP(K, V) -> MAP -> map(K, V).
// TIME, INTERVAL, UUID, BIT and unions have no Hive counterpart; such columns are not published.

/** Splits "a, b(c, d), \"e, f\" g" at top-level commas. */
export function splitTopLevel(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quoted = false;
  let cur = '';
  for (const ch of s) {
    if (ch === '"') quoted = !quoted;
    if (!quoted && ch === '(') depth++;
    if (!quoted && ch === ')') depth--;
    if (!quoted && depth === 0 && ch === ',') {
      out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  if (cur.trim() !== '') out.push(cur.trim());
  return out;
}

/** "name TYPE" or "\"na me\" TYPE" -> [name, TYPE]. */
export function splitField(field: string): [string, string] {
  const m = /^"((?:[^"]|"")*)"\s+(.*)$/s.exec(field) ?? /^(\S+)\s+(.*)$/s.exec(field);
  if (!m) throw new Error(`cannot parse struct field "${field}"`);
  return [m[1].replace(/""/g, '"'), m[2].trim()];
}

const SIMPLE: Record<string, string> = {
  BOOLEAN: 'boolean', BOOL: 'boolean',
  TINYINT: 'tinyint', SMALLINT: 'smallint', INTEGER: 'integer', INT: 'integer', BIGINT: 'bigint',
  UTINYINT: 'smallint', USMALLINT: 'integer', UINTEGER: 'bigint', UBIGINT: 'decimal(20,0)',
  HUGEINT: 'double', FLOAT: 'real', REAL: 'real', DOUBLE: 'double',
  VARCHAR: 'varchar', JSON: 'varchar', BLOB: 'varbinary',
  DATE: 'date',
  TIMESTAMP: 'timestamp(6)', TIMESTAMP_S: 'timestamp(6)', TIMESTAMP_MS: 'timestamp(6)', TIMESTAMP_NS: 'timestamp(6)',
  'TIMESTAMP WITH TIME ZONE': 'timestamp(6)', TIMESTAMPTZ: 'timestamp(6)',
};

export function quoteTrinoIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** The Hive/Trino column type for a DuckDB type name, or null when it cannot be published. */
export function duckdbToTrinoType(duckType: string): string | null {
  const t = duckType.trim();
  const upper = t.toUpperCase();
  if (upper in SIMPLE) return SIMPLE[upper];
  const list = /^(.*)\[\d*\]$/s.exec(t);
  if (list) {
    const inner = duckdbToTrinoType(list[1]);
    return inner === null ? null : `array(${inner})`;
  }
  const call = /^([A-Za-z_ ]+)\((.*)\)$/s.exec(t);
  if (!call) return upper.startsWith('ENUM') ? 'varchar' : null;
  const [name, args] = [call[1].trim().toUpperCase(), call[2]];
  if (name === 'DECIMAL' || name === 'NUMERIC') return `decimal(${splitTopLevel(args).join(',')})`;
  if (name === 'VARCHAR' || name === 'ENUM') return 'varchar';
  if (name === 'MAP') {
    const [k, v] = splitTopLevel(args).map(duckdbToTrinoType);
    return k && v ? `map(${k}, ${v})` : null;
  }
  if (name === 'STRUCT') {
    const fields = splitTopLevel(args).map(splitField);
    const mapped = fields.map(([n, ft]) => [n, duckdbToTrinoType(ft)] as const);
    if (mapped.some(([, ft]) => ft === null)) return null;
    return `row(${mapped.map(([n, ft]) => `${quoteTrinoIdent(n)} ${ft}`).join(', ')})`;
  }
  return null;
}

/** A parsed Trino type as the client protocol reports it ("array(row(a bigint, b varchar))"). */
export interface TrinoType {
  name: string;
  /** array: [element]; map: [key, value]. */
  args: TrinoType[];
  /** row fields. */
  fields: { name: string; type: TrinoType }[];
}

export function parseTrinoType(type: string): TrinoType {
  const t = type.trim();
  const m = /^([a-z ]+?)\s*\((.*)\)(.*)$/s.exec(t);
  if (!m) return { name: t.toLowerCase(), args: [], fields: [] };
  const name = `${m[1].trim()}${m[3] ? ` ${m[3].trim()}` : ''}`.toLowerCase();
  const parts = splitTopLevel(m[2]);
  if (name === 'row') {
    const field = (p: string, i: number) => (/\s/.test(p.replace(/\(.*\)/s, '')) ? splitField(p) : [`field${i}`, p]);
    return { name, args: [], fields: parts.map(field).map(([n, ft]) => ({ name: n, type: parseTrinoType(ft) })) };
  }
  if (name === 'array' || name === 'map') return { name, args: parts.map(parseTrinoType), fields: [] };
  return { name: m[1].trim().toLowerCase() + (m[3] ? ` ${m[3].trim()}` : ''), args: [], fields: [] };
}
