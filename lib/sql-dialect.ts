// One SQL text per table, two engines. The table declarations are written in DuckDB's dialect;
// toTrinoSql() rewrites such a statement for Trino. It is a tokenizer with a little structure
// (parenthesised groups, function calls, `::` casts), not a parser: it rewrites what has a clear local
// shape (casts, function names and arguments, literals) and refuses, naming the construct, what it
// cannot translate faithfully (semi/anti joins, GROUP BY ALL, QUALIFY, EXCLUDE, `//`). What it cannot
// see at all (types: integer division, `||` with numbers, select-list aliases reused in the same
// SELECT) is ruled out by the portable subset the SQL keeps to (lib/README.md, "Portable SQL"), and
// the parity tests run every table on both engines.
import { LakehouseError } from './errors.ts';

export type EngineName = 'duckdb' | 'trino';
export const ENGINES: readonly EngineName[] = ['duckdb', 'trino'];

export class SqlTranslationError extends LakehouseError {}

export interface TrinoTranslateOptions {
  /** Value of getvariable('min_play_ms'). */
  variables?: Record<string, number | string>;
  /** `layer.table` → the Trino relation to read instead (staged tables of the running transaction). */
  tables?: Record<string, string>;
}

// ---------------------------------------------------------------- tokens and groups

type TokKind = 'ws' | 'comment' | 'str' | 'qid' | 'num' | 'word' | 'op';
interface Tok { kind: TokKind; text: string }
interface Group { kind: 'group'; open: '(' | '['; items: Node[] }
type Node = Tok | Group;

const OPS = ['::', '//', '||', '<=', '>=', '<>', '!=', '==', '->', '(', ')', '[', ']', ',', '.', '+', '-', '*', '/', '%', '=', '<', '>', ';', '?', '$', ':', '{', '}', '|', '&', '^', '~', '!', '@', '#'];

export function tokenize(sql: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < sql.length) {
    const c = sql[i];
    const rest = sql.slice(i);
    let m: RegExpMatchArray | null;
    if ((m = rest.match(/^\s+/))) out.push({ kind: 'ws', text: m[0] });
    else if (rest.startsWith('--')) out.push({ kind: 'comment', text: rest.match(/^--[^\n]*/)![0] });
    else if (rest.startsWith('/*')) {
      const end = rest.indexOf('*/');
      if (end < 0) throw new SqlTranslationError('unterminated /* comment');
      out.push({ kind: 'comment', text: rest.slice(0, end + 2) });
    } else if (c === "'") out.push({ kind: 'str', text: quoted(rest, "'") });
    else if (c === '"') out.push({ kind: 'qid', text: quoted(rest, '"') });
    else if ((m = rest.match(/^(\d+\.?\d*|\.\d+)(e[+-]?\d+)?/i))) out.push({ kind: 'num', text: m[0] });
    else if ((m = rest.match(/^[\p{L}_][\p{L}\p{N}_$]*/u))) out.push({ kind: 'word', text: m[0] });
    else {
      const op = OPS.find((o) => rest.startsWith(o));
      if (!op) throw new SqlTranslationError(`unexpected character ${JSON.stringify(c)} at offset ${i}`);
      out.push({ kind: 'op', text: op });
    }
    i += out[out.length - 1].text.length;
  }
  return out;
}

function quoted(rest: string, q: string): string {
  let j = 1;
  for (;;) {
    const k = rest.indexOf(q, j);
    if (k < 0) throw new SqlTranslationError(`unterminated ${q === "'" ? 'string literal' : 'quoted identifier'}`);
    if (rest[k + 1] === q) j = k + 2;
    else return rest.slice(0, k + 1);
  }
}

function group(tokens: Tok[]): Node[] {
  const stack: { open: '(' | '[' | null; items: Node[] }[] = [{ open: null, items: [] }];
  for (const t of tokens) {
    if (t.kind === 'op' && (t.text === '(' || t.text === '[')) stack.push({ open: t.text, items: [] });
    else if (t.kind === 'op' && (t.text === ')' || t.text === ']')) {
      const top = stack.pop()!;
      if (top.open !== (t.text === ')' ? '(' : '[')) throw new SqlTranslationError(`unbalanced ${t.text}`);
      stack[stack.length - 1].items.push({ kind: 'group', open: top.open, items: top.items });
    } else stack[stack.length - 1].items.push(t);
  }
  if (stack.length !== 1) throw new SqlTranslationError('unbalanced parentheses');
  return stack[0].items;
}

