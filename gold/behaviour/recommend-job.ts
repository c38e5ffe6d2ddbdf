// The job behind gold.track_recommendations and gold.recommendation_evaluation: an item–item
// recommender over the listeners' plays (co-listening), blended with each listener's own artists and
// genres, computed in SQL with bounded candidate lists so that it scales with listeners × seeds, not
// with listeners × tracks; and its evaluation on a time split against a most-popular baseline.
//
// Everything ranks with explicit tie-breakers (song_key last), so the output depends on the plays only.
import type { BuildContext } from '../../lib/build-context.ts';
import { queryRows } from '../../lib/duckdb.ts';
import { clusterBootstrap, verdictOf, BOOTSTRAP_RESAMPLES, type Interval } from '../../lib/ml/bootstrap.ts';

export const RECOMMENDER = {
  /** Recommendations kept per listener. */
  top: 20,
  /** A listener's most played tracks that stand for the listener in the co-listening graph. */
  seedTracks: 50,
  /** Most similar tracks kept per seed track. */
  neighbours: 50,
  /** The listener's most played artists and genres whose popular tracks become candidates too. */
  artists: 10,
  tracksPerArtist: 10,
  genres: 3,
  tracksPerGenre: 20,
  /** Weights of the three normalised components in the score. */
  weights: { coListening: 0.6, artist: 0.25, genre: 0.15 },
  /** Tracks of the baseline's popularity list scanned per listener (enough for 20 unplayed ones). */
  popularPool: 500,
} as const;

export const EVALUATION = {
  /** The cut-off is the first UTC midnight at or before the moment by which this share of the lake's plays had ended. */
  trainShare: 0.8,
  ks: [10, 20] as const,
  seed: 19,
  model: 'item_item_blend',
  baseline: 'most_popular',
} as const;

const R = RECOMMENDER;
const W = R.weights;

/**
 * One scan of silver: per listener and track, all plays and the plays before the cut-off (null
 * cut-off: none are), the names, artist and genres, and whether the listener's first listen of the
 * track came after the cut-off. Both fits of the recommender and the test set read it.
 */
export async function loadListenerTracks(ctx: BuildContext, cutoff: string | null): Promise<void> {
  const before = cutoff === null ? 'false' : `played_at < '${cutoff}'::timestamp`;
  await ctx.conn.run(`create or replace temp table ${BASE} as
    select listener_id, song_key, count(*) as plays, count(*) filter (where ${before}) as train_plays,
        bool_or(is_first_track_play and not (${before})) as first_listen_after,
        min(track_name) as track_name, min(artist_name) as artist_name,
        min(artist_key) as artist_key, max(genres) filter (where len(genres) > 0) as genres
    from silver.listening_with_features
    where song_key is not null
    group by listener_id, song_key`);
}

export const BASE = 'rec_listener_tracks';

