// Developer tool: runs the SQL of silver and of every SQL gold table on DuckDB and, translated by
// lib/sql-dialect.ts, on the Trino at TRINO_URL (which must serve this data dir, published), and
// compares the two results as multisets of rows (doubles to 10 significant digits, timestamps to the
// microsecond). It reads the published tables only and writes nothing: the quick loop while making a
// table's SQL portable. The parity of built tables (Parquet written by each engine) is tested by the
// engine's stack tests.
//   node --import tsx scripts/engine-parity-sql.ts --data-dir <lake> [table-substring …] [--show]
import { loadConfig } from '../lib/config.ts';
import { silentLogger } from '../lib/logger.ts';
import { withReader } from '../lib/session.ts';
import { queryRows } from '../lib/duckdb.ts';
import { relationExists } from '../lib/lake.ts';
import { trinoFromConfig } from '../lib/trino/client.ts';
import { toTrinoSql } from '../lib/sql-dialect.ts';
import { loadGoldTables } from '../gold/build.ts';
import { silverSql } from '../silver/listening-with-features-sql.ts';
import { MIN_PLAY_MS_VARIABLE } from '../gold/shared/feature-sql.ts';
import { errorMessage } from '../lib/errors.ts';

const args = process.argv.slice(2);
const dataDir = args[args.indexOf('--data-dir') + 1];
if (!args.includes('--data-dir') || !dataDir) throw new Error('usage: engine-parity-sql.ts --data-dir <lake> [table-substring …] [--show]');
const show = args.includes('--show');
const filters = args.filter((a, i) => !a.startsWith('--') && args[i - 1] !== '--data-dir');

function canonical(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : Number(v.toPrecision(10)).toString();
  if (typeof v === 'string') {
    const ts = v.match(/^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:\.(\d+))?Z?$/);
    if (ts) return `${ts[1]} ${ts[2]}.${(ts[3] ?? '').padEnd(6, '0')}`;
    if (/^-?\d+\.\d+(e-?\d+)?$/i.test(v)) return Number(Number(v).toPrecision(10)).toString();
    if (v === 'NaN' || v === 'Infinity' || v === '-Infinity') return v;
    if (/^-?\d+$/.test(v)) return v; // DuckDB's JSON rows give BIGINT as strings
    return JSON.stringify(v);
  }
  return String(v);
}

const rowKey = (r: Record<string, unknown>, cols: string[]) => cols.map((c) => canonical(r[c])).join(' | ');

function diff(a: string[], b: string[]): string[] {
  const counts = new Map<string, number>();
  for (const k of b) counts.set(k, (counts.get(k) ?? 0) + 1);
  const out: string[] = [];
  for (const k of a) {
    const n = counts.get(k) ?? 0;
    if (n > 0) counts.set(k, n - 1);
    else out.push(k);
  }
  return out;
}

const config = loadConfig({ dataDir });
const trino = trinoFromConfig(config);
const targets: { name: string; sql: string }[] = [];
for (const { spec } of await loadGoldTables()) if (spec.sql) targets.push({ name: `gold.${spec.name}`, sql: spec.sql });

let failed = 0;
await withReader(config, silentLogger, async (s) => {
  await s.conn.run(`set variable ${MIN_PLAY_MS_VARIABLE} = ${config.minPlayMs}`);
  const has = (t: string) => relationExists(s.conn, 'bronze', t);
  targets.unshift({ name: 'silver.listening_with_features', sql: silverSql({
    hasApiFeatures: await has('track_features_api'), hasSynthetic: await has('track_features_synthetic'), hasKaggle: await has('kaggle_tracks'), allowSynthetic: config.allowSynthetic,
  }) });
  for (const t of targets) {
    if (filters.length > 0 && !filters.some((f) => t.name.includes(f))) continue;
    const started = Date.now();
    try {
      const duck = await queryRows<Record<string, unknown>>(s.conn, t.sql);
      const translated = toTrinoSql(t.sql, { variables: { [MIN_PLAY_MS_VARIABLE]: config.minPlayMs } });
      if (show) process.stderr.write(`--- ${t.name}\n${translated}\n`);
      const tr = await trino.rows(translated);
      const cols = Object.keys(duck[0] ?? tr[0] ?? {});
      const a = duck.map((r) => rowKey(r, cols));
      const b = tr.map((r) => rowKey(r, cols));
      const onlyDuck = diff(a, b);
      const onlyTrino = diff(b, a);
      const ok = onlyDuck.length === 0 && onlyTrino.length === 0;
      if (!ok) failed++;
      console.log(JSON.stringify({ table: t.name, duckdb_rows: a.length, trino_rows: b.length, only_duckdb: onlyDuck.length, only_trino: onlyTrino.length, equal: ok, ms: Date.now() - started }));
      if (!ok) {
        console.log(`  columns: ${cols.join(' | ')}`);
        for (const r of onlyDuck.slice(0, 3)) console.log(`  duckdb only: ${r}`);
        for (const r of onlyTrino.slice(0, 3)) console.log(`  trino only:  ${r}`);
      }
    } catch (err) {
      failed++;
      console.log(JSON.stringify({ table: t.name, error: errorMessage(err).slice(0, 1500) }));
    }
  }
});
process.exitCode = failed > 0 ? 1 : 0;