const isWord = (n: Node | undefined, w?: string): n is Tok => n?.kind === 'word' && (w === undefined || n.text.toLowerCase() === w);
const isOp = (n: Node | undefined, o: string): n is Tok => n?.kind === 'op' && n.text === o;
const isGroup = (n: Node | undefined, open?: '(' | '['): n is Group => n?.kind === 'group' && (open === undefined || n.open === open);
const isQid = (n: Node | undefined): n is Tok => n?.kind === 'qid';
const blank = (n: Node) => n.kind === 'ws' || n.kind === 'comment';

/** Index of the next non-blank node at or after i (items.length when none). */
function nextIdx(items: Node[], i: number): number {
  while (i < items.length && blank(items[i])) i++;
  return i;
}

/** Splits a group's items at top-level commas. */
function splitArgs(items: Node[]): Node[][] {
  const args: Node[][] = [[]];
  for (const n of items) {
    if (isOp(n, ',')) args.push([]);
    else args[args.length - 1].push(n);
  }
  return args.length === 1 && args[0].every(blank) ? [] : args;
}

// ---------------------------------------------------------------- types

/** A DuckDB type name (as written after `::` or in cast(… as …)) in Trino's spelling. */
export function trinoType(duck: string): string {
  const t = duck.trim().toLowerCase().replace(/\s+/g, ' ');
  const list = t.match(/^(.*)\[\]$/);
  if (list) return `array(${trinoType(list[1])})`;
  const dec = t.match(/^(decimal|numeric)\s*\((\d+)\s*,\s*(\d+)\)$/);
  if (dec) return `decimal(${dec[2]}, ${dec[3]})`;
  const simple: Record<string, string> = {
    double: 'double', float8: 'double', 'double precision': 'double', float: 'real', real: 'real', float4: 'real',
    integer: 'integer', int: 'integer', int4: 'integer', bigint: 'bigint', int8: 'bigint', long: 'bigint',
    smallint: 'smallint', tinyint: 'tinyint', varchar: 'varchar', text: 'varchar', string: 'varchar',
    boolean: 'boolean', bool: 'boolean', date: 'date', timestamp: 'timestamp(6)', datetime: 'timestamp(6)',
    timestamptz: 'timestamp(6) with time zone', 'timestamp with time zone': 'timestamp(6) with time zone',
  };
  if (t in simple) return simple[t];
  if (/^varchar\s*\(\d+\)$/.test(t)) return t.replace(/\s+/g, '');
  throw new SqlTranslationError(`type ${duck} has no Trino translation here`);
}

// ---------------------------------------------------------------- the translation

const REFUSED_WORDS: Record<string, string> = {
  semi: 'SEMI JOIN: write `where exists (select 1 from … where …)`',
  anti: 'ANTI JOIN: write `where not exists (select 1 from … where …)`',
  qualify: 'QUALIFY: filter a window function in an outer query',
  exclude: 'SELECT * EXCLUDE: list the columns',
  ilike: 'ILIKE: compare lower(...) with LIKE',
  pivot: 'PIVOT', unpivot: 'UNPIVOT', columns: 'COLUMNS(...)',
};

const STRFTIME: Record<string, string> = {
  Y: '%Y', y: '%y', m: '%m', d: '%d', H: '%H', I: '%h', M: '%i', S: '%s', f: '%f', p: '%p', j: '%j',
  a: '%a', A: '%W', b: '%b', B: '%M', '%': '%%',
};

class Translator {
  constructor(private readonly opts: TrinoTranslateOptions) {}

