import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emitProgress } from '../lib/progress.ts';
import { TerminalView, tableLine } from './terminal-view.ts';

function capture(): { stream: { write(s: string): void; isTTY: boolean }; text: () => string } {
  let out = '';
  return { stream: { write: (s: string) => void (out += s), isTTY: false }, text: () => out };
}

test('table lines: counter, name padded with dots, rows with thousands separators, seconds', () => {
  assert.equal(tableLine('12 of 25', 'gold.temporal_trends', 1324, 80), `12 of 25  gold.temporal_trends ${'.'.repeat(26)}     1,324 rows    0.08 s`);
  assert.match(tableLine('ingest  ', 'bronze.listeners', 1, 5), /\.{3,}\s+1 row \s+0\.01 s$/);
});

test('the view numbers planned tables, labels the others, discards a failed stage and names every warning', () => {
  const { stream, text } = capture();
  const view = new TerminalView(stream);
  view.start('lakehouse run');
  emitProgress({ kind: 'stage-start', stage: 'ingest export p1' });
  emitProgress({ kind: 'table', table: 'bronze.listening_history', rows: 4061, ms: 30 });
  emitProgress({ kind: 'stage-end', stage: 'ingest export p1', ms: 40, ok: true });
  emitProgress({ kind: 'plan', tables: ['silver.listening_with_features', 'gold.temporal_trends'] });
  emitProgress({ kind: 'stage-start', stage: 'silver' });
  emitProgress({ kind: 'table', table: 'silver.listening_with_features', rows: 4000, ms: 200 });
  emitProgress({ kind: 'stage-end', stage: 'silver', ms: 250, ok: true });
  emitProgress({ kind: 'stage-start', stage: 'gold' });
  emitProgress({ kind: 'table', table: 'gold.temporal_trends', rows: 12, ms: 10 });
  emitProgress({ kind: 'stage-end', stage: 'gold', ms: 3000, ok: false });
  view.logSink.write(`${JSON.stringify({ level: 40, msg: 'listener p1 has no time zone', listener_id: 'p1' })}\n`);
  view.stop();
  emitProgress({ kind: 'table', table: 'gold.after_stop', rows: 1, ms: 1 });
  view.summary({ ok: false, headline: 'run r1 aborted in 3 s (stage gold)', checks: [
    { check_name: 'synthetic_share_listener', table_name: 'silver.listening_with_features', column_name: 'listener_id', level: 'warn', observed_value: 1, threshold: 0.5, detail: 'listeners with more than 50 % …: p1 100 % of 4,061' },
  ], next: ['lakehouse runs --run r1'] });
  const out = text();
  assert.match(out, /^ {2}ingest {4}bronze\.listening_history \.+\s+4,061 rows\s+0\.03 s {2}export p1$/m);
  assert.match(out, /^ {4}1 of 2 {2}silver\.listening_with_features \.+\s+4,000 rows/m);
  assert.match(out, /^ {4}2 of 2 {2}gold\.temporal_trends/m);
  assert.match(out, /✗ gold stopped after 3 s: nothing it wrote was published/);
  assert.match(out, /2 table versions written: bronze 1, silver 1\n/);
  assert.match(out, /1 table version of the stopped stage discarded/);
  assert.match(out, /WARN  synthetic_share_listener on silver\.listening_with_features\.listener_id: listeners with more than 50 % …: p1 100 % of 4,061 \(observed 1, threshold 0\.5\)/);
  assert.match(out, /WARN  listener p1 has no time zone {2}listener_id=p1/);
  assert.match(out, /Next:\n {2}\$ lakehouse runs --run r1/);
  assert.doesNotMatch(out, /after_stop/, 'a stopped view no longer listens');
  assert.doesNotMatch(out, /\u001B\[/, 'no escape codes on a stream that is not a terminal');
});
