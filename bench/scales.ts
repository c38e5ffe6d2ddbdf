// The benchmark scales of issue 10. Every scale uses the full-size (114k-row) Kaggle catalog.
export type ScaleName = 'small' | 'medium' | 'large';

export interface Scale {
  name: ScaleName;
  listeners: number;
  eventsPerListener: number;
  catalogRows: number;
  /** Runs whose median is reported; the large scale is measured once. */
  defaultRuns: number;
  /**
   * DUCKDB_MEMORY_LIMIT the stages run with unless the caller sets one. DuckDB's limit bounds its
   * buffer pool only; its other allocations, the allocator's fragmentation and Node add 1-1.5 GiB
   * (measured: 3GB gave 4.2-4.6 GiB peak RSS at the large scale), so a 4 GB process budget means 2GB.
   */
  duckdbMemoryLimit?: string;
}

export const SCALES: Record<ScaleName, Scale> = {
  small: { name: 'small', listeners: 1, eventsPerListener: 1_500, catalogRows: 114_000, defaultRuns: 3 },
  medium: { name: 'medium', listeners: 100, eventsPerListener: 10_000, catalogRows: 114_000, defaultRuns: 3 },
  large: { name: 'large', listeners: 1_000, eventsPerListener: 10_000, catalogRows: 114_000, defaultRuns: 1, duckdbMemoryLimit: '2GB' },
};

export function isScaleName(s: string): s is ScaleName {
  return Object.hasOwn(SCALES, s);
}
