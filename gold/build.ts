// Builds the gold tables declared under gold/<category>/<table>.ts, in dependency order, through ONE
// LakeTransaction per run: readers see every gold table of a run or none of them, and a failing
// table (SQL error, schema or grain not matching its declaration) publishes nothing and names itself.
import { basename, dirname } from 'node:path';
import type { LakeSession } from '../lib/session.ts';
import type { LakeTransaction } from '../lib/table-writer.ts';
import { readCatalog, type TableVersionMeta } from '../lib/lake.ts';
import { loadTables, sortByDependencies, type LoadedTable } from '../lib/table-loader.ts';
import { qualifiedName, type TableSpec } from '../lib/table-spec.ts';
import { LakehouseError, StageError, TableContractError, UsageError, errorMessage } from '../lib/errors.ts';
import { producerOf } from './shared/produced-by.ts';
import { MIN_PLAY_MS_VARIABLE, sqlVariables } from './shared/feature-sql.ts';

export const GOLD_ROOT = import.meta.dirname;

export interface GoldBuildOptions {
  /** Only the tables of this category (descriptive, diagnostic, …). */
  category?: string;
  /** Only this table (name without the layer). */
  table?: string;
  /** Folder holding <category>/<table>.ts declarations; default: this folder. */
  root?: string;
}

/** Every gold declaration, checked to sit in the folder named like its category. */
export async function loadGoldTables(root = GOLD_ROOT): Promise<LoadedTable[]> {
  const all = (await loadTables(root)).filter((t) => t.spec.layer === 'gold');
  for (const { spec, file } of all) {
    const folder = basename(dirname(file));
    if (spec.category !== folder) {
      throw new TableContractError(qualifiedName(spec), `category '${spec.category ?? ''}' does not match its folder gold/${folder}/`);
    }
  }
  return all;
}

/** The tables a run builds, in build order; unknown names are a UsageError listing the valid ones. */
export function selectGoldTables(all: LoadedTable[], opts: GoldBuildOptions): TableSpec[] {
  const categories = [...new Set(all.map((t) => t.spec.category!))].sort();
  if (opts.category !== undefined && !categories.includes(opts.category)) {
    throw new UsageError(`--category ${opts.category}: unknown gold category; valid: ${categories.join(', ')}`);
  }
  let chosen = all.filter((t) => opts.category === undefined || t.spec.category === opts.category);
  if (opts.table !== undefined) {
    const name = opts.table.replace(/^gold\./, '');
    const valid = chosen.map((t) => t.spec.name).sort();
    chosen = chosen.filter((t) => t.spec.name === name);
    if (chosen.length === 0) throw new UsageError(`--table ${opts.table}: unknown gold table${opts.category ? ` in ${opts.category}` : ''}; valid: ${valid.join(', ')}`);
  }
  const producers = (spec: TableSpec) => [producerOf(spec)].filter((p): p is string => p !== null);
  return sortByDependencies(chosen, producers).map((t) => t.spec);
}

export async function buildGold(session: LakeSession, opts: GoldBuildOptions = {}): Promise<TableVersionMeta[]> {
  const all = await loadGoldTables(opts.root);
  const selected = selectGoldTables(all, opts);
  const byName = new Map(all.map((t) => [qualifiedName(t.spec), t.spec]));
  // The stream threshold of the feature statistics (gold/shared/feature-sql.ts isStream), bound, not spliced.
  await session.conn.run(`set variable ${MIN_PLAY_MS_VARIABLE} = $1`, [session.config.minPlayMs]);
  const tx = session.begin();
  try {
    const builtHere = tablesWritten(selected, byName);
    for (const [i, spec] of selected.entries()) {
      prefetchSqlTables(session, tx, selected, i, builtHere);
      await buildTable(session, tx, spec, byName);
    }
    const published = await tx.commit();
    session.log.info({ tables: published.length, run_id: session.runId }, 'gold published');
    return published;
  } catch (err) {
    await tx.abort();
    throw err;
  }
}