  /** Translates a list of nodes into SQL text. */
  items(items: Node[]): string {
    const out: string[] = []; // rendered units, blanks as their own entries
    const kinds: ('blank' | 'operand' | 'op' | 'word')[] = [];
    const push = (text: string, kind: (typeof kinds)[number]) => { out.push(text); kinds.push(kind); };
    const lastOperand = (): number => {
      let k = out.length - 1;
      while (k >= 0 && kinds[k] === 'blank') k--;
      return k;
    };
    for (let i = 0; i < items.length; i++) {
      const n = items[i];
      if (n.kind === 'ws' || n.kind === 'comment') { push(n.text, 'blank'); continue; }
      if (n.kind === 'group') {
        if (n.open === '[') {
          // A list literal ([] or [a, b]) unless it indexes the operand before it (x[1]).
          const k = lastOperand();
          const indexes = k >= 0 && kinds[k] === 'operand' && out.length - 1 === k;
          push(indexes ? `[${this.items(n.items)}]` : `array[${this.items(n.items)}]`, 'operand');
        } else push(`(${this.items(n.items)})`, 'operand');
        continue;
      }
      if (n.kind === 'op') {
        if (n.text === '::') {
          let k = lastOperand();
          if (k >= 0 && out[k].toLowerCase() === 'end') {
            // CASE … END::type casts the whole CASE expression
            let depth = 0;
            for (let c = k; c >= 0; c--) {
              const w = out[c].toLowerCase();
              if (w === 'end') depth++;
              else if (w === 'case' && --depth === 0) { out[c] = out.slice(c, k + 1).join(''); out.length = c + 1; kinds.length = c + 1; kinds[c] = 'operand'; k = c; break; }
            }
          }
          if (k < 0 || kinds[k] !== 'operand') throw new SqlTranslationError('`::` without an operand before it');
          const { type, next } = this.readType(items, i + 1);
          const operand = out[k];
          out.length = k; kinds.length = k;
          push(this.cast(operand, type), 'operand');
          i = next - 1;
          continue;
        }
        if (n.text === '//') throw new SqlTranslationError('`//`: write the division explicitly (DuckDB\'s // is plain division on doubles, integer division on integers)');
        if (n.text === '==') { push('=', 'op'); continue; }
        if (n.text === '.' ) {
          // a.b: glue to the operand before and the name after
          const k = lastOperand();
          const j = nextIdx(items, i + 1);
          const after = items[j];
          if (k >= 0 && kinds[k] === 'operand' && (isWord(after) || isQid(after) || isOp(after, '*'))) {
            out[k] = `${out[k]}.${(after as Tok).text}`;
            out.length = k + 1; kinds.length = k + 1;
            i = j;
            continue;
          }
        }
        push(n.text, 'op');
        continue;
      }
      if (n.kind === 'word') {
        const lower = n.text.toLowerCase();
        // Postfix clauses of an aggregate or window function belong to it (a later `::` casts the whole).
        if (lower === 'filter' || lower === 'over') {
          const k = lastOperand();
          const j = nextIdx(items, i + 1);
          if (k >= 0 && kinds[k] === 'operand' && (isGroup(items[j], '(') || (lower === 'over' && isWord(items[j])))) {
            const clause = isGroup(items[j]) ? `(${this.items((items[j] as Group).items)})` : (items[j] as Tok).text;
            const cond = lower === 'filter' && /^count\(\s*\*\s*\)$/i.test(out[k]) ? clause.match(/^\(\s*where\s+([\s\S]*)\)$/i) : null;
            // Trino 476 answers `count(*) FILTER (WHERE b)` next to `count(b)` in one SELECT with the
            // filtered count for both (seen on silver.listening_sessions); the CASE form is the same
            // aggregate and is not merged.
            out[k] = cond ? `count(case when ${cond[1]} then 1 end)` : `${out.slice(k).join('')}${n.text} ${clause}`;
            out.length = k + 1; kinds.length = k + 1;
            i = j;
            continue;
          }
        }
        if (lower in REFUSED_WORDS) throw new SqlTranslationError(`${REFUSED_WORDS[lower]} (not translatable to Trino)`);
        if (lower === 'group' || lower === 'order') {
          const j = nextIdx(items, i + 1);
          const k = nextIdx(items, j + 1);
          if (isWord(items[j], 'by') && isWord(items[k], 'all')) throw new SqlTranslationError(`${lower.toUpperCase()} BY ALL: list the columns`);
        }
        if (lower === 'interval') {
          const j = nextIdx(items, i + 1);
          if (items[j]?.kind === 'num') {
            push(`interval '${(items[j] as Tok).text}'`, 'operand');
            i = j;
            continue;
          }
        }
        const j = nextIdx(items, i + 1);
        const prevK = lastOperand();
        const qualifiedName = prevK >= 0 && out.length - 1 === prevK && out[prevK].endsWith('.');
        if (isGroup(items[j], '(') && !qualifiedName && (!KEYWORDS.has(lower) || CALLABLE_KEYWORDS.has(lower))) {
          push(this.call(n.text, items[j] as Group), 'operand');
          i = j;
          continue;
        }
        // layer.table → the staged relation
        if (this.opts.tables) {
          const dot = nextIdx(items, i + 1);
          const nameIdx = nextIdx(items, dot + 1);
          const key = isOp(items[dot], '.') && isWord(items[nameIdx]) ? `${lower}.${(items[nameIdx] as Tok).text.toLowerCase()}` : null;
          const k = lastOperand();
          const precededByDot = k >= 0 && out[k].endsWith('.');
          if (key && key in this.opts.tables && !precededByDot) {
            push(this.opts.tables[key], 'operand');
            i = nameIdx;
            continue;
          }
        }
        push(n.text, KEYWORDS.has(lower) ? 'word' : 'operand');
        continue;
      }
      if (n.kind === 'num' && /\./.test(n.text) && !/e/i.test(n.text)) {
        // A decimal literal next to `/`: DuckDB divides in DOUBLE, Trino in DECIMAL rounded to the
        // literal's scale (123456789 / 60000.0 = 2057.6): make it a double, as DuckDB treats it.
        const k = lastOperand();
        const before = k >= 0 && out[k] === '/';
        if (before || isOp(items[nextIdx(items, i + 1)], '/')) { push(`cast(${n.text} as double)`, 'operand'); continue; }
      }
      push(n.text, 'operand'); // str, qid, num
    }
    return out.join('');
  }

