import { defineTable } from '../../lib/table-spec.ts';
import { loadRows, type AppendColumn } from '../../lib/appender.ts';
import { rounded } from '../shared/feature-sql.ts';
import { BASE, RECOMMENDER, dropRecommendTables, evaluateRecommender, lakeSplit, loadListenerTracks, recommend, type EvaluationRow } from './recommend-job.ts';
import evaluation from './recommendation_evaluation.ts';

const R = RECOMMENDER;
const W = R.weights;
const EVAL_COLUMNS: AppendColumn[] = [
  { name: 'model', type: 'VARCHAR' }, { name: 'k', type: 'INTEGER' }, { name: 'hit_rate', type: 'DOUBLE' }, { name: 'hits', type: 'BIGINT' },
  { name: 'evaluable_listeners', type: 'BIGINT' }, { name: 'baseline', type: 'VARCHAR' }, { name: 'baseline_hit_rate', type: 'DOUBLE' },
  { name: 'diff', type: 'DOUBLE' }, { name: 'diff_ci_low', type: 'DOUBLE' }, { name: 'diff_ci_high', type: 'DOUBLE' }, { name: 'verdict', type: 'VARCHAR' },
  { name: 'cutoff_date', type: 'VARCHAR' }, { name: 'train_plays', type: 'BIGINT' }, { name: 'test_first_listens', type: 'BIGINT' },
  { name: 'listeners_in_lake', type: 'BIGINT' }, { name: 'bootstrap_resamples', type: 'INTEGER' }, { name: 'seed', type: 'INTEGER' },
];

export default defineTable({
  layer: 'gold',
  category: 'behaviour',
  name: 'track_recommendations',
  grainSentence: `one row per listener and rank (at most ${R.top} tracks the listener has not played)`,
  grain: ['listener_id', 'rank'],
  description:
    `Up to ${R.top} tracks per listener that the listener has never played, from the plays of all listeners (real events only, never audio features). ` +
    `Co-listening (item-item): each listener is represented by their ${R.seedTracks} most played tracks; two tracks are similar by the cosine of ` +
    `the listeners holding them (listeners with both / sqrt(listeners with each)), ${R.neighbours} neighbours kept per track; a candidate's co-listening ` +
    "score is the sum of its similarities to the listener's seed tracks, divided by the listener's highest. Candidates also come from the popular " +
    `tracks (most listeners) of the listener's ${R.artists} top artists and ${R.genres} top Kaggle genres. score = ${W.coListening} x co-listening + ` +
    `${W.artist} x artist affinity (plays of the track's artist / plays of the listener's top artist) + ${W.genre} x genre affinity (same for the ` +
    "track's genres, averaged); ties: more listeners, more plays, then song_key. Empty with a single listener: there is nobody to learn from. " +
    'How well this predicts discoveries: gold.recommendation_evaluation.',
  columns: [
    { name: 'listener_id', type: 'VARCHAR', description: 'Pseudonymous id of the listener' },
    { name: 'rank', type: 'BIGINT', description: `1 = best; up to ${R.top}` },
    { name: 'song_key', type: 'VARCHAR', description: 'The recommended track (silver song_key: normalised artist and title)' },
    { name: 'track_name', type: 'VARCHAR', description: 'Track title as a source reported it' },
    { name: 'artist_name', type: 'VARCHAR', description: 'Main artist as a source reported it' },
    { name: 'score', type: 'DOUBLE', description: 'Blended score 0-1, 3 decimals' },
    { name: 'co_listening_score', type: 'DOUBLE', description: "Sum of similarities to the listener's seed tracks / the listener's highest such sum, 3 decimals" },
    { name: 'artist_affinity', type: 'DOUBLE', description: "Plays of the track's artist by the listener / plays of the listener's top artist, 3 decimals" },
    { name: 'genre_affinity', type: 'DOUBLE', description: "Average over the track's Kaggle genres of the listener's genre plays / their top genre's, 3 decimals (0 without a genre)" },
    { name: 'listeners_played', type: 'BIGINT', description: 'Listeners of the lake who played the track' },
    { name: 'reason', type: 'VARCHAR', description: 'The largest weighted component: co-listening, your artists or your genres' },
  ],
  inputs: ['silver.listening_with_features'],
  build: async (ctx, spec) => {
    const started = Date.now();
    let evaluationRows: EvaluationRow[] = [];
    try {
      // One scan of silver serves both fits: all plays, and the plays before the evaluation's cut-off.
      const lake = await lakeSplit(ctx);
      await loadListenerTracks(ctx, lake.cutoff);
      await recommend(ctx, 'plays', 'rec_all');
      await ctx.tx.write(spec, {
        sql: `select listener_id, rank::bigint as rank, song_key, track_name, artist_name, ${rounded('score')} as score,
            ${rounded('co_listening')} as co_listening_score, ${rounded('artist_affinity')} as artist_affinity,
            ${rounded('genre_affinity')} as genre_affinity, n_listeners::bigint as listeners_played,
            case when ${W.coListening} * co_listening >= greatest(${W.artist} * artist_affinity, ${W.genre} * genre_affinity) then 'co-listening'
                 when ${W.artist} * artist_affinity >= ${W.genre} * genre_affinity then 'your artists' else 'your genres' end as reason
            from temp.main.rec_all_recs`,
        orderBy: spec.orderBy,
        inputs: spec.inputs,
      });
      const { rows, reason } = await evaluateRecommender(ctx, lake, 'rec_train');
      if (reason) ctx.log.warn({ table: 'gold.recommendation_evaluation' }, `recommendation evaluation is empty: ${reason}`);
      evaluationRows = rows;
      await loadRows(ctx.conn, 'rec_eval_rows', EVAL_COLUMNS, rows.map((r) => EVAL_COLUMNS.map((c) => r[c.name as keyof EvaluationRow] as never)));
      await ctx.tx.write(evaluation, {
        sql: `select model, k, ${rounded('hit_rate')} as hit_rate, hits, evaluable_listeners, baseline, ${rounded('baseline_hit_rate')} as baseline_hit_rate,
            ${rounded('diff')} as diff, ${rounded('diff_ci_low')} as diff_ci_low, ${rounded('diff_ci_high')} as diff_ci_high, verdict,
            cutoff_date::date as cutoff_date, train_plays, test_first_listens, listeners_in_lake, bootstrap_resamples, seed
            from temp.main.rec_eval_rows`,
        orderBy: evaluation.orderBy,
        inputs: evaluation.inputs,
      });
    } finally {
      await dropRecommendTables(ctx, 'rec_all');
      await dropRecommendTables(ctx, 'rec_train');
      await ctx.conn.run('drop table if exists temp.main.rec_eval_rows');
      await ctx.conn.run(`drop table if exists temp.main.${BASE}`);
    }
    ctx.log.info({ evaluation_rows: evaluationRows.length, ms: Date.now() - started }, 'track recommendations done');
  },
  orderBy: 'listener_id, rank',
});
