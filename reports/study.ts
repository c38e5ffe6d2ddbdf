// `lakehouse report study`: the cohort of one study at a glance, for researchers. Every figure is a
// value of a gold (or ops, or bronze.listeners) row, or a labelled sum over rows; tables that are
// not built in the lake get a plain notice instead of a chart.
import { Charts, MONTH_LINE, monthAxis, withMonthGaps } from './charts.ts';
import { dataTable, esc, missing, notice, page, section, stat, val, type Column } from './html.ts';
import type { ReportLake, Row } from './lake-data.ts';
import { featureCoverage, personalityName, footer, lastRun, participants, SOURCE_COLOURS, SOURCE_ORDER, syntheticBadge, DEFAULT_STUDY } from './common.ts';

export interface StudyReportOptions {
  study?: string;
  generatedAt?: Date;
  version: string;
}

export interface BuiltReport {
  html: string;
  /** Ids of the charts drawn (one <svg> each). */
  charts: string[];
  /** Sections left without data, with the reason. */
  notices: string[];
  tables: Record<string, number>;
}

const PROFILE_COLUMNS: Column[] = [{ col: 'listener_id', label: 'listener', fmt: 'text' }, { col: 'personality', label: 'personality', fmt: 'text' }, { col: 'plays', label: 'plays', fmt: 'int' }, { col: 'days_active', label: 'active days', fmt: 'int' }, { col: 'night_share', label: 'night share', fmt: 'pct' }, { col: 'weekend_share', label: 'weekend share', fmt: 'pct' }, { col: 'skip_rate', label: 'skip rate', fmt: 'pct' }, { col: 'popularity_coverage', label: 'popularity coverage', fmt: 'pct' }];
const HEADLINE_METRICS = ['rmse', 'mae', 'r2', 'accuracy', 'macro_f1'];
const listenerColour = { field: 'listener_id', type: 'nominal', title: 'Listener' } as const;