  /**
   * list_reduce(list(x order by k), lambda acc, v: body, init): a left fold in a stated order, which
   * both engines compute element by element (the same doubles; an unordered list or a fold without
   * its initial value would not be), as Trino's reduce(array_agg(x order by k), init, (acc, v) -> body, s -> s).
   */
  private orderedReduce(name: string, rawArgs: Node[][]): string {
    const refuse = (why: string) => new SqlTranslationError(`${name}() ${why} has no Trino translation here (write list_reduce(list(x order by k), lambda acc, v: body, initial))`);
    const [listArg = []] = rawArgs;
    const at = nextIdx(listArg, 0);
    const g = listArg[nextIdx(listArg, at + 1)];
    const ordered = isWord(listArg[at]) && ['list', 'array_agg'].includes((listArg[at] as Tok).text.toLowerCase()) && isGroup(g, '(')
      && nextIdx(listArg, listArg.indexOf(g) + 1) === listArg.length
      && g.items.some((n, i) => isWord(n, 'order') && isWord(g.items[nextIdx(g.items, i + 1)], 'by'));
    if (!ordered) throw refuse('over anything but list(… order by …)');
    const lambda = lambdaAt(rawArgs.slice(1));
    if (!lambda || lambda.params.length !== 2) throw refuse('without a two-parameter `lambda acc, x: body`');
    const rest = rawArgs.slice(1 + lambda.used);
    if (rest.length !== 1) throw refuse('without its initial value');
    const list = this.items(listArg).trim();
    return `reduce(${list}, ${this.items(rest[0]).trim()}, (${lambda.params.join(', ')}) -> ${this.items(lambda.body).trim()}, s -> s)`;
  }

  private readType(items: Node[], from: number): { type: string; next: number } {
    let j = nextIdx(items, from);
    if (!isWord(items[j])) throw new SqlTranslationError('`::` must be followed by a type name');
    let type = (items[j] as Tok).text;
    j++;
    if (isGroup(items[j], '(')) { type += `(${tokensText(items[j] as Group)})`; j++; }
    while (isGroup(items[j], '[') && (items[j] as Group).items.length === 0) { type += '[]'; j++; }
    return { type, next: j };
  }

