// Helpers for publish.stack.test.ts: a probe table with every column type the lake uses, the
// per-table checksum SQL (one dialect each for DuckDB and Trino), and what Trino has published.
import type { TableVersionMeta } from '../lake.ts';
import type { WriteSpec } from '../table-writer.ts';
import { trinoFromEnv, type TrinoClient } from './client.ts';
import { physicalFromViewSql, VERSIONS_SCHEMA } from './publish-plan.ts';

/** How scripts/test-stack.sh reaches Trino: URL, user (lakehouse), password and CA file, for testConfig(). */
export function trinoEnv(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of ['TRINO_URL', 'TRINO_USER', 'TRINO_PASSWORD', 'TRINO_CA_FILE']) if (process.env[k]) out[k] = process.env[k]!;
  return out;
}

/** The pipeline's client (TRINO_USER/TRINO_PASSWORD from scripts/test-stack.sh). */
export function pipelineTrino(): TrinoClient {
  return trinoFromEnv();
}

export const PROBE: WriteSpec = {
  layer: 'ops',
  name: 'publish_probe',
  description: 'Probe table written by the Trino stack test',
  grain: ['id'],
  columns: [
    { name: 'id', type: 'INTEGER', description: 'Row number' },
    { name: 'big', type: 'BIGINT', description: 'A large integer' },
    { name: 'ratio', type: 'DOUBLE', description: 'A fraction' },
    { name: 'is_even', type: 'BOOLEAN', description: 'Whether id is even' },
    { name: 'label', type: 'VARCHAR', description: "A label with a quote: it's" },
    { name: 'seen_at', type: 'TIMESTAMP', description: 'An instant (UTC)' },
    { name: 'seen_date', type: 'DATE', description: 'A day' },
    { name: 'tags', type: 'VARCHAR[]', description: 'A list' },
  ],
};

export function probeSql(firstId: number, n: number): string {
  return `select i::integer as id, (i * 10000000000)::bigint as big, i / 7.0 as ratio, i % 2 = 0 as is_even,
    'ß-' || i as label, timestamp '2025-03-30 00:59:59.250' + to_seconds(i * 3600) as seen_at,
    date '2024-02-28' + i::integer as seen_date, case when i % 3 = 0 then null else ['a', 'b' || i] end as tags
    from range(${firstId}, ${firstId + n}) r(i)`;
}

type Dialect = 'duckdb' | 'trino';

/** count(*), then per column (at most 6): non-null count and a type-specific sum. */
export function checksumSql(meta: TableVersionMeta, dialect: Dialect): string {
  const parts = ['count(*)'];
  const q = (n: string) => `"${n.replace(/"/g, '""')}"`;
  for (const c of meta.columns.filter((x) => x.name !== 'display_label').slice(0, 6)) {
    const col = q(c.name);
    const sum = (() => {
      if (/^(TINYINT|SMALLINT|INTEGER|BIGINT|DOUBLE|FLOAT|DECIMAL)/.test(c.type)) return `sum(cast(${col} as double))`;
      if (c.type === 'BOOLEAN') return `count_if(${col})`;
      if (c.type === 'VARCHAR') return `sum(length(${col}))`;
      if (c.type === 'DATE') return `sum(date_diff('day', date '1970-01-01', ${col}))`;
      if (/^TIMESTAMP/.test(c.type)) return dialect === 'duckdb' ? `sum(epoch(${col}))` : `sum(to_unixtime(${col}))`;
      return null;
    })();
    parts.push(`count(${col})`);
    if (sum) parts.push(`coalesce(${sum}, 0)`);
  }
  const from = dialect === 'duckdb' ? `${meta.layer}.${q(meta.table)}` : `lakehouse.${meta.layer}.${q(meta.table)}`;
  return `select ${parts.map((p) => `cast(${p} as double)`).join(', ')} from ${from}`;
}

export interface PublishedView {
  physical: string;
  comment: string | null;
  columns: Map<string, { type: string; comment: string | null }>;
}

/** "layer.table" -> the published view, its comment, columns and version table. */
export async function publishedState(trino: TrinoClient): Promise<Map<string, PublishedView>> {
  const schemas = "('bronze', 'silver', 'gold', 'ops')";
  const views = await trino.rows(`select table_schema, table_name, view_definition from lakehouse.information_schema.views where table_schema in ${schemas} order by 1, 2`);
  const comments = await trino.rows(`select schema_name, table_name, comment from system.metadata.table_comments where catalog_name = 'lakehouse' and schema_name in ${schemas}`);
  const columns = await trino.rows(`select table_schema, table_name, column_name, data_type, comment from lakehouse.information_schema.columns where table_schema in ${schemas} order by ordinal_position`);
  const out = new Map<string, PublishedView>();
  for (const v of views) {
    const key = `${v.table_schema}.${v.table_name}`;
    const comment = comments.find((c) => c.schema_name === v.table_schema && c.table_name === v.table_name)?.comment ?? null;
    out.set(key, { physical: physicalFromViewSql(String(v.view_definition)) ?? '', comment: comment as string | null, columns: new Map() });
  }
  for (const c of columns) {
    out.get(`${c.table_schema}.${c.table_name}`)?.columns.set(String(c.column_name), { type: String(c.data_type), comment: (c.comment as string | null) ?? null });
  }
  return out;
}

/** external_location of a version table (`_versions.<name>` or the bare name), from SHOW CREATE TABLE. */
export async function physicalLocation(trino: TrinoClient, physical: string): Promise<string> {
  const { rows } = await trino.query(`show create table lakehouse."${VERSIONS_SCHEMA}"."${physical.replace(/^_versions\./, '')}"`);
  const m = /external_location = '([^']*)'/.exec(String(rows[0]?.[0] ?? ''));
  if (!m) throw new Error(`${physical}: SHOW CREATE TABLE names no external_location`);
  return m[1];
}
