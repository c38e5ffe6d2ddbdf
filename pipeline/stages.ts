// The pipeline's stages as functions over a writer session. Each stage is one transaction: it
// publishes all of its tables or none, so a failure leaves the previous versions readable.
import type { LakeSession } from '../lib/session.ts';
import { readCatalog, type Catalog, type TableVersionMeta } from '../lib/lake.ts';
import { buildSynthetic } from '../bronze/track_features_synthetic.ts';
import { buildSilver } from '../silver/listening_with_features.ts';
import { buildCatalogTracks } from '../silver/catalog_tracks.ts';
import { buildListeningSessions } from '../silver/listening_sessions.ts';
import { buildListenerStudies } from '../silver/listener_studies.ts';
import { ingestKaggle, type KaggleIngestSummary } from '../ingestion/kaggle/ingest.ts';
import { ingestExports, type ExportIngestSummary } from '../ingestion/exports/ingest.ts';

export interface StageResult<T = unknown> {
  stage: string;
  duration_ms: number;
  tables: { table: string; rows: number; version: number }[];
  detail?: T;
}

/** Runs fn in its own transaction; commits on success, aborts on failure. */
export async function inTransaction<T>(session: LakeSession, stage: string, fn: (ctx: ReturnType<LakeSession['context']>) => Promise<T>): Promise<StageResult<T>> {
  const started = Date.now();
  const tx = session.begin();
  try {
    const detail = await fn(session.context(tx));
    const published = await tx.commit();
    return { stage, duration_ms: Date.now() - started, tables: published.map(summarise), detail };
  } catch (err) {
    await tx.abort();
    throw err;
  }
}

export function summarise(m: TableVersionMeta): { table: string; rows: number; version: number } {
  return { table: `${m.layer}.${m.table}`, rows: m.rows, version: m.version };
}

/** Tables whose current version differs from the one in `before` (a catalog snapshot). */
export function changedTables(before: Catalog, dataDir: string): { table: string; rows: number; version: number }[] {
  return Object.entries(readCatalog(dataDir).tables)
    .filter(([key, meta]) => before.tables[key]?.version !== meta.version)
    .map(([, meta]) => summarise(meta));
}

export const ingestKaggleStage = (s: LakeSession, csv: string): Promise<StageResult<KaggleIngestSummary>> =>
  inTransaction(s, 'ingest kaggle', (ctx) => ingestKaggle(ctx, csv));

export const ingestExportStage = (s: LakeSession, paths: string[], listener: string, timezone?: string, study?: string): Promise<StageResult<ExportIngestSummary>> =>
  inTransaction(s, `ingest export ${listener}`, (ctx) => ingestExports(ctx, paths, listener, timezone, study));

export const syntheticStage = (s: LakeSession) => inTransaction(s, 'synthetic', (ctx) => buildSynthetic(ctx));

/** Synthetic features first (only generates what is missing), then silver, in one transaction. */
export const silverStage = (s: LakeSession) =>
  inTransaction(s, 'silver', async (ctx) => {
    const synthetic = await buildSynthetic(ctx);
    const silver = await buildSilver(ctx);
    await buildListeningSessions(ctx);
    await buildCatalogTracks(ctx);
    await buildListenerStudies(ctx);
    return { synthetic_generated: synthetic.generated, silver_rows: silver.rows };
  });
