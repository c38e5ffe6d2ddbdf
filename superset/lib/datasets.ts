// One Superset dataset YAML per published gold (and ops) table, for
// superset/assets/datasets/Lakehouse_Trino/, from the table declarations: the dataset description is
// the table's description and grain, each column's description is the declared one. Descriptions are
// never typed twice: change them in the declaration and rerun `npx tsx superset/generate.ts`.
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { loadTables } from '../../lib/table-loader.ts';
import type { TableSpec } from '../../lib/table-spec.ts';
import { duckdbToTrinoType } from '../../lib/trino/types.ts';
import { isPublished } from '../../lib/trino/unpublished-columns.ts';
import { assetUuid } from './uuid.ts';

export const REPO_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const ASSETS_DIR = join(REPO_ROOT, 'superset', 'assets');
export const DATABASE_UUID = assetUuid('database', 'trino');
export const DATASET_DIR = 'datasets/Lakehouse_Trino';
export const TRINO_CATALOG = 'lakehouse';
/** Layers whose tables get a dataset (the ones analysts chart). */
const DATASET_LAYERS = new Set(['gold', 'ops']);

export function datasetUuid(spec: Pick<TableSpec, 'layer' | 'name'>): string {
  return assetUuid('dataset', `${spec.layer}.${spec.name}`);
}

/** Gold and ops declarations, sorted by layer and name. */
export async function loadDatasetSpecs(repoRoot = REPO_ROOT): Promise<TableSpec[]> {
  const specs: TableSpec[] = [];
  for (const folder of ['gold', 'ops']) {
    for (const { spec } of await loadTables(join(repoRoot, folder))) {
      if (DATASET_LAYERS.has(spec.layer)) specs.push(spec);
    }
  }
  return specs.sort((a, b) => `${a.layer}.${a.name}`.localeCompare(`${b.layer}.${b.name}`));
}

function isTemporal(trinoType: string): boolean {
  return trinoType === 'date' || trinoType.startsWith('timestamp');
}

function columnEntry(name: string, trinoType: string, description: string) {
  return {
    column_name: name,
    verbose_name: null,
    is_dttm: isTemporal(trinoType),
    is_active: true,
    type: trinoType.toUpperCase(),
    advanced_data_type: null,
    groupby: true,
    filterable: true,
    expression: null,
    description,
    python_date_format: null,
    datetime_format: null,
    extra: null,
  };
}

const COUNT_METRIC = {
  metric_name: 'count',
  verbose_name: 'COUNT(*)',
  metric_type: 'count',
  expression: 'COUNT(*)',
  description: null,
  d3format: null,
  currency: null,
  extra: null,
  warning_text: null,
};

/** The dataset as Superset's export writes it (same keys, same order). */
export function datasetConfig(spec: TableSpec): Record<string, unknown> {
  const columns = spec.columns
    .filter((c) => isPublished(spec.layer, spec.name, c.name))
    .map((c) => ({ c, trino: duckdbToTrinoType(c.type) }))
    .filter((x): x is { c: TableSpec['columns'][number]; trino: string } => x.trino !== null)
    .map(({ c, trino }) => columnEntry(c.name, trino, c.description));
  const dttm = columns.find((c) => c.is_dttm);
  return {
    table_name: spec.name,
    main_dttm_col: dttm ? dttm.column_name : null,
    currency_code_column: null,
    description: `${spec.description.trim()} Grain: ${spec.grainSentence.trim().replace(/\.$/, '')}.`,
    default_endpoint: null,
    offset: 0,
    cache_timeout: null,
    catalog: TRINO_CATALOG,
    schema: spec.layer,
    sql: null,
    params: null,
    template_params: null,
    filter_select_enabled: true,
    fetch_values_predicate: null,
    extra: null,
    normalize_columns: false,
    always_filter_main_dttm: false,
    folders: null,
    uuid: datasetUuid(spec),
    metrics: [COUNT_METRIC],
    columns,
    version: '1.0.0',
    database_uuid: DATABASE_UUID,
  };
}

export function toYaml(config: unknown): string {
  return YAML.stringify(config, { lineWidth: 0 });
}

export function datasetFile(spec: TableSpec): string {
  return `${DATASET_DIR}/${spec.name}.yaml`;
}

/** path (relative to the assets dir) -> YAML text, for every dataset the declarations define. */
export function renderDatasets(specs: TableSpec[]): Map<string, string> {
  return new Map(specs.map((s) => [datasetFile(s), toYaml(datasetConfig(s))]));
}
