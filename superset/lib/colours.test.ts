// Every series a built-in chart draws has one fixed colour on every dashboard, and the series drawn
// together in one chart have different colours.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DASHBOARDS } from './dashboard-spec.ts';
import { dashboardConfig } from './dashboard-yaml.ts';
import { SERIES_COLOURS } from './colours.ts';

/** Values of the categorical columns charts split series by (pies, groupby). */
const CATEGORIES: Record<string, string[]> = {
  feature_source: ['spotify_api', 'kaggle', 'synthetic', 'none'],
  shift_magnitude: ['Stable', 'Minor_Shift', 'Major_Shift'],
  model_name: ['valence_forest', 'mood_forest', 'energy_time_linear'],
};

function seriesOf(chart: (typeof DASHBOARDS)[number]['charts'][number]['chart']): string[] {
  switch (chart.kind) {
    case 'line': case 'bar': return chart.groupby?.length ? chart.groupby.flatMap((g) => CATEGORIES[g] ?? []) : chart.metrics.map((m) => m.label);
    case 'mixed': return [...(chart.groupby?.length ? chart.groupby.flatMap((g) => CATEGORIES[g] ?? []) : chart.metrics.map((m) => m.label)), ...chart.metricsB.map((m) => m.label)];
    case 'pie': return chart.groupby.flatMap((g) => CATEGORIES[g] ?? []);
    default: return [];
  }
}

test('every series has a fixed colour, distinct within its chart, on every dashboard', () => {
  const problems: string[] = [];
  for (const d of DASHBOARDS) {
    const meta = dashboardConfig(d, d.charts, null).metadata as { label_colors: Record<string, string> };
    assert.deepEqual(meta.label_colors, SERIES_COLOURS, `${d.title}: label colours`);
    for (const c of d.charts) {
      const series = seriesOf(c.chart);
      for (const s of series) if (!SERIES_COLOURS[s]) problems.push(`${d.title} / ${c.title}: no colour for "${s}"`);
      const colours = series.map((s) => SERIES_COLOURS[s]).filter(Boolean);
      if (new Set(colours).size !== colours.length) problems.push(`${d.title} / ${c.title}: two series share a colour (${series.join(', ')})`);
    }
  }
  assert.deepEqual(problems, []);
});