export async function buildStudyReport(lake: ReportLake, opts: StudyReportOptions): Promise<BuiltReport> {
  const generatedAt = opts.generatedAt ?? new Date();
  const study = opts.study ?? DEFAULT_STUDY;
  const people = await participants(lake, study);
  const ids = people.ids;
  const inIds = people.filter;
  const charts = new Charts();
  const notices: string[] = [];
  const gap = (r: { status: string; reason?: string }) => { if (r.status !== 'ok' && r.reason) notices.push(r.reason); return missing(r as never); };
  const sections: string[] = [];

  // Participants and volume over time.
  const monthly = await lake.select('gold.listener_monthly_behavior', ['listener_id', 'month_local', 'plays', 'streams', 'skip_rate', 'new_track_share', 'artist_entropy_bits'],
    `select listener_id, month_local, plays, streams, minutes_played, skip_known_plays, skips, skip_rate, distinct_tracks, distinct_artists, new_tracks, new_artists, new_track_share, artist_entropy_bits, top_artist_share
     from gold.listener_monthly_behavior where ${inIds} order by listener_id, month_local`);
  const totals = monthly.status === 'ok'
    ? (await lake.select('gold.listener_monthly_behavior', [], `select listener_id, sum(plays)::bigint as plays, sum(streams)::bigint as streams, count(month_local)::bigint as months, min(month_local) as first_month, max(month_local) as last_month
        from gold.listener_monthly_behavior where ${inIds} group by listener_id order by listener_id`)).rows
    : [];
  const byId = new Map(totals.map((t) => [String(t.listener_id), t]));
  const mb = 'gold.listener_monthly_behavior';
  const peopleRows = people.result.rows.map((p) => {
    const t = byId.get(String(p.listener_id));
    const key = { listener_id: p.listener_id };
    const agg = (col: string, a: 'sum' | 'min' | 'max' | 'count', fmt: 'int' | 'date') => (t ? val(t[col === 'month_local' ? (a === 'min' ? 'first_month' : a === 'max' ? 'last_month' : 'months') : col], fmt, { table: mb, col, key, agg: a }, 'td') : '<td>–</td>');
    return `<tr><td>${esc(p.listener_id)}</td><td>${esc(p.timezone)}</td><td>${esc(p.study_id)}</td>${agg('plays', 'sum', 'int')}${agg('streams', 'sum', 'int')}${agg('month_local', 'count', 'int')}${agg('month_local', 'min', 'date')}${agg('month_local', 'max', 'date')}</tr>`;
  }).join('\n');
  const studyNote = people.studyColumn ? '' : notice(`This lake has no studies yet (bronze.listeners has no study_id column): every listener belongs to the study '${DEFAULT_STUDY}'.`);
  const grandPlays = totals.reduce((s, t) => s + Number(t.plays ?? 0), 0);
  sections.push(section('participants', 'Participants', `${studyNote}
<div class="stats">${stat('participants (bronze.listeners)', `<span data-count="participants">${ids.length}</span>`)}${stat('plays (sum of gold.listener_monthly_behavior.plays over the participants)', val(grandPlays, 'int', { table: mb, col: 'plays', key: { listener_id: ids }, agg: 'sum' }))}</div>
${people.result.status === 'ok' ? `<table class="data"><caption>Participants: time zone from bronze.listeners; plays, streams and months are sums and counts over gold.listener_monthly_behavior</caption><thead><tr><th scope="col">listener</th><th scope="col">time zone</th><th scope="col">study</th><th scope="col">plays</th><th scope="col">streams (≥ 30 s)</th><th scope="col">months</th><th scope="col">first month</th><th scope="col">last month</th></tr></thead><tbody>\n${peopleRows}\n</tbody></table>` : gap(people.result)}`));

  const monthTable = (caption: string, cols: { col: string; label: string; fmt: 'int' | 'dec' | 'pct' }[]) => dataTable({
    caption, table: mb, key: ['listener_id', 'month_local'], rows: monthly.rows,
    columns: [{ col: 'listener_id', label: 'listener', fmt: 'text' }, { col: 'month_local', label: 'month', fmt: 'date' }, ...cols],
  });
  let volume = gap(monthly);
  if (monthly.status === 'ok') {
    volume += await charts.figure({
      id: 'plays-per-month', title: 'Plays per month', rows: withMonthGaps(monthly.rows, 'listener_id'),
      caption: 'Plays per local calendar month and listener (gold.listener_monthly_behavior.plays). Real events only: no audio features involved.',
      spec: { width: 760, height: 260, mark: MONTH_LINE, encoding: { x: monthAxis('month_local'), y: { field: 'plays', type: 'quantitative', title: 'Plays' }, color: listenerColour } },
      table: monthTable('Plays, streams and minutes per month', [{ col: 'plays', label: 'plays', fmt: 'int' }, { col: 'streams', label: 'streams', fmt: 'int' }, { col: 'minutes_played', label: 'minutes', fmt: 'dec' }]),
    });
    const streamRows = monthly.rows.filter((r) => r.streams !== null);
    volume += await charts.figure({
      id: 'streams-per-month', title: 'Streams per month', rows: streamRows.length ? withMonthGaps(streamRows, 'listener_id') : [],
      caption: 'Plays of at least 30 seconds (streams) per local month and listener (gold.listener_monthly_behavior.streams); months without a known play duration are left out.',
      spec: { width: 760, height: 260, mark: { ...MONTH_LINE, strokeDash: [4, 2] }, encoding: { x: monthAxis('month_local'), y: { field: 'streams', type: 'quantitative', title: 'Streams (≥ 30 s)' }, color: listenerColour } },
      empty: 'Streams per month: no play in this study has a known duration.',
    });
  }
  sections.push(section('volume', 'Plays and streams over time', volume));

  // Feature sources.
  const coverage = await featureCoverage(lake, inIds);
  let features = gap(coverage);
  if (coverage.status === 'ok') {
    const synth = coverage.rows.filter((r) => r.feature_source === 'synthetic');
    const shown = (r: Row) => val(r.percentage, 'pct100', { table: 'gold.feature_source_coverage', col: 'percentage', key: { listener_id: r.listener_id, feature_source: 'synthetic' } });
    const pcts = synth.map((r) => Number(r.percentage));
    const lo = synth.find((r) => Number(r.percentage) === Math.min(...pcts));
    const hi = synth.find((r) => Number(r.percentage) === Math.max(...pcts));
    const badge = synth.length === 0
      ? '<p class="synthetic" role="note">No play of this study has synthetic audio features.</p>'
      : `<p class="synthetic" role="note">Synthetic audio features: ${lo === hi ? shown(lo!) : `${shown(lo!)} to ${shown(hi!)}`} of a listener's plays (gold.feature_source_coverage, synthetic rows). Every chart of valence, energy, mood or the models below describes the feature generator to that extent, not the music.</p>`;
    features += await charts.figure({
      id: 'feature-sources', title: 'Where the audio features come from', rows: coverage.rows, badge,
      caption: 'Share of each listener\'s plays by feature source (gold.feature_source_coverage.percentage): Spotify API and Kaggle are measured features; synthetic ones are generated; none means no features.',
      spec: {
        width: 700, height: { step: 26 }, mark: 'bar',
        encoding: {
          y: { field: 'listener_id', type: 'nominal', title: 'Listener' },
          x: { field: 'percentage', type: 'quantitative', title: '% of plays', stack: 'zero', scale: { domain: [0, 100] } },
          color: { field: 'feature_source', type: 'nominal', title: 'Feature source', scale: { domain: SOURCE_ORDER, range: SOURCE_ORDER.map((s) => SOURCE_COLOURS[s]) } },
          order: { field: 'order', type: 'quantitative' },
        },
        transform: [{ calculate: `indexof(${JSON.stringify(SOURCE_ORDER)}, datum.feature_source)`, as: 'order' }],
      },
      table: dataTable({ caption: 'Plays by feature source', table: 'gold.feature_source_coverage', key: ['listener_id', 'feature_source'], rows: coverage.rows,
        columns: [{ col: 'listener_id', label: 'listener', fmt: 'text' }, { col: 'feature_source', label: 'source', fmt: 'text' }, { col: 'record_count', label: 'plays', fmt: 'int' }, { col: 'percentage', label: '% of plays', fmt: 'pct100' }] }),
    });
  }
  sections.push(section('features', 'Feature sources and synthetic share', features));

  // Behaviour.
  let behaviour = '';
  if (monthly.status === 'ok') {
    const skipRows = monthly.rows.filter((r) => r.skip_rate !== null);
    behaviour += '<h3>Streams and skips</h3>' + await charts.figure({
      id: 'skip-rate', title: 'Skip rate per month', rows: skipRows.length ? withMonthGaps(skipRows, 'listener_id') : [],
      caption: 'Skipped plays among the plays whose source says whether they were skipped (gold.listener_monthly_behavior.skip_rate); account data and the Web API do not say, so their months are absent.',
      spec: { width: 760, height: 220, mark: MONTH_LINE, encoding: { x: monthAxis('month_local'), y: { field: 'skip_rate', type: 'quantitative', title: 'Skip rate', axis: { format: '.0%' } }, color: listenerColour } },
      table: dataTable({ caption: 'Skips per month', table: mb, key: ['listener_id', 'month_local'], rows: skipRows, columns: [{ col: 'listener_id', label: 'listener', fmt: 'text' }, { col: 'month_local', label: 'month', fmt: 'date' }, { col: 'skip_known_plays', label: 'plays with known skip', fmt: 'int' }, { col: 'skips', label: 'skips', fmt: 'int' }, { col: 'skip_rate', label: 'skip rate', fmt: 'pct' }] }),
      empty: 'Skip rate: no source in this study reports skips (account data and the Web API do not).',
    });
  }
  const circadian = await lake.select('gold.circadian_profile', ['listener_id', 'hour_of_day', 'share_of_plays', 'share_ci_low', 'share_ci_high'],
    `select listener_id, hour_of_day, plays, share_of_plays, share_ci_low, share_ci_high, days_observed from gold.circadian_profile where ${inIds} order by listener_id, hour_of_day`);
  behaviour += '<h3>Circadian profiles</h3>' + gap(circadian);
  if (circadian.status === 'ok') {
    behaviour += await charts.figure({
      id: 'circadian', title: 'When in the day people listen', rows: circadian.rows,
      caption: 'Share of each listener\'s plays by local hour (gold.circadian_profile.share_of_plays), with the 95 % bootstrap interval over local days as a band (share_ci_low to share_ci_high; none with fewer than 5 days).',
      spec: { width: 760, height: 260, layer: [
        { mark: { type: 'area', opacity: 0.2 }, encoding: { x: { field: 'hour_of_day', type: 'quantitative', title: 'Local hour', scale: { domain: [0, 23] } }, y: { field: 'share_ci_low', type: 'quantitative', title: 'Share of plays', axis: { format: '.0%' } }, y2: { field: 'share_ci_high' }, color: listenerColour } },
        { mark: { type: 'line', point: true }, encoding: { x: { field: 'hour_of_day', type: 'quantitative' }, y: { field: 'share_of_plays', type: 'quantitative' }, color: listenerColour } },
      ] },
      table: dataTable({ caption: 'Share of plays by local hour', table: 'gold.circadian_profile', key: ['listener_id', 'hour_of_day'], rows: circadian.rows, columns: [{ col: 'listener_id', label: 'listener', fmt: 'text' }, { col: 'hour_of_day', label: 'hour', fmt: 'text' }, { col: 'plays', label: 'plays', fmt: 'int' }, { col: 'share_of_plays', label: 'share', fmt: 'pct' }, { col: 'share_ci_low', label: '95 % low', fmt: 'pct' }, { col: 'share_ci_high', label: '95 % high', fmt: 'pct' }, { col: 'days_observed', label: 'days', fmt: 'int' }] }),
    });
  }
  if (monthly.status === 'ok') {
    behaviour += '<h3>Discovery and diversity</h3>' + await charts.figure({
      id: 'discovery', title: 'Share of new tracks per month', rows: withMonthGaps(monthly.rows, 'listener_id'),
      caption: 'Share of each month\'s distinct tracks that the listener played for the first time ever (gold.listener_monthly_behavior.new_track_share).',
      spec: { width: 760, height: 220, mark: MONTH_LINE, encoding: { x: monthAxis('month_local'), y: { field: 'new_track_share', type: 'quantitative', title: 'New tracks', axis: { format: '.0%' } }, color: listenerColour } },
      table: monthTable('Discovery per month', [{ col: 'distinct_tracks', label: 'tracks', fmt: 'int' }, { col: 'new_tracks', label: 'new tracks', fmt: 'int' }, { col: 'new_track_share', label: 'new track share', fmt: 'pct' }, { col: 'new_artists', label: 'new artists', fmt: 'int' }]),
    }) + await charts.figure({
      id: 'diversity', title: 'Artist diversity per month', rows: withMonthGaps(monthly.rows.filter((r) => r.artist_entropy_bits !== null), 'listener_id'),
      caption: 'Shannon entropy in bits of the month\'s artist play shares (gold.listener_monthly_behavior.artist_entropy_bits): 0 = one artist only; each extra bit doubles the number of equally played artists.',
      spec: { width: 760, height: 220, mark: MONTH_LINE, encoding: { x: monthAxis('month_local'), y: { field: 'artist_entropy_bits', type: 'quantitative', title: 'Artist entropy (bits)' }, color: listenerColour } },
      table: monthTable('Diversity per month', [{ col: 'distinct_artists', label: 'artists', fmt: 'int' }, { col: 'artist_entropy_bits', label: 'entropy (bits)', fmt: 'dec' }, { col: 'top_artist_share', label: 'top artist share', fmt: 'pct' }]),
    });
  }
  const genres = await lake.select('gold.genre_mix', ['listener_id', 'month_local', 'genre', 'share', 'genre_coverage'],
    `with latest as (select listener_id, max(month_local) as month_local from gold.genre_mix where ${inIds} group by listener_id)
     select g.listener_id, g.month_local, g.genre, g.plays, g.share, g.genre_matched_plays, g.month_plays, g.genre_coverage
     from gold.genre_mix g join latest using (listener_id, month_local)
     qualify row_number() over (partition by g.listener_id order by g.share desc, g.genre) <= 6
     order by g.listener_id, g.share desc, g.genre`);
  behaviour += '<h3>Genre mix</h3>' + gap(genres);
  if (genres.status === 'ok') {
    const cov = (r: Row) => `${String(r.listener_id)}: ${((r.genre_coverage as number) * 100).toFixed(1)} %`;
    behaviour += await charts.figure({
      id: 'genre-mix', title: 'Top genres of each listener\'s latest month', rows: genres.rows,
      caption: `The six largest genre shares of each listener's most recent month (gold.genre_mix.share, Kaggle catalog genres of matched tracks). The shares rest only on the plays whose track matched a genre: genre coverage ${[...new Map(genres.rows.map((r) => [r.listener_id, r])).values()].map(cov).join('; ')}.`,
      spec: { width: 620, height: { step: 14 }, mark: 'bar', encoding: { row: { field: 'listener_id', type: 'nominal', title: null, header: { labelAngle: 0, labelAlign: 'left', labelFontSize: 12 } }, y: { field: 'genre', type: 'nominal', title: null, sort: '-x' }, x: { field: 'share', type: 'quantitative', title: 'Share of genre-matched plays', axis: { format: '.0%' } }, color: listenerColour }, resolve: { scale: { y: 'independent' } } },
      table: dataTable({ caption: 'Genre shares of the latest month', table: 'gold.genre_mix', key: ['listener_id', 'month_local', 'genre'], rows: genres.rows, columns: [{ col: 'listener_id', label: 'listener', fmt: 'text' }, { col: 'month_local', label: 'month', fmt: 'date' }, { col: 'genre', label: 'genre', fmt: 'text' }, { col: 'plays', label: 'plays', fmt: 'int' }, { col: 'share', label: 'share', fmt: 'pct' }, { col: 'genre_coverage', label: 'coverage', fmt: 'pct' }] }),
    });
  }
  const profiles = await lake.select('gold.listener_profiles', ['listener_id', 'personality'],
    `select * from gold.listener_profiles where ${inIds} order by listener_id`);
  behaviour += '<h3>Profiles</h3>' + gap(profiles);
  if (profiles.status === 'ok') {
    const scoreCols = lake.meta('gold.listener_profiles')!.columns.map((c) => c.name).filter((c) => c.endsWith('_score'));
    const long = profiles.rows.flatMap((r) => scoreCols.map((c) => ({ listener_id: r.listener_id, score_column: personalityName(c), score: r[c] }))).filter((r) => r.score !== null);
    behaviour += dataTable({ caption: 'Personality and profile of each listener (gold.listener_profiles)', table: 'gold.listener_profiles', key: ['listener_id'], rows: profiles.rows,
      columns: PROFILE_COLUMNS.filter((c) => lake.hasColumn('gold.listener_profiles', c.col)) });
    behaviour += await charts.figure({
      id: 'personality-scores', title: 'Personality scores', rows: long,
      caption: 'Each listener\'s score for every personality (gold.listener_profiles, *_score columns; the personality is the highest score). Darker = higher.',
      spec: { width: { step: 90 }, height: { step: 26 }, layer: [
        { mark: 'rect', encoding: { x: { field: 'score_column', type: 'nominal', title: null, axis: { labelAngle: -30 } }, y: { field: 'listener_id', type: 'nominal', title: 'Listener' }, color: { field: 'score', type: 'quantitative', title: 'Score', scale: { scheme: 'viridis', reverse: true, domain: [0, 1] } } } },
        { mark: { type: 'text', fontSize: 11 }, encoding: { x: { field: 'score_column', type: 'nominal' }, y: { field: 'listener_id', type: 'nominal' }, text: { field: 'score', type: 'quantitative', format: '.2f' }, color: { condition: { test: 'datum.score > 0.5', value: 'white' }, value: 'black' } } },
      ] },
    });
  }
  const cohort = await lake.select('gold.cohort_comparison', ['listener_id', 'metric', 'percentile_in_cohort', 'n_listeners'],
    `select * from gold.cohort_comparison where ${inIds} order by metric, listener_id`);
  behaviour += '<h3>Cohort distribution</h3>' + gap(cohort);
  if (cohort.status === 'ok') {
    const known = cohort.rows.filter((r) => r.percentile_in_cohort !== null);
    behaviour += await charts.figure({
      id: 'cohort', title: 'Where each listener sits in the cohort', rows: known,
      caption: 'Mid-rank percentile of each listener among the listeners of the cohort, per profile metric (gold.cohort_comparison.percentile_in_cohort; n_listeners in the table).',
      spec: { width: 640, height: { step: 22 }, mark: { type: 'point', filled: true, size: 90 }, encoding: { y: { field: 'metric', type: 'nominal', title: null }, x: { field: 'percentile_in_cohort', type: 'quantitative', title: 'Percentile in cohort', scale: { domain: [0, 100] } }, color: listenerColour, shape: listenerColour } },
      table: dataTable({ caption: 'Cohort comparison', table: 'gold.cohort_comparison', key: ['listener_id', 'metric'], rows: cohort.rows, columns: [{ col: 'metric', label: 'metric', fmt: 'text' }, { col: 'listener_id', label: 'listener', fmt: 'text' }, { col: 'value', label: 'value', fmt: 'dec' }, { col: 'cohort_p25', label: 'p25', fmt: 'dec' }, { col: 'cohort_median', label: 'median', fmt: 'dec' }, { col: 'cohort_p75', label: 'p75', fmt: 'dec' }, { col: 'percentile_in_cohort', label: 'percentile', fmt: 'dec' }, { col: 'n_listeners', label: 'listeners', fmt: 'int' }] }),
    });
  }
  sections.push(section('behaviour', 'Listening behaviour', behaviour));

  // Models.
  let models = '';
  const metrics = await lake.select('gold.model_performance_metrics', ['listener_id', 'model_name', 'evaluation_set', 'metric_name', 'metric_value', 'baseline_value', 'diff_ci_low', 'diff_ci_high', 'verdict', 'synthetic_target_share'],
    `select listener_id, model_name, evaluation_set, metric_name, metric_value, baseline_value, diff_ci_low, diff_ci_high, verdict, synthetic_target_share, n_plays, n_tracks, test_rows, baseline_name
     from gold.model_performance_metrics
     where (listener_id is null or ${inIds}) and verdict is not null and metric_name in (${HEADLINE_METRICS.map((m) => `'${m}'`).join(', ')})
     order by model_name, evaluation_set, listener_id nulls first, metric_name`);
  models += gap(metrics);
  if (metrics.status === 'ok') {
    const rows: Row[] = metrics.rows.map((r) => ({ ...r, label: `${r.model_name} · ${r.evaluation_set} · ${r.listener_id ?? 'catalog'}` }));
    const withCi = rows.filter((r) => r.diff_ci_low !== null && r.diff_ci_high !== null);
    models += await charts.figure({
      id: 'model-evaluation', title: 'Models against their baselines', rows: withCi,
      badge: syntheticBadge(metrics.rows, 'synthetic_target_share', 'gold.model_performance_metrics', ['listener_id', 'model_name', 'evaluation_set', 'metric_name'], 'test rows'),
      caption: 'One panel per metric: the 95 % cluster-bootstrap interval of each model\'s improvement over its baseline on the same test rows (gold.model_performance_metrics.diff_ci_low to diff_ci_high; positive = model better; the dashed line is no difference). Colour = verdict: better when the whole interval is above 0, worse below 0, else inconclusive. Evaluation sets ending in _synthetic score the model against generated (synthetic) targets, never mixed with real ones.',
      spec: { config: { axis: { labelLimit: 1000 } }, facet: { row: { field: 'metric_name', type: 'nominal', title: null, header: { labelOrient: 'top', labelAnchor: 'start', labelFontSize: 12, labelFontWeight: 'bold' } } }, resolve: { scale: { x: 'independent', y: 'independent' } },
        spec: { width: 320, height: { step: 14 }, layer: [
          { mark: { type: 'rule', strokeWidth: 4 }, encoding: { y: { field: 'label', type: 'nominal', title: null, sort: null }, x: { field: 'diff_ci_low', type: 'quantitative', title: 'Improvement over baseline (95 % interval)' }, x2: { field: 'diff_ci_high' }, color: { field: 'verdict', type: 'nominal', title: 'Verdict', scale: { domain: ['better', 'inconclusive', 'worse'], range: ['#009E73', '#888888', '#D55E00'] } } } },
          { mark: { type: 'rule', color: '#1a1a1a', strokeDash: [3, 3] }, encoding: { x: { datum: 0 } } },
        ] } },
      table: dataTable({ caption: 'Model metrics with baselines, intervals and verdicts', table: 'gold.model_performance_metrics', key: ['listener_id', 'model_name', 'evaluation_set', 'metric_name'], rows: metrics.rows, columns: [
        { col: 'model_name', label: 'model', fmt: 'text' }, { col: 'evaluation_set', label: 'set', fmt: 'text' }, { col: 'listener_id', label: 'listener', fmt: 'text' }, { col: 'metric_name', label: 'metric', fmt: 'text' },
        { col: 'metric_value', label: 'model', fmt: 'dec' }, { col: 'baseline_value', label: 'baseline', fmt: 'dec' }, { col: 'diff_ci_low', label: 'CI low', fmt: 'dec' }, { col: 'diff_ci_high', label: 'CI high', fmt: 'dec' },
        { col: 'verdict', label: 'verdict', fmt: 'text' }, { col: 'n_plays', label: 'plays', fmt: 'int' }, { col: 'n_tracks', label: 'tracks', fmt: 'int' }, { col: 'synthetic_target_share', label: 'synthetic target', fmt: 'pct' }] }),
    });
  }
  const recs = await lake.select('gold.recommendation_evaluation', ['model', 'k', 'hit_rate', 'evaluable_listeners', 'verdict'],
    'select * from gold.recommendation_evaluation order by k, model');
  models += '<h3>Recommendations</h3>' + gap(recs);
  if (recs.status === 'ok') {
    models += await charts.figure({
      id: 'recommendation-evaluation', title: 'Recommendation hit rate against the most-popular baseline', rows: recs.rows.filter((r) => r.hit_rate !== null),
      caption: 'Share of the evaluable listeners with at least one of their first listens after the cut-off among the top k recommendations (gold.recommendation_evaluation.hit_rate), for the recommender and its baseline. These rows cover every listener of the lake, not only this study.',
      spec: { width: { step: 60 }, height: 200, mark: 'bar', encoding: { x: { field: 'k', type: 'ordinal', title: 'List length k' }, xOffset: { field: 'model' }, y: { field: 'hit_rate', type: 'quantitative', title: 'Hit rate', axis: { format: '.0%' }, scale: { domain: [0, 1] } }, color: { field: 'model', type: 'nominal', title: 'Recommender' } } },
      table: dataTable({ caption: 'Recommendation evaluation', table: 'gold.recommendation_evaluation', key: ['model', 'k'], rows: recs.rows, columns: [{ col: 'model', label: 'model', fmt: 'text' }, { col: 'k', label: 'k', fmt: 'text' }, { col: 'hit_rate', label: 'hit rate', fmt: 'pct' }, { col: 'baseline_hit_rate', label: 'baseline', fmt: 'pct' }, { col: 'diff_ci_low', label: 'CI low', fmt: 'dec' }, { col: 'diff_ci_high', label: 'CI high', fmt: 'dec' }, { col: 'verdict', label: 'verdict', fmt: 'text' }, { col: 'evaluable_listeners', label: 'evaluable listeners', fmt: 'int' }] }),
    });
  }
  sections.push(section('models', 'Model evaluation against baselines', models));

  // Data quality of the last run.
  const run = await lastRun(lake);
  let quality = gap(run);
  let runId: string | null = null;
  if (run.status === 'ok') {
    const r = run.rows[0];
    runId = String(r.run_id);
    const key = { run_id: r.run_id };
    quality += `<p>Last run <code>${esc(r.run_id)}</code> (${esc(r.trigger)}) ${val(r.status, 'text', { table: 'ops.pipeline_runs', col: 'status', key })}, started ${esc(r.started_at)}; publish: ${esc(r.publish_status)}.</p>
<div class="stats">${stat('failed error-level checks', val(r.quality_errors, 'int', { table: 'ops.pipeline_runs', col: 'quality_errors', key }))}${stat('failed warnings', val(r.quality_warnings, 'int', { table: 'ops.pipeline_runs', col: 'quality_warnings', key }))}</div>`;
    const checks = await lake.select('ops.data_quality_checks', ['run_id', 'check_name', 'table_name', 'column_name', 'level', 'status'],
      `select check_name, table_name, column_name, level, status, observed_value, threshold, detail from ops.data_quality_checks where run_id = $run order by status, level, check_name, table_name, column_name`, { run: runId });
    quality += gap(checks);
    if (checks.status === 'ok') {
      const failed = checks.rows.filter((c) => c.status !== 'pass');
      const cols = [{ col: 'check_name', label: 'check', fmt: 'text' as const }, { col: 'table_name', label: 'table', fmt: 'text' as const }, { col: 'column_name', label: 'column', fmt: 'text' as const }, { col: 'level', label: 'level', fmt: 'text' as const }, { col: 'status', label: 'status', fmt: 'text' as const }, { col: 'observed_value', label: 'observed', fmt: 'dec' as const }, { col: 'threshold', label: 'threshold', fmt: 'dec' as const }, { col: 'detail', label: 'detail', fmt: 'text' as const }];
      const checkKey = ['run_id', 'check_name', 'table_name', 'column_name'];
      const withRun = (rows: Row[]) => rows.map((c) => ({ run_id: runId, ...c }));
      quality += await charts.figure({
        id: 'quality-checks', title: 'Data-quality checks of the last run', rows: checks.rows,
        caption: `Number of checks of each kind in ops.data_quality_checks for run ${runId}, by outcome (pass or fail) and level.`,
        spec: { width: 600, height: { step: 22 }, mark: 'bar', encoding: { y: { field: 'check_name', type: 'nominal', title: null }, x: { aggregate: 'count', type: 'quantitative', title: 'Checks' }, color: { field: 'status', type: 'nominal', title: 'Status', scale: { domain: ['pass', 'fail'], range: ['#009E73', '#D55E00'] } } } },
        table: dataTable({ caption: 'Every check of the last run', table: 'ops.data_quality_checks', key: checkKey, rows: withRun(checks.rows), columns: cols }),
      });
      quality += failed.length === 0 ? '<p>Every check of the last run passed.</p>' : dataTable({ caption: 'Failed checks of the last run', table: 'ops.data_quality_checks', key: checkKey, rows: withRun(failed), columns: cols });
    }
  }
  sections.push(section('quality', 'Data quality of the last run', quality));

  const body = `<header><h1>Study report: ${esc(study)}</h1>
<p class="lead">Listening data of ${ids.length} participant${ids.length === 1 ? '' : 's'}, from the gold tables of this lake. Charts are drawn from the tables' own values; each has a data table and a description for screen readers.</p></header>
<nav aria-label="Contents"><ol>${['participants:Participants', 'volume:Plays and streams', 'features:Feature sources', 'behaviour:Behaviour', 'models:Models', 'quality:Data quality', 'reproducibility:Reproducibility'].map((s) => { const [id, t] = s.split(':'); return `<li><a href="#${id}">${t}</a></li>`; }).join('')}</ol></nav>
${sections.join('\n')}
${footer(lake, { runId, generatedAt, version: opts.version })}`;
  const tables = Object.fromEntries([...lake.used.entries()].map(([t, m]) => [t, m.version]));
  return { html: page({ title: `Study report: ${study}`, charts: charts.ids, body, kind: 'study' }), charts: charts.ids, notices, tables };
}