  private cast(operand: string, duckType: string): string {
    const t = duckType.toLowerCase();
    if (t === 'timestamptz' || t === 'timestamp with time zone') return `with_timezone(${operand}, 'UTC')`;
    if (operand === 'array[]') return `cast(array[] as ${trinoType(duckType)})`;
    return `cast(${operand} as ${trinoType(duckType)})`;
  }

  private call(name: string, g: Group): string {
    const lower = name.toLowerCase();
    if (lower === 'cast' || lower === 'try_cast') {
      // cast(x as type): translate x, map the type
      const idx = g.items.findLastIndex((n) => isWord(n, 'as'));
      if (idx < 0) throw new SqlTranslationError('cast(...) without AS');
      const operand = this.items(g.items.slice(0, idx)).trim();
      const type = tokensText({ kind: 'group', open: '(', items: g.items.slice(idx + 1) }).trim();
      if (type.toLowerCase() === 'timestamptz') return `with_timezone(${operand}, 'UTC')`;
      return `${lower}(${operand} as ${trinoType(type)})`;
    }
    const rawArgs = splitArgs(g.items);
    const args = rawArgs.map((a) => this.items(a).trim());
    const n = args.length;
    const want = (k: number | number[]) => {
      const ok = Array.isArray(k) ? k.includes(n) : n === k;
      if (!ok) throw new SqlTranslationError(`${name}() with ${n} argument(s) has no Trino translation here`);
    };
    const literal = (a: string, what: string) => {
      const m = a.match(/^'((?:[^']|'')*)'$/);
      if (!m) throw new SqlTranslationError(`${name}(): ${what} must be a string literal`);
      return m[1].replaceAll("''", "'");
    };
    const inner = () => this.items(g.items);
    switch (lower) {
      case 'arg_min': case 'min_by': want(2); return `min_by(${args[0]}, ${args[1]})`;
      case 'arg_max': case 'max_by': want(2); return `max_by(${args[0]}, ${args[1]})`;
      case 'list': case 'array_agg': return `array_agg(${inner()})`;
      case 'epoch_ms': want(1); return `date_diff('millisecond', TIMESTAMP '1970-01-01 00:00:00.000000', ${args[0]})`;
      case 'epoch': want(1); return `to_unixtime(with_timezone(${args[0]}, 'UTC'))`;
      case 'md5': want(1); return `lower(to_hex(md5(to_utf8(${args[0]}))))`;
      case 'strftime': {
        want(2);
        const fmt = literal(args[1], 'the format').replace(/%(.)/g, (_, c: string) => {
          if (!(c in STRFTIME)) throw new SqlTranslationError(`strftime(): %${c} has no Trino translation here`);
          return STRFTIME[c];
        });
        return `date_format(${args[0]}, '${fmt.replaceAll("'", "''")}')`;
      }
      case 'isodow': want(1); return `day_of_week(${args[0]})`;
      case 'dayofweek': want(1); return `(day_of_week(${args[0]}) % 7)`;
      case 'dayname': want(1); return `format_datetime(${args[0]}, 'EEEE')`;
      case 'monthname': want(1); return `format_datetime(${args[0]}, 'MMMM')`;
      case 'strip_accents': want(1); return `normalize(regexp_replace(normalize(${args[0]}, NFD), '\\p{M}', ''), NFC)`;
      case 'regexp_replace': {
        want([3, 4]);
        const pattern = literal(args[1], 'the pattern');
        const global = n === 4 && literal(args[3], 'the options') === 'g';
        if (n === 4 && !global) throw new SqlTranslationError(`regexp_replace(): options ${args[3]} have no Trino translation here`);
        if (!global && !/^\^|(^|[^\\])\$$/.test(pattern)) {
          throw new SqlTranslationError(`regexp_replace(${args[1]}) without 'g' replaces the first match only; Trino replaces all: anchor the pattern or add 'g'`);
        }
        const repl = literal(args[2], 'the replacement').replace(/\$/g, '\\$').replace(/\\(\d)/g, '$$$1');
        return `regexp_replace(${args[0]}, ${args[1]}, '${repl.replaceAll("'", "''")}')`;
      }
      case 'regexp_matches': want(2); return `regexp_like(${args[0]}, ${args[1]})`;
      case 'len': case 'array_length': want(1); return `cardinality(${args[0]})`;
      case 'list_position': case 'array_position': want(2); return `nullif(array_position(${args[0]}, ${args[1]}), 0)`;
      case 'list_contains': case 'array_contains': want(2); return `contains(${args[0]}, ${args[1]})`;
      case 'list_sort': case 'array_sort': want(1); return `array_sort(${args[0]})`;
      case 'list_distinct': case 'array_distinct': want(1); return `array_distinct(${args[0]})`;
      case 'quantile_cont': case 'quantile_disc': case 'median': {
        const [x, q] = lower === 'median' ? (want(1), [args[0], '0.5']) : (want(2), args);
        // The sorted values are bound once to a lambda's parameter (transform over a one-element array,
        // Trino's "let"): written out in every lo and hi, Trino sorted them again for each (six sorts
        // for three quartiles), most of audio_feature_distributions' CPU.
        const sorted = 'sorted__';
        const n = `cardinality(${sorted})`;
        const one = (q: string): string => {
          if (!/^\d*\.?\d+(e-?\d+)?$/i.test(q)) throw new SqlTranslationError(`${name}(): the quantile must be a number literal or a list of them`);
          if (lower === 'quantile_disc') {
            // DuckDB: the value at 0-based index ceil(q * n) - 1 (at least 0) of the sorted values.
            return `element_at(${sorted}, cast(greatest(ceiling(${q}e0 * ${n}), 1) as bigint))`;
          }
          // DuckDB: h = q * (n - 1); lo + (h - floor(h)) * (hi - lo)
          const h = `(${q}e0 * (${n} - 1))`;
          const lo = `element_at(${sorted}, cast(floor(${h}) as bigint) + 1)`;
          const hi = `element_at(${sorted}, cast(ceiling(${h}) as bigint) + 1)`;
          // DuckDB interpolates as lo * (1 - d) + hi * d (bit for bit; lo + d * (hi - lo) differs in the last bit)
          const d = `(${h} - floor(${h}))`;
          return `cast(${lo} as double) * (1 - ${d}) + cast(${hi} as double) * ${d}`;
        };
        // A list of quantiles (DuckDB sorts one buffer for all of them instead of one per quantile): an
        // array of each, null when there is no value, as DuckDB's list.
        const list = /^array\[(.*)\]$/.exec(q);
        const body = list ? `array[${list[1].split(',').map((v) => one(v.trim())).join(', ')}]` : one(q);
        return `(case when count(${x}) = 0 then null else transform(array[array_sort(array_agg(${x}) filter (where ${x} is not null))], ${sorted} -> ${body})[1] end)`;
      }
      case 'getvariable': {
        want(1);
        const v = literal(args[0], 'the variable name');
        const value = this.opts.variables?.[v];
        if (value === undefined) throw new SqlTranslationError(`getvariable('${v}'): no value given for the Trino run`);
        return typeof value === 'number' ? String(value) : `'${value.replaceAll("'", "''")}'`;
      }
      case 'any_value': case 'arbitrary': want(1); return `arbitrary(${args[0]})`;
      case 'range': want(2); return `sequence(${args[0]}, (${args[1]}) - 1)`;
      case 'timezone': want(2); return `cast(at_timezone(${args[1]}, ${args[0]}) as timestamp(6))`;
      case 'greatest': case 'least': {
        if (n < 2) throw new SqlTranslationError(`${name}() needs two arguments or more`);
        // DuckDB ignores NULL arguments (NULL only when all are); Trino's greatest/least would return NULL.
        const fn = lower === 'greatest' ? 'array_max' : 'array_min';
        return `${fn}(filter(array[${args.join(', ')}], v -> v is not null))`;
      }
      case 'date_part': case 'datepart': {
        want(2);
        const unit = literal(args[0], 'the unit').toLowerCase();
        const map: Record<string, string> = { hour: 'hour', minute: 'minute', second: 'second', day: 'day', month: 'month', year: 'year', quarter: 'quarter', week: 'week', isodow: 'day_of_week', doy: 'day_of_year', dow: 'dow' };
        if (!(unit in map)) throw new SqlTranslationError(`date_part('${unit}', …) has no Trino translation here`);
        if (unit === 'dow') return `(day_of_week(${args[1]}) % 7)`;
        return `${map[unit]}(${args[1]})`;
      }
      case 'string_agg': case 'group_concat': case 'listagg': {
        // string_agg(x, sep [order by …]): the ORDER BY sits in the last argument
        const last = args[args.length - 1];
        const m = last.match(/^(.*?)\s+(order\s+by\s+[\s\S]*)$/i);
        const sep = m ? m[1] : n > 1 ? last : "','";
        const order = m ? ` ${m[2]}` : '';
        return `array_join(array_agg(${args[0]}${order}), ${sep})`;
      }
      case 'isnan': want(1); return `is_nan(${args[0]})`;
      case 'isinf': want(1); return `is_infinite(${args[0]})`;
      case 'count_if': want(1); return `count_if(${args[0]})`;
      case 'list_reduce': return this.orderedReduce(name, rawArgs);
      case 'list_sum': {
        // DuckDB sums a list's doubles one by one from 0 in list order (its sum aggregate over the
        // elements); Trino's reduce does the same fold. The caller makes the list's order total.
        want(1);
        return `reduce(${args[0]}, 0e0, (s, v) -> s + v, s -> s)`;
      }
      case 'list_transform': {
        const lambda = lambdaAt(rawArgs.slice(1));
        if (n < 2 || !lambda || lambda.params.length !== 1 || 1 + lambda.used !== n) throw new SqlTranslationError(`${name}() has no Trino translation here but over a list and a one-parameter \`lambda x: body\``);
        return `transform(${args[0]}, ${lambda.params[0]} -> ${this.items(lambda.body).trim()})`;
      }
      case 'list_filter': case 'list_value': case 'struct_pack': case 'unnest_list':
        throw new SqlTranslationError(`${name}() has no Trino translation here`);
      default:
        return `${name}(${inner()})`;
    }
  }
}

