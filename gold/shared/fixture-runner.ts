// Table tests are data: gold/<category>/<table>.fixture.json (or .yaml) holds input rows and the
// expected output rows, computed by hand. This module reads those files, writes the input rows into
// a lake through the real writer (typed by the input table's declared columns, missing columns null),
// runs the real gold runner for the one table, and returns the rows it built.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { Config } from '../../lib/config.ts';
import type { Logger } from '../../lib/logger.ts';
import { withWriter, type LakeSession } from '../../lib/session.ts';
import { queryRows, quoteIdent } from '../../lib/duckdb.ts';
import { parseQualified } from '../../lib/lake.ts';
import type { TableSpec } from '../../lib/table-spec.ts';
import { buildGold } from '../build.ts';
import silverEvents from '../../silver/listening_with_features.ts';

export type Row = Record<string, unknown>;

export interface FixtureCase {
  /** "<table> / <case name>" */
  name: string;
  table: string;
  file: string;
  /** Rows per qualified input table ("silver.listening_with_features"). */
  inputs: Record<string, Row[]>;
  /** Values merged under every row of an input table (a row's own values win). */
  defaults: Record<string, Row>;
  /** Expected rows in the table's orderBy order; only the columns given are compared. */
  expected: Row[];
}

interface RawCase {
  name?: string;
  inputs?: Record<string, Row[]>;
  defaults?: Record<string, Row>;
  expected?: Row[];
}

const FIXTURE_FILE = /^([a-z][a-z0-9_]*)\.fixture\.(json|ya?ml)$/;

/** Every fixture file in the category folders under root. */
export function findFixtureFiles(root: string): string[] {
  const out: string[] = [];
  for (const dir of readdirSync(root).sort()) {
    const p = join(root, dir);
    if (!statSync(p).isDirectory()) continue;
    for (const f of readdirSync(p).sort()) if (FIXTURE_FILE.test(f)) out.push(join(p, f));
  }
  return out;
}

/** A fixture file holds one case ({inputs, expected}) or several ({cases: [{name, inputs, expected}]}). */
export function readFixture(file: string): FixtureCase[] {
  const [, table, ext] = FIXTURE_FILE.exec(basename(file))!;
  const text = readFileSync(file, 'utf8');
  const doc = (ext === 'json' ? JSON.parse(text) : parseYaml(text)) as RawCase & { cases?: RawCase[]; defaults?: Record<string, Row> };
  const raw = doc.cases ?? [doc];
  return raw.map((c, i) => {
    if (!c.inputs || !Array.isArray(c.expected)) throw new Error(`${file}: case ${c.name ?? i + 1} needs inputs and expected`);
    return {
      name: `${table} / ${c.name ?? 'default'}`,
      table, file,
      inputs: c.inputs,
      defaults: mergeDefaults(doc.cases ? doc.defaults : undefined, c.defaults),
      expected: c.expected,
    };
  });
}

function mergeDefaults(file: Record<string, Row> = {}, own: Record<string, Row> = {}): Record<string, Row> {
  const out: Record<string, Row> = { ...file };
  for (const [table, values] of Object.entries(own)) out[table] = { ...file[table], ...values };
  return out;
}

/**
 * A SELECT producing the rows with the table's declared column types. Rows travel as one bound JSON
 * parameter; missing keys become null. A missing event_id (the silver grain) is numbered e1, e2, ….
 */
export function typedRowsSql(spec: Pick<TableSpec, 'columns'>, rows: Row[], defaults: Row = {}): { sql: string; params: string[] } {
  const declared = new Set(spec.columns.map((c) => c.name));
  const full = rows.map((r, i) => {
    const row: Row = { ...defaults, ...r };
    for (const k of Object.keys(row)) if (!declared.has(k)) throw new Error(`input column ${k} is not declared`);
    if (declared.has('event_id') && row.event_id == null) row.event_id = `e${i + 1}`;
    return row;
  });
  const cols = spec.columns.map((c) => {
    const key = c.name.replaceAll("'", "''");
    const value = c.type.endsWith('[]') ? `r->'${key}'` : `r->>'${key}'`;
    return `cast(${value} as ${c.type}) as ${quoteIdent(c.name)}`;
  });
  return {
    sql: `with raw as (select unnest(json_extract($1::json, '$[*]')) as r) select ${cols.join(', ')} from raw`,
    params: [JSON.stringify(full)],
  };
}

/** Publishes `events` as silver.listening_with_features (typed by its declaration, missing columns null). */
export async function writeSilverEvents(s: LakeSession, events: Row[]): Promise<void> {
  const tx = s.begin();
  const { sql, params } = typedRowsSql(silverEvents, events);
  await tx.write(silverEvents, { sql, params });
  await tx.commit();
}

/** Seeds a fresh lake with the case's inputs, builds the table with the real runner, returns its rows. */
export async function runFixtureCase(config: Config, log: Logger, fx: FixtureCase, specs: Map<string, TableSpec>, goldRoot?: string): Promise<Row[]> {
  return withWriter(config, log, 'fixture', async (session) => {
    const tx = session.begin();
    for (const [qualified, rows] of Object.entries(fx.inputs)) {
      const spec = specs.get(qualified);
      if (!spec) throw new Error(`${fx.file}: input ${qualified} is not a declared table`);
      const { sql, params } = typedRowsSql(spec, rows, fx.defaults[qualified]);
      const { layer, table } = parseQualified(qualified);
      await tx.write({ layer, name: table, columns: spec.columns, grain: spec.grain }, { sql, params });
    }
    await tx.commit();
    await buildGold(session, { table: fx.table, root: goldRoot });
    const target = specs.get(`gold.${fx.table}`)!;
    const order = target.orderBy ? ` order by ${target.orderBy}` : '';
    return queryRows<Row>(session.conn, `select * from gold.${quoteIdent(fx.table)}${order}`);
  });
}

function sameValue(actual: unknown, expected: unknown, tolerance: number): boolean {
  if (typeof expected === 'number') {
    const a = typeof actual === 'string' || typeof actual === 'bigint' ? Number(actual) : actual;
    return typeof a === 'number' && Math.abs(a - expected) <= tolerance;
  }
  return JSON.stringify(actual) === JSON.stringify(expected);
}

/** Differences between built and expected rows (empty = equal): row count, then each given column. */
export function diffRows(actual: Row[], expected: Row[], spec: Pick<TableSpec, 'columns'>, tolerance = 1e-9): string[] {
  const declared = new Set(spec.columns.map((c) => c.name));
  const problems: string[] = [];
  for (const [i, row] of expected.entries()) {
    for (const k of Object.keys(row)) if (!declared.has(k)) problems.push(`expected row ${i + 1}: ${k} is not a column of the table`);
  }
  if (actual.length !== expected.length) problems.push(`expected ${expected.length} rows, got ${actual.length}`);
  for (let i = 0; i < Math.min(actual.length, expected.length); i++) {
    for (const [k, v] of Object.entries(expected[i])) {
      if (!sameValue(actual[i][k], v, tolerance)) problems.push(`row ${i + 1}, ${k}: expected ${JSON.stringify(v)}, got ${JSON.stringify(actual[i][k])}`);
    }
  }
  return problems;
}