/** Temp tables `<p>_…` holding top-`R.top` recommendations per listener in `<p>_recs`, fitted on `plays` (plays or train_plays) of the base table. */
export async function recommend(ctx: BuildContext, plays: 'plays' | 'train_plays', p: string): Promise<void> {
  const run = async (sql: string) => {
    const t = Date.now();
    await ctx.conn.run(sql);
    ctx.log.debug({ step: /temp table (\w+)/.exec(sql)?.[1], ms: Date.now() - t }, 'recommender step');
  };
  await run(`create or replace temp table ${p}_lt as
    select listener_id, song_key, ${plays} as plays, track_name, artist_name, artist_key, genres
    from ${BASE} where ${plays} > 0`);
  await run(`create or replace temp table ${p}_tracks as
    select song_key, min(track_name) as track_name, min(artist_name) as artist_name, min(artist_key) as artist_key,
        coalesce(max(genres), []::varchar[]) as genres, count(*) as n_listeners, sum(plays) as plays
    from ${p}_lt group by song_key`);
  await run(`create or replace temp table ${p}_seeds as
    select listener_id, song_key from (
        select listener_id, song_key, row_number() over (partition by listener_id order by plays desc, song_key) as r from ${p}_lt)
    where r <= ${R.seedTracks}`);
  // Cosine similarity of two tracks over the listeners' seed sets: co / sqrt(n_a · n_b).
  await run(`create or replace temp table ${p}_sim as
    with n as (select song_key, count(*) as n from ${p}_seeds group by song_key),
    co as (
        select a.song_key as a, b.song_key as b, count(*) as co
        from ${p}_seeds a join ${p}_seeds b on a.listener_id = b.listener_id and a.song_key <> b.song_key
        group by a.song_key, b.song_key
    ),
    sim as (
        select co.a, co.b, co.co / sqrt(na.n * nb.n) as sim
        from co join n na on na.song_key = co.a join n nb on nb.song_key = co.b
    )
    select a, b, sim from (select *, row_number() over (partition by a order by sim desc, b) as r from sim) where r <= ${R.neighbours}`);
  await run(`create or replace temp table ${p}_la as
    with a as (
        select listener_id, artist_key, sum(plays) as plays
        from ${p}_lt where artist_key is not null group by listener_id, artist_key
    )
    select listener_id, artist_key, plays / max(plays) over (partition by listener_id) as affinity,
        row_number() over (partition by listener_id order by plays desc, artist_key) as r
    from a`);
  await run(`create or replace temp table ${p}_lg as
    with g as (
        select listener_id, genre, sum(w) as plays from (
            select listener_id, unnest(genres) as genre, plays / len(genres) as w
            from ${p}_lt where len(genres) > 0)
        group by listener_id, genre
    )
    select listener_id, genre, plays / max(plays) over (partition by listener_id) as affinity,
        row_number() over (partition by listener_id order by plays desc, genre) as r
    from g`);
  await run(`create or replace temp table ${p}_recs as
    with cf as (
        select s.listener_id, m.b as song_key, sum(m.sim) as cf
        from ${p}_seeds s join ${p}_sim m on m.a = s.song_key
        group by s.listener_id, m.b
    ),
    by_artist as (
        select song_key, artist_key, row_number() over (partition by artist_key order by n_listeners desc, plays desc, song_key) as r
        from ${p}_tracks where artist_key is not null
    ),
    by_genre as (
        select song_key, genre, row_number() over (partition by genre order by n_listeners desc, plays desc, song_key) as r
        from (select song_key, unnest(genres) as genre, n_listeners, plays from ${p}_tracks)
    ),
    candidates as (
        select listener_id, song_key from cf
        union
        select la.listener_id, ba.song_key from ${p}_la la join by_artist ba on ba.artist_key = la.artist_key and ba.r <= ${R.tracksPerArtist}
        where la.r <= ${R.artists}
        union
        select lg.listener_id, bg.song_key from ${p}_lg lg join by_genre bg on bg.genre = lg.genre and bg.r <= ${R.tracksPerGenre}
        where lg.r <= ${R.genres}
    ),
    unplayed as (
        select c.* from candidates c anti join ${p}_lt lt on lt.listener_id = c.listener_id and lt.song_key = c.song_key
    ),
    genre_aff as (
        select u.listener_id, u.song_key, sum(coalesce(lg.affinity, 0)) / len(t.genres) as affinity
        from unplayed u join ${p}_tracks t using (song_key)
        cross join unnest(t.genres) as g(genre)
        left join ${p}_lg lg on lg.listener_id = u.listener_id and lg.genre = g.genre
        group by u.listener_id, u.song_key, len(t.genres)
    ),
    parts as (
        select u.listener_id, u.song_key, t.track_name, t.artist_name, t.n_listeners, t.plays,
            coalesce(cf.cf / max(cf.cf) over (partition by u.listener_id), 0) as co_listening,
            coalesce(la.affinity, 0) as artist_affinity,
            coalesce(ga.affinity, 0) as genre_affinity
        from unplayed u
        join ${p}_tracks t using (song_key)
        left join cf on cf.listener_id = u.listener_id and cf.song_key = u.song_key
        left join ${p}_la la on la.listener_id = u.listener_id and la.artist_key = t.artist_key
        left join genre_aff ga on ga.listener_id = u.listener_id and ga.song_key = u.song_key
    ),
    scored as (
        select *, round(${W.coListening} * co_listening + ${W.artist} * artist_affinity + ${W.genre} * genre_affinity, 12) as score
        from parts
    )
    select * from (
        select *, row_number() over (partition by listener_id order by score desc, n_listeners desc, plays desc, song_key) as rank
        from scored)
    where rank <= ${R.top}`);
}

export async function dropRecommendTables(ctx: BuildContext, p: string): Promise<void> {
  for (const t of ['lt', 'tracks', 'seeds', 'sim', 'la', 'lg', 'recs', 'popular', 'hits']) await ctx.conn.run(`drop table if exists temp.main.${p}_${t}`);
}

export interface EvaluationRow {
  model: string;
  k: number;
  hit_rate: number | null;
  hits: number;
  evaluable_listeners: number;
  baseline: string | null;
  baseline_hit_rate: number | null;
  diff: number | null;
  diff_ci_low: number | null;
  diff_ci_high: number | null;
  verdict: string | null;
  cutoff_date: string;
  train_plays: number;
  test_first_listens: number;
  listeners_in_lake: number;
  bootstrap_resamples: number;
  seed: number;
}

interface ListenerHits { listener_id: string; m10: number; m20: number; b10: number; b20: number }

/**
 * Fits the recommender and the most-popular baseline on the plays before the cut-off (train_plays of
 * the base table, loaded with lake.cutoff) and scores both
 * on each listener's first listens after it. Returns no rows (and the reason) when nothing can be
 * evaluated honestly: fewer than two listeners (no co-listening) or no listener with plays on both sides.
 */
export interface LakeSplit { listeners: number; cutoff: string | null }

