// A table is declared in one file: name, grain, description, every column with type and
// description, and either one SELECT (sql) or a TypeScript job (build). The same descriptions become
// Trino comments and Superset dataset descriptions.
import type { BuildContext } from './build-context.ts';

export const LAYERS = ['bronze', 'silver', 'gold', 'ops'] as const;
export type Layer = (typeof LAYERS)[number];

export interface ColumnSpec {
  name: string;
  /** DuckDB type name as DESCRIBE reports it: VARCHAR, BIGINT, INTEGER, DOUBLE, BOOLEAN, TIMESTAMP, DATE, VARCHAR[] … */
  type: string;
  description: string;
}

export interface TableSpec {
  layer: Layer;
  name: string;
  /** Gold category (descriptive, diagnostic, predictive, prescriptive, cognitive). */
  category?: string;
  /** One sentence: "one row per listener and hour of day". */
  grainSentence: string;
  /** Columns whose combination is unique. Empty = no grain check (raw append-only tables). */
  grain: string[];
  description: string;
  columns: ColumnSpec[];
  /** Qualified tables read ("silver.listening_with_features"); recorded as lineage. */
  inputs: string[];
  /** One SELECT over the inputs, addressed as layer.table. Exactly one of sql/build. */
  sql?: string;
  /** Deterministic ordering of the written rows. */
  orderBy?: string;
  /** A TypeScript job (ML tables): writes its table(s) through ctx. */
  build?: (ctx: BuildContext, spec: TableSpec) => Promise<void>;
}

export function qualifiedName(spec: Pick<TableSpec, 'layer' | 'name'>): string {
  return `${spec.layer}.${spec.name}`;
}

export function defineTable<T extends TableSpec>(spec: T): T {
  if (!spec.sql === !spec.build && spec.layer === 'gold') {
    throw new Error(`${qualifiedName(spec)}: a gold table declares exactly one of sql or build`);
  }
  const names = new Set(spec.columns.map((c) => c.name));
  if (names.size !== spec.columns.length) throw new Error(`${qualifiedName(spec)}: duplicate column names`);
  for (const g of spec.grain) {
    if (!names.has(g)) throw new Error(`${qualifiedName(spec)}: grain column ${g} is not declared`);
  }
  for (const c of spec.columns) {
    if (!c.description?.trim()) throw new Error(`${qualifiedName(spec)}.${c.name}: missing description`);
  }
  return spec;
}
