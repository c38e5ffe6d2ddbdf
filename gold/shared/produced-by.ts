// Some ML jobs write several tables (a model's predictions, its metrics, its feature importances).
// Each of those tables still has its own declaration file; the ones written by another table's job
// declare `build: producedBy('<job table>')`, so the runner knows to run that job (once) instead.
import type { TableSpec } from '../../lib/table-spec.ts';
import type { BuildContext } from '../../lib/build-context.ts';

export type BuildFn = NonNullable<TableSpec['build']>;
type ProducedBy = BuildFn & { producedBy: string };

/** A build function that stands for "written by the job of gold.<table>". */
export function producedBy(table: string): BuildFn {
  const qualified = table.includes('.') ? table : `gold.${table}`;
  const fn = async (_ctx: BuildContext, spec: TableSpec): Promise<void> => {
    throw new Error(`${spec.layer}.${spec.name}: written by the job of ${qualified}, which must run first`);
  };
  return Object.assign(fn, { producedBy: qualified });
}

/** The qualified table whose job writes this table, or null when the table builds itself. */
export function producerOf(spec: TableSpec): string | null {
  return (spec.build as Partial<ProducedBy> | undefined)?.producedBy ?? null;
}
