// Local wall-clock columns (`*_local`, TIMESTAMP without zone, e.g. silver's played_at_local) are
// written in text output as ISO-8601 with the listener's UTC offset, `2022-05-22T18:31:24+05:30`,
// never with Z (that would claim the wall-clock time is UTC). The offset comes from, in order:
//   1. the UTC column of the same instant in the row (played_at_local -> played_at): local − utc;
//   2. a `timezone` column in the row (IANA name, as silver carries it);
//   3. a `listener_id` column, looked up in bronze.listeners.
// When none gives one, the value is written without any zone designator.
import { DuckDBTypeId, queryRows, quoteIdent, quoteLiteral, type DuckDBConnection } from './duckdb.ts';
import { relationExists } from './lake.ts';
import { ensureLakeViews } from './read-only.ts';

const WALL_CLOCK = new Set([DuckDBTypeId.TIMESTAMP, DuckDBTypeId.TIMESTAMP_S, DuckDBTypeId.TIMESTAMP_MS, DuckDBTypeId.TIMESTAMP_NS]);
const INSTANT = new Set([...WALL_CLOCK, DuckDBTypeId.TIMESTAMP_TZ]);
const VARCHAR = DuckDBTypeId.VARCHAR;

/** Minutes east of UTC, from the first source that gives one (null when none). */
function offsetMinutesSql(local: string, sources: string[]): string {
  return sources.length === 0 ? 'null::integer' : `coalesce(${sources.join(', ')})`;
}

function fromUtc(local: string, utc: string): string {
  return `round((epoch(${local}) - epoch(${utc})) / 60)::integer`;
}

function fromZone(local: string, zone: string): string {
  return `round((epoch(${local}) - epoch(timezone(${zone}, ${local}))) / 60)::integer`;
}

function isoWithOffset(local: string, minutes: string): string {
  const frac = `microsecond(${local}) % 1000000`;
  const offset = `case when ${minutes} < 0 then '-' else '+' end || lpad((abs(${minutes}) // 60)::varchar, 2, '0') || ':' || lpad((abs(${minutes}) % 60)::varchar, 2, '0')`;
  return `strftime(${local}, '%Y-%m-%dT%H:%M:%S')`
    + ` || case when ${frac} <> 0 then '.' || lpad((${frac})::varchar, 6, '0') else '' end`
    + ` || coalesce(${offset}, '')`;
}

async function listenerZones(conn: DuckDBConnection): Promise<Map<string, string>> {
  // A read-only lake may create views only as statements name them (lib/read-only.ts).
  await ensureLakeViews(conn, ['bronze.listeners']);
  if (!(await relationExists(conn, 'bronze', 'listeners'))) return new Map();
  const rows = await queryRows<{ listener_id: string; timezone: string }>(conn, 'select listener_id, timezone from bronze.listeners where timezone is not null');
  return new Map(rows.map((r) => [r.listener_id, r.timezone]));
}

/**
 * A SELECT over sql that formats every *_local wall-clock column as text with its offset, or null
 * when the result has no such column (then the statement runs unchanged).
 */
export async function localTimeSql(conn: DuckDBConnection, sql: string, columns: { names: string[]; typeIds: DuckDBTypeId[] }): Promise<string | null> {
  const { names, typeIds } = columns;
  const type = new Map(names.map((n, i) => [n, typeIds[i]]));
  const locals = names.filter((n, i) => n.endsWith('_local') && WALL_CLOCK.has(typeIds[i]));
  if (locals.length === 0) return null;
  const col = (n: string) => `q.${quoteIdent(n)}`;
  let zones: Map<string, string> | null = null;
  const offsets: string[] = [];
  const replaces: string[] = [];
  for (const [i, name] of locals.entries()) {
    const local = `${col(name)}::timestamp`;
    const sources: string[] = [];
    const utc = name.slice(0, -'_local'.length);
    if (INSTANT.has(type.get(utc)!) && !utc.endsWith('_local')) sources.push(fromUtc(local, col(utc)));
    if (type.get('timezone') === VARCHAR) sources.push(fromZone(local, col('timezone')));
    if (type.get('listener_id') === VARCHAR) {
      zones ??= await listenerZones(conn);
      if (zones.size > 0) {
        const cases = [...zones].map(([id, tz]) => `when ${quoteLiteral(id)} then ${quoteLiteral(tz)}`).join(' ');
        sources.push(fromZone(local, `case ${col('listener_id')} ${cases} end`));
      }
    }
    const off = quoteIdent(`__lakehouse_offset_${i}`);
    offsets.push(`${offsetMinutesSql(local, sources)} as ${off}`);
    replaces.push(`case when ${col(name)} is null then null else ${isoWithOffset(local, `q.${off}`)} end as ${quoteIdent(name)}`);
  }
  const hidden = locals.map((_, i) => quoteIdent(`__lakehouse_offset_${i}`)).join(', ');
  return `select * exclude (${hidden}) replace (${replaces.join(', ')}) from (select q.*, ${offsets.join(', ')} from (${sql}
) as q) as q`;
}

const ISO_UTC = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d+)?Z$/;

/** Minutes east of UTC of an IANA zone at an instant (null for an unknown zone). */
function zoneOffsetMinutes(zone: string, instantMs: number): number | null {
  try {
    const name = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' })
      .formatToParts(new Date(instantMs)).find((p) => p.type === 'timeZoneName')?.value ?? '';
    const m = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
    return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : name === 'GMT' ? 0 : null;
  } catch {
    return null;
  }
}

function offsetText(minutes: number): string {
  const a = Math.abs(minutes);
  return `${minutes < 0 ? '-' : '+'}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
}

/**
 * The same rule for rows that arrive as JSON values (Trino writes a TIMESTAMP without zone as
 * `…Z`): every `*_local` value gets its offset from the row's UTC column or `timezone` column, or
 * loses the Z when neither is there.
 */
export function localTimesInRows(rows: Record<string, unknown>[]): Record<string, unknown>[] {
  for (const row of rows) {
    for (const [key, value] of Object.entries(row)) {
      const m = key.endsWith('_local') && typeof value === 'string' ? ISO_UTC.exec(value) : null;
      if (!m) continue;
      const frac = m[2] && Number(m[2]) !== 0 ? m[2] : '';
      const wallMs = Date.parse(`${m[1]}${m[2] ?? ''}Z`);
      const utc = row[key.slice(0, -'_local'.length)];
      const zone = row.timezone;
      let minutes: number | null = null;
      if (typeof utc === 'string' && ISO_UTC.test(utc)) minutes = Math.round((wallMs - Date.parse(utc)) / 60000);
      else if (typeof zone === 'string') {
        const first = zoneOffsetMinutes(zone, wallMs);
        minutes = first === null ? null : zoneOffsetMinutes(zone, wallMs - first * 60000);
      }
      row[key] = `${m[1]}${frac}${minutes === null ? '' : offsetText(minutes)}`;
    }
  }
  return rows;
}
