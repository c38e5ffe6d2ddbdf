// How the catalog is split for the track-level models. Groups are feature vectors (silver's
// feature_key): a track id has one row in silver.catalog_tracks, and tracks with identical features
// (the same recording under several ids) form one group, so no duplicate ever straddles a split.
//
//   hold-out  ~20 % of the groups, seeded: the headline test metrics; never trained on.
//   training  the other groups, at most `trainCap` rows (seeded sample stratified by mood).
//   CV        grouped k-fold over a seeded sample of the training groups (at most `cvCap` rows).
import { assertNoGroupLeak, groupedHoldout, groupedKFold, stratifiedSample, type Fold } from '../../lib/ml/folds.ts';

export interface CatalogSplitOptions {
  holdoutShare: number;
  folds: number;
  cvCap: number;
  /** Undefined: every training row. */
  trainCap?: number;
  seed: number;
}

export interface CatalogSplit {
  /** Row indexes of the catalog, ascending. */
  train: number[];
  holdout: number[];
  /** Training rows not in `train` because of the cap (neither trained on nor tested). */
  unused: number[];
  /** Folds over catalog row indexes (a subset of the training side). */
  folds: Fold[];
}

function pickAll<T>(values: readonly T[], idx: readonly number[]): T[] {
  return idx.map((i) => values[i]);
}

export function splitCatalog(groups: readonly string[], strata: readonly string[], o: CatalogSplitOptions): CatalogSplit {
  const { train: dev, test: holdout } = groupedHoldout(groups, o.holdoutShare, o.seed);
  const capped = o.trainCap !== undefined && dev.length > o.trainCap
    ? pickAll(dev, stratifiedSample(pickAll(strata, dev), o.trainCap, `${o.seed}:train`))
    : dev;
  const inTrain = new Set(capped);
  const cvCap = Math.min(o.cvCap, o.trainCap ?? Infinity);
  const cvRows = dev.length > cvCap ? pickAll(dev, stratifiedSample(pickAll(strata, dev), cvCap, `${o.seed}:cv`)) : dev;
  const folds = groupedKFold(pickAll(groups, cvRows), o.folds, o.seed).map((f) => ({ index: f.index, train: pickAll(cvRows, f.train), test: pickAll(cvRows, f.test) }));
  const split: CatalogSplit = { train: capped, holdout, unused: dev.filter((i) => !inTrain.has(i)), folds };
  assertSplitHonest(groups, split);
  return split;
}

/** No group on both sides of the hold-out split or of any fold. */
export function assertSplitHonest(groups: readonly string[], split: Pick<CatalogSplit, 'train' | 'holdout' | 'folds'>): void {
  assertNoGroupLeak(groups, { train: split.train, test: split.holdout });
  for (const f of split.folds) assertNoGroupLeak(groups, f);
}