/**
 * A `lambda a, b: body` at the start of `parts` (a call's arguments split at top-level commas, so the
 * lambda spans [`lambda a`, ` b: body`]): its parameters, body, and how many parts it took.
 */
function lambdaAt(parts: Node[][]): { params: string[]; body: Node[]; used: number } | null {
  const first = parts[0] ?? [];
  const start = nextIdx(first, 0);
  if (!isWord(first[start], 'lambda')) return null;
  const params: string[] = [];
  for (const [p, part] of parts.entries()) {
    const items = p === 0 ? first.slice(start + 1) : part;
    const at = nextIdx(items, 0);
    if (!isWord(items[at])) return null;
    params.push((items[at] as Tok).text);
    const after = nextIdx(items, at + 1);
    if (after === items.length) continue;
    if (!isOp(items[after], ':')) return null;
    return { params, body: items.slice(after + 1), used: p + 1 };
  }
  return null;
}

const KEYWORDS = new Set(['select', 'from', 'where', 'group', 'by', 'order', 'having', 'and', 'or', 'not', 'in', 'is', 'as',
  'on', 'join', 'left', 'right', 'full', 'inner', 'outer', 'cross', 'case', 'when', 'then', 'else', 'end', 'union', 'all',
  'distinct', 'with', 'over', 'partition', 'window', 'rows', 'range', 'between', 'like', 'exists', 'limit', 'asc', 'desc',
  'nulls', 'first', 'last', 'filter', 'using', 'except', 'intersect', 'lateral', 'preceding', 'following', 'unbounded', 'current', 'row',
  'values', 'then', 'when', 'else', 'set', 'into', 'escape', 'some', 'any', 'array', 'at', 'time', 'zone']);

/** Keywords that are also functions when a parenthesis follows (range(a, b), left(s, n)). */
const CALLABLE_KEYWORDS = new Set(['range', 'left', 'right', 'first', 'last', 'filter']);

function tokensText(g: Group): string {
  return g.items.map((n) => (n.kind === 'group' ? (n.open === '(' ? `(${tokensText(n)})` : `[${tokensText(n)}]`) : n.text)).join('');
}

/** DuckDB SQL of a table declaration → the same statement for Trino (see the module comment). */
export function toTrinoSql(sql: string, opts: TrinoTranslateOptions = {}): string {
  return new Translator(opts).items(group(tokenize(sql)));
}
