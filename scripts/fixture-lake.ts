// Developer tool: one lake holding the inputs of every fixture case (gold/<category>/*.fixture.*) of
// the given categories, each case's listeners renamed `c<case>:<listener>`, then builds those
// categories with DuckDB. The gold tables are per listener
// (gold/listener-isolation.test.ts), so the cases do not mix, and the lake carries every edge case the
// fixtures were written for (no features, constant series, one play, short plays, ties) at once:
// serve it with Trino and run scripts/engine-parity-sql.ts on it, or build it again with
// `lakehouse build gold --engine trino` and compare the versions.
//   node --import tsx scripts/fixture-lake.ts --data-dir <new lake> descriptive diagnostic …
// Cases with an input that is not per listener (no listener_id column) or that is a gold table are
// skipped, with a line on stderr; a category whose tables need a silver table no case provides is not
// built (named on stderr, exit code 1).
import { join } from 'node:path';
import { loadConfig } from '../lib/config.ts';
import { silentLogger } from '../lib/logger.ts';
import { withWriter } from '../lib/session.ts';
import { parseQualified } from '../lib/lake.ts';
import type { TableSpec } from '../lib/table-spec.ts';
import { loadTables } from '../lib/table-loader.ts';
import { buildGold, loadGoldTables } from '../gold/build.ts';
import { findFixtureFiles, readFixture, typedRowsSql, type Row } from '../gold/shared/fixture-runner.ts';
import { repoRoot } from '../test/helpers.ts';
import { errorMessage } from '../lib/errors.ts';

const args = process.argv.slice(2);
const at = args.indexOf('--data-dir');
const dataDir = at >= 0 ? args[at + 1] : undefined;
const categories = args.filter((a, i) => !a.startsWith('--') && i !== at + 1);
if (!dataDir || categories.length === 0) throw new Error('usage: fixture-lake.ts --data-dir <new lake> <category> …');

const specs = new Map<string, TableSpec>();
for (const { spec } of await loadTables(join(repoRoot, 'silver'))) specs.set(`silver.${spec.name}`, spec);
for (const { spec } of await loadGoldTables()) specs.set(`gold.${spec.name}`, spec);

const merged = new Map<string, Row[]>();
let caseNo = 0;
for (const file of findFixtureFiles(join(repoRoot, 'gold'))) {
  if (!categories.some((c) => file.includes(`/${c}/`))) continue;
  for (const fx of readFixture(file)) {
    caseNo++;
    const unusable = Object.keys(fx.inputs).filter((q) => !q.startsWith('silver.') || !specs.get(q)?.columns.some((c) => c.name === 'listener_id'));
    if (unusable.length > 0) {
      process.stderr.write(`skipped ${fx.name}: input ${unusable.join(', ')} is not a per-listener silver table\n`);
      continue;
    }
    for (const [qualified, rows] of Object.entries(fx.inputs)) {
      const hasEventId = specs.get(qualified)!.columns.some((c) => c.name === 'event_id');
      const out = merged.get(qualified) ?? [];
      for (const [i, r] of rows.entries()) {
        const row: Row = { ...fx.defaults[qualified], ...r };
        row.listener_id = `c${caseNo}:${String(row.listener_id ?? '')}`;
        if (hasEventId) row.event_id = `c${caseNo}:${String(row.event_id ?? `e${i + 1}`)}`;
        out.push(row);
      }
      merged.set(qualified, out);
    }
  }
}

const failed: string[] = [];
const config = loadConfig({ dataDir }, { LOG_LEVEL: 'silent' }, dataDir);
await withWriter(config, silentLogger, 'fixture-lake', async (s) => {
  const tx = s.begin();
  for (const [qualified, rows] of merged) {
    const spec = specs.get(qualified)!;
    const { layer, table } = parseQualified(qualified);
    const { sql, params } = typedRowsSql(spec, rows);
    await tx.write({ layer, name: table, columns: spec.columns, grain: spec.grain }, { sql, params });
  }
  await tx.commit();
  for (const category of categories) {
    try {
      await buildGold(s, { category });
    } catch (err) {
      failed.push(`${category}: ${errorMessage(err)}`);
    }
  }
});
for (const f of failed) process.stderr.write(`not built: ${f}\n`);
process.exitCode = failed.length > 0 ? 1 : 0;
process.stderr.write(`${caseNo} fixture cases; ${[...merged].map(([q, r]) => `${q}: ${r.length} rows`).join(', ')}; built ${categories.join(', ')} in ${dataDir}\n`);
