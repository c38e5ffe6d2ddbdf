// The rules file of Trino's file-based access control (trino/etc/access-control.properties), generated
// from the analysts' study grants (studies.yaml in TRINO_SECURITY_DIR) and from the table
// declarations (which silver/gold/ops tables carry a listener_id). One file, rewritten whole; Trino
// re-reads it every refresh period. What it says:
//   - `lakehouse` (the pipeline) owns the catalog: the only user that creates, replaces or drops
//     schemas, tables (including external tables) and views, and the only one that writes data: the
//     Trino engine's CREATE TABLE ... AS SELECT into the `_staging` schema, whose external tables
//     write a new version's Parquet files into a staging folder of the lake;
//   - `superset` (Superset's connection) and every analyst read silver, gold and ops only: never
//     bronze, never the hidden `_versions` schema behind the views, never `_staging` (a run's
//     unpublished, unchecked output), nothing outside the lake but the
//     system catalog's metadata tables clients need (system.jdbc, system.metadata, ...);
//   - an analyst reads a listener-level table (one with listener_id) through a row filter that keeps
//     the listeners of the studies granted to them; ops rows without a listener stay visible; tables
//     without listener_id (catalog-level, model tables) are read whole; any other table (not
//     declared when the rules were generated) is not readable by analysts at all;
//   - every user sees only their own queries; no procedures, no functions but the built-in ones, no
//     impersonation, no ALTER ... SET AUTHORIZATION.
import { STUDY_ID_RULE, isStudyId } from '../study-id.ts';
import { TRINO_CATALOG } from './client.ts';

export const PIPELINE_USER = 'lakehouse';
export const SUPERSET_USER = 'superset';
export const SERVICE_USERS = [PIPELINE_USER, SUPERSET_USER] as const;
/** The lake's schemas readers may read; bronze (raw landing) and `_versions` are never among them. */
export const READABLE_LAYERS = ['silver', 'gold', 'ops'] as const;
export type ReadableLayer = (typeof READABLE_LAYERS)[number];
/** The schema of the Trino engine's write tables (external tables over a run's staging folders); lakehouse only. */
export { STAGING_SCHEMA } from './engine.ts';
/** The table every row filter reads the listener → study mapping from. */
export const STUDIES_TABLE = `${TRINO_CATALOG}.silver.listener_studies`;

/** Analyst user names: short and plain, so they are safe in the rules' regular expressions and in the password file. */
const ANALYST_NAME = /^[a-z][a-z0-9_-]{0,31}$/;
export const ANALYST_NAME_RULE = "1-32 characters: lowercase letters, digits, '_' and '-', starting with a letter";

export function analystNameProblem(name: string): string | null {
  if (!ANALYST_NAME.test(name)) return `"${name}" is not a valid analyst name (${ANALYST_NAME_RULE})`;
  if ((SERVICE_USERS as readonly string[]).includes(name)) return `"${name}" is a service user, not an analyst`;
  return null;
}

/** The study ids of bronze.listeners (lib/study-id.ts): safe inside a plain SQL string literal. */
export function studyIdProblem(id: string): string | null {
  return isStudyId(id) ? null : `"${id}" is not a valid study id (${STUDY_ID_RULE})`;
}

/** analyst name → the study ids granted to them. */
export type Grants = Record<string, string[]>;

export interface DeclaredTable {
  layer: string;
  name: string;
  hasListenerId: boolean;
}

/** The row filter of an analyst on a listener-level table of `layer`. */
export function studyFilter(studies: readonly string[], layer: ReadableLayer): string {
  for (const s of studies) {
    const problem = studyIdProblem(s);
    if (problem) throw new Error(problem);
  }
  const granted = studies.length === 0
    ? 'false'
    : `listener_id IN (SELECT listener_id FROM ${STUDIES_TABLE} WHERE study_id IN (${[...studies].sort().map((s) => `'${s}'`).join(', ')}))`;
  // ops rows are not all per listener (listener_id is nullable there): rows of no listener stay visible.
  return layer === 'ops' ? `listener_id IS NULL OR ${granted === 'false' ? 'false' : `(${granted})`}` : granted;
}

const alternation = (names: readonly string[]) => names.join('|');
const READ = ['SELECT'];
const ALL_PRIVILEGES = ['SELECT', 'INSERT', 'DELETE', 'UPDATE', 'OWNERSHIP', 'GRANT_SELECT'];

export interface AccessRules {
  catalogs: object[];
  schemas: object[];
  tables: object[];
  queries: object[];
  functions: object[];
  procedures: object[];
  authorization: object[];
  system_session_properties: object[];
  catalog_session_properties: object[];
}

/**
 * The rules for the given grants and declared tables. Deterministic (sorted), so regenerating with
 * the same inputs writes the same file.
 */
export function accessRules(grants: Grants, declared: readonly DeclaredTable[]): AccessRules {
  const analysts = Object.keys(grants).sort();
  for (const a of analysts) {
    const problem = analystNameProblem(a);
    if (problem) throw new Error(problem);
  }
  const readers = [SUPERSET_USER, ...analysts];
  const everyone = [PIPELINE_USER, ...readers];
  const tables: object[] = [
    { user: PIPELINE_USER, catalog: TRINO_CATALOG, privileges: ALL_PRIVILEGES },
    // Metadata clients read: system.jdbc (JDBC/ODBC drivers), system.metadata (table comments), and
    // system.runtime (queries are filtered to the user's own by the query rules below).
    { user: alternation(everyone), catalog: 'system', privileges: READ },
    { user: SUPERSET_USER, catalog: TRINO_CATALOG, schema: alternation(READABLE_LAYERS), privileges: READ },
  ];
  for (const analyst of analysts) {
    const studies = [...new Set(grants[analyst])].sort();
    for (const layer of READABLE_LAYERS) {
      const inLayer = declared.filter((t) => t.layer === layer);
      const perListener = inLayer.filter((t) => t.hasListenerId).map((t) => t.name).sort();
      const whole = inLayer.filter((t) => !t.hasListenerId).map((t) => t.name).sort();
      if (perListener.length > 0) {
        tables.push({
          user: analyst, catalog: TRINO_CATALOG, schema: layer, table: alternation(perListener), privileges: READ,
          filter: studyFilter(studies, layer), filter_environment: { user: PIPELINE_USER },
        });
      }
      if (whole.length > 0) tables.push({ user: analyst, catalog: TRINO_CATALOG, schema: layer, table: alternation(whole), privileges: READ });
    }
  }
  return {
    catalogs: [
      { user: PIPELINE_USER, catalog: TRINO_CATALOG, allow: 'all' },
      { user: alternation(readers), catalog: TRINO_CATALOG, allow: 'read-only' },
      { user: alternation(everyone), catalog: 'system', allow: 'read-only' },
    ],
    schemas: [
      { user: PIPELINE_USER, catalog: TRINO_CATALOG, schema: '.*', owner: true },
      { user: alternation(readers), catalog: TRINO_CATALOG, schema: alternation(READABLE_LAYERS), owner: false },
    ],
    tables,
    // Execute only: a user always sees and may kill their own queries, nobody sees anyone else's.
    queries: [{ user: alternation(everyone), allow: ['execute'] }],
    functions: [{ catalog: 'system', schema: 'builtin', function: '.*', privileges: ['EXECUTE'] }],
    procedures: [],
    authorization: [],
    system_session_properties: [{ allow: true }],
    catalog_session_properties: [{ allow: true }],
  };
}