/** Listeners in the lake and the evaluation's cut-off date (YYYY-MM-DD; null without plays). */
export async function lakeSplit(ctx: BuildContext): Promise<LakeSplit> {
  const [lake] = await queryRows<LakeSplit>(ctx.conn, `
    select count(distinct listener_id)::integer as listeners,
        strftime(date_trunc('day', quantile_disc(played_at, ${EVALUATION.trainShare})), '%Y-%m-%d') as cutoff
    from silver.listening_with_features`);
  return lake;
}

export async function evaluateRecommender(ctx: BuildContext, lake: LakeSplit, p: string): Promise<{ rows: EvaluationRow[]; reason: string | null }> {
  if (lake.listeners < 2 || lake.cutoff === null) {
    return { rows: [], reason: `${lake.listeners} listener(s) in the lake: co-listening needs at least two, so nothing is recommended or evaluated` };
  }
  const cutoff = lake.cutoff;
  await recommend(ctx, 'train_plays', p);
  await ctx.conn.run(`create or replace temp table ${p}_popular as
    select song_key, row_number() over (order by n_listeners desc, plays desc, song_key) as pop_rank
    from ${p}_tracks qualify pop_rank <= ${R.popularPool}`);
  await ctx.conn.run(`create or replace temp table ${p}_hits as
    with test as (
        select listener_id, song_key from ${BASE} where first_listen_after
    ),
    evaluable as (
        select distinct listener_id from test semi join ${p}_lt using (listener_id)
    ),
    baseline as (
        select e.listener_id, p.song_key, row_number() over (partition by e.listener_id order by p.pop_rank) as rank
        from evaluable e cross join ${p}_popular p
        anti join ${p}_lt lt on lt.listener_id = e.listener_id and lt.song_key = p.song_key
        qualify rank <= ${R.top}
    ),
    model_hits as (
        select r.listener_id, min(r.rank) as first_hit from ${p}_recs r semi join test t using (listener_id, song_key) group by r.listener_id
    ),
    base_hits as (
        select b.listener_id, min(b.rank) as first_hit from baseline b semi join test t using (listener_id, song_key) group by b.listener_id
    )
    select e.listener_id,
        (coalesce(m.first_hit, 99) <= 10)::integer as m10, (coalesce(m.first_hit, 99) <= 20)::integer as m20,
        (coalesce(b.first_hit, 99) <= 10)::integer as b10, (coalesce(b.first_hit, 99) <= 20)::integer as b20
    from evaluable e
    left join model_hits m using (listener_id)
    left join base_hits b using (listener_id)
    order by e.listener_id`);
  const hits = await queryRows<ListenerHits>(ctx.conn, `select * from ${p}_hits order by listener_id`);
  ctx.log.debug({ cutoff, hits }, 'recommendation evaluation: hits per evaluable listener (m = model, b = baseline, at 10 and 20)');
  const [counts] = await queryRows<{ train: number; test: number }>(ctx.conn, `
    select sum(train_plays)::bigint as train, count(*) filter (where first_listen_after)::bigint as test from ${BASE}`);
  if (hits.length === 0) {
    return { rows: [], reason: `no listener has plays before the cut-off ${cutoff} and first listens after it` };
  }
  // Clusters = listeners: [1, model@10, baseline@10, model@20, baseline@20]; statistic: differences of hit rates.
  const clusters = hits.map((h) => [1, Number(h.m10), Number(h.b10), Number(h.m20), Number(h.b20)]);
  const ci: Interval[] = clusterBootstrap(clusters, (s) => [(s[1] - s[2]) / s[0], (s[3] - s[4]) / s[0]], { seed: EVALUATION.seed, salt: 'recommendation_evaluation' });
  const n = hits.length;
  const sumOf = (key: keyof ListenerHits) => hits.reduce((s, h) => s + Number(h[key]), 0);
  const common = {
    evaluable_listeners: n, cutoff_date: cutoff, train_plays: Number(counts.train), test_first_listens: Number(counts.test),
    listeners_in_lake: lake.listeners, bootstrap_resamples: BOOTSTRAP_RESAMPLES, seed: EVALUATION.seed,
  };
  const rows: EvaluationRow[] = [];
  EVALUATION.ks.forEach((k, i) => {
    const model = sumOf(k === 10 ? 'm10' : 'm20');
    const base = sumOf(k === 10 ? 'b10' : 'b20');
    rows.push({
      model: EVALUATION.model, k, hit_rate: model / n, hits: model, baseline: EVALUATION.baseline, baseline_hit_rate: base / n,
      diff: (model - base) / n, diff_ci_low: ci[i].low, diff_ci_high: ci[i].high, verdict: verdictOf(ci[i]), ...common,
    });
    rows.push({
      model: EVALUATION.baseline, k, hit_rate: base / n, hits: base, baseline: null, baseline_hit_rate: null,
      diff: null, diff_ci_low: null, diff_ci_high: null, verdict: null, ...common,
    });
  });
  return { rows, reason: null };
}
