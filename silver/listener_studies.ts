// silver.listener_studies: which study each registered listener belongs to. Built in the silver stage
// from bronze.listeners, so analysts (who never read bronze) can be restricted to studies by a Trino
// row filter or a Superset RLS clause of the form
//   listener_id in (select listener_id from silver.listener_studies where study_id in (…))
// It is per listener, so erasing a listener removes their row like any other listener row.
import { defineTable } from '../lib/table-spec.ts';
import type { BuildContext } from '../lib/build-context.ts';
import type { TableVersionMeta } from '../lib/lake.ts';
import { listenerStudiesSql } from '../bronze/listener-registry.ts';
import { DEFAULT_STUDY } from '../lib/study-id.ts';

const spec = defineTable({
  layer: 'silver',
  name: 'listener_studies',
  grainSentence: 'one row per registered listener',
  grain: ['listener_id'],
  description:
    `The study of every registered (not erased) listener, from the listener registry; join it on listener_id to restrict or group any listener-level table by study. Listeners registered without a study, and every listener of a registry written before studies existed, are in the study '${DEFAULT_STUDY}'.`,
  columns: [
    { name: 'listener_id', type: 'VARCHAR', description: 'Pseudonymous id of the listener' },
    { name: 'study_id', type: 'VARCHAR', description: `The study the listener takes part in ('${DEFAULT_STUDY}' unless set with lakehouse listeners add|set --study or listeners.csv)` },
  ],
  inputs: ['bronze.listeners'],
  orderBy: 'listener_id',
});
export default spec;

/** Builds the table from the current registry in the caller's transaction (empty when there is none). */
export async function buildListenerStudies(ctx: BuildContext): Promise<TableVersionMeta> {
  const registry = await listenerStudiesSql(ctx.conn);
  const sql = registry === null
    ? 'select null::varchar as listener_id, null::varchar as study_id where false'
    : `with registry as (\n  ${registry}\n)\nselect listener_id, study_id from registry`;
  // Always whole, also under --study: it is what Trino and Superset filter studies by, so it must follow
  // the registry for every listener (a listener moved to another study included).
  return ctx.tx.write(spec, { sql, orderBy: spec.orderBy, inputs: registry === null ? [] : spec.inputs, wholeTable: true });
}