/** SQL tables computed ahead of their turn, at most this many at once (a Trino cluster runs them side by side). */
export const PREFETCH_WINDOW = 3;

/** The write of a SQL table (as buildTable does it). */
function sqlWrite(session: LakeSession, spec: TableSpec) {
  return { sql: spec.sql!, orderBy: spec.orderBy, inputs: spec.inputs, portable: true, variables: sqlVariables(session.config) };
}

/**
 * With a remote engine (--engine trino): starts the SQL tables among the next PREFETCH_WINDOW of
 * `order` whose inputs are ready (committed before the build, or staged already), so that they
 * compute while the current table does; their turn in the loop then only validates and stages them.
 * (A no-op on DuckDB: LakeTransaction.prefetch ignores writes it computes itself.)
 */
function prefetchSqlTables(session: LakeSession, tx: LakeTransaction, order: TableSpec[], at: number, builtHere: Set<string>): void {
  if (!tx.remote) return;
  const ready = (input: string) => !builtHere.has(input) || isStaged(tx, input);
  for (const spec of order.slice(at, at + PREFETCH_WINDOW + 1)) {
    if (spec.sql && !producerOf(spec) && spec.inputs.every(ready)) tx.prefetch(spec, sqlWrite(session, spec));
  }
}

/** Every table the jobs of `order` write: the tables themselves and whatever their producers write too. */
function tablesWritten(order: TableSpec[], byName: Map<string, TableSpec>): Set<string> {
  const jobs = new Set(order.map((spec) => producerOf(spec) ?? qualifiedName(spec)));
  return new Set([...byName.values()].filter((spec) => jobs.has(producerOf(spec) ?? qualifiedName(spec))).map(qualifiedName));
}

function isStaged(tx: LakeTransaction, qualified: string): boolean {
  return tx.stagedTables().some((m) => `${m.layer}.${m.table}` === qualified);
}

async function buildTable(session: LakeSession, tx: LakeTransaction, spec: TableSpec, byName: Map<string, TableSpec>): Promise<void> {
  const name = qualifiedName(spec);
  if (isStaged(tx, name)) return; // already written by an earlier job of this run
  const producer = producerOf(spec);
  const job = producer ? byName.get(producer) : spec;
  if (!job) throw new TableContractError(name, `written by ${producer}, which is not declared`);
  if (job !== spec && isStaged(tx, producer!)) throw new TableContractError(name, `the job of ${producer} ran but did not write it`);
  checkInputs(session, tx, job);
  const started = Date.now();
  try {
    if (job.sql) {
      await tx.write(job, sqlWrite(session, job));
    }
    else await job.build!(session.context(tx), job);
  } catch (err) {
    if (err instanceof LakehouseError) throw err;
    throw new StageError(qualifiedName(job), errorMessage(err), { cause: err });
  }
  if (!isStaged(tx, name)) throw new TableContractError(name, `its build job${producer ? ` (${producer})` : ''} finished without writing it`);
  const meta = tx.stagedTables().find((m) => `${m.layer}.${m.table}` === name)!;
  session.log.info({ table: name, rows: meta.rows, ms: Date.now() - started }, 'built');
}

function checkInputs(session: LakeSession, tx: LakeTransaction, spec: TableSpec): void {
  const catalog = readCatalog(session.config.dataDir);
  for (const input of spec.inputs) {
    if (!(input in catalog.tables) && !isStaged(tx, input)) {
      const hint = input.startsWith('silver.')
        ? ' (run `lakehouse build silver` first)'
        : ` (build it first: \`lakehouse build gold --table ${input.split('.')[1]}\`, or the whole layer with \`lakehouse build gold\`)`;
      throw new StageError(qualifiedName(spec), `input ${input} has not been built${hint}`);
    }
  }
}
