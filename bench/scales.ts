// The benchmark scales of issue 10. Every scale uses the full-size (114k-row) Kaggle catalog.
export type ScaleName = 'small' | 'medium' | 'large';

export interface Scale {
  name: ScaleName;
  listeners: number;
  eventsPerListener: number;
  catalogRows: number;
  /** Runs whose median is reported; the large scale is measured once. */
  defaultRuns: number;
}

export const SCALES: Record<ScaleName, Scale> = {
  small: { name: 'small', listeners: 1, eventsPerListener: 1_500, catalogRows: 114_000, defaultRuns: 3 },
  medium: { name: 'medium', listeners: 100, eventsPerListener: 10_000, catalogRows: 114_000, defaultRuns: 3 },
  large: { name: 'large', listeners: 1_000, eventsPerListener: 10_000, catalogRows: 114_000, defaultRuns: 1 },
};

export function isScaleName(s: string): s is ScaleName {
  return Object.hasOwn(SCALES, s);
}
