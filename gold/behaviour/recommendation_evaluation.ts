import { defineTable } from '../../lib/table-spec.ts';
import { producedBy } from '../shared/produced-by.ts';
import { EVALUATION, RECOMMENDER } from './recommend-job.ts';

export default defineTable({
  layer: 'gold',
  category: 'behaviour',
  name: 'recommendation_evaluation',
  grainSentence: 'one row per recommender (the item-item blend and its most-popular baseline) and list length k',
  grain: ['model', 'k'],
  description:
    'How well gold.track_recommendations would have predicted what listeners went on to discover. Both recommenders are fitted ' +
    `on the plays before a cut-off date (the first UTC midnight at or before the moment by which ${EVALUATION.trainShare * 100} % of the lake's plays had ended) ` +
    "and scored on each listener's first listens after it: hit rate@k is the share of evaluable listeners (plays before the cut-off and at " +
    `least one first listen after it) with at least one of their top k recommendations among those first listens. The baseline recommends ` +
    "the tracks most listeners played in the training window, minus the listener's own. diff is model minus baseline, with a 95 % " +
    'cluster-bootstrap interval over listeners and a verdict (better / worse / inconclusive; inconclusive below 5 listeners). ' +
    'Empty when fewer than two listeners are in the lake or nobody has plays on both sides of the cut-off (the build log says which).',
  columns: [
    { name: 'model', type: 'VARCHAR', description: `${EVALUATION.model} (the recommender of track_recommendations) or ${EVALUATION.baseline} (the baseline)` },
    { name: 'k', type: 'INTEGER', description: `Length of the recommendation list scored: ${EVALUATION.ks.join(' or ')} (of the ${RECOMMENDER.top} kept)` },
    { name: 'hit_rate', type: 'DOUBLE', description: 'Share of the evaluable listeners with at least one hit among the top k' },
    { name: 'hits', type: 'BIGINT', description: 'Evaluable listeners with at least one hit among the top k' },
    { name: 'evaluable_listeners', type: 'BIGINT', description: 'Listeners with plays before the cut-off and at least one first listen after it' },
    { name: 'baseline', type: 'VARCHAR', description: 'The recommender compared with (null on the baseline row)' },
    { name: 'baseline_hit_rate', type: 'DOUBLE', description: "The baseline's hit rate at the same k (null on the baseline row)" },
    { name: 'diff', type: 'DOUBLE', description: 'hit_rate - baseline_hit_rate (null on the baseline row)' },
    { name: 'diff_ci_low', type: 'DOUBLE', description: 'Lower end of the 95 % bootstrap interval of diff, resampling listeners; null below 5 listeners' },
    { name: 'diff_ci_high', type: 'DOUBLE', description: 'Upper end of the 95 % bootstrap interval of diff; null below 5 listeners' },
    { name: 'verdict', type: 'VARCHAR', description: 'better (whole interval above 0), worse (below 0) or inconclusive; null on the baseline row' },
    { name: 'cutoff_date', type: 'DATE', description: 'Plays before this UTC midnight are the training window; first listens from it on are the test set' },
    { name: 'train_plays', type: 'BIGINT', description: 'Plays in the training window (all listeners)' },
    { name: 'test_first_listens', type: 'BIGINT', description: 'First listens after the cut-off (all listeners)' },
    { name: 'listeners_in_lake', type: 'BIGINT', description: 'Listeners in the lake' },
    { name: 'bootstrap_resamples', type: 'INTEGER', description: 'Resamples of the listener bootstrap' },
    { name: 'seed', type: 'INTEGER', description: 'Seed of the bootstrap (a constant: results do not depend on the pseudonyms)' },
  ],
  inputs: ['silver.listening_with_features'],
  build: producedBy('track_recommendations'),
  orderBy: 'model, k',
});
