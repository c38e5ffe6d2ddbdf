// Chart rendering without a lake: the SVG is inline-ready (no namespace URL, an accessible name),
// and a month without data breaks a line instead of being bridged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MONTH_LINE, monthAxis, renderSvg, withMonthGaps } from './charts.ts';

test('withMonthGaps adds one empty row per missing month of each series, across a year end', () => {
  const rows = [
    { listener_id: 'a', month_local: '2023-11-01', plays: 5 }, { listener_id: 'a', month_local: '2024-02-01', plays: 7 },
    { listener_id: 'b', month_local: '2024-01-01', plays: 1 },
  ];
  const gaps = withMonthGaps(rows, 'listener_id').slice(rows.length);
  assert.deepEqual(gaps, [{ listener_id: 'a', month_local: '2023-12-01' }, { listener_id: 'a', month_local: '2024-01-01' }]);
  assert.deepEqual(withMonthGaps(rows.slice(0, 1), null), rows.slice(0, 1));
});

test('a line over months breaks at a month without data; the SVG carries no URL and an accessible name', async () => {
  const rows = withMonthGaps([{ month_local: '2024-01-01', v: 1 }, { month_local: '2024-02-01', v: 2 }, { month_local: '2024-05-01', v: 3 }, { month_local: '2024-06-01', v: 1 }], null);
  const svg = await renderSvg({ mark: MONTH_LINE, encoding: { x: monthAxis('month_local'), y: { field: 'v', type: 'quantitative' } } }, rows, 'Plays per month');
  const path = /class="mark-line role-mark[\s\S]*?d="([^"]*)"/.exec(svg)![1];
  assert.equal(path.split('M').length - 1, 2, `two separate line pieces: ${path}`);
  assert.doesNotMatch(svg, /https?:|xmlns|NaN|undefined/);
  assert.match(svg, /^<svg role="img" aria-label="Plays per month" focusable="false" /);
});
