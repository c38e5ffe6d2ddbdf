// Rules every gold declaration keeps, checked on the files themselves: gold reads only silver and
// gold, its SQL reads only the tables it declares as inputs, tables with a listener are per listener,
// and the descriptions are prose.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { qualifiedName } from '../lib/table-spec.ts';
import { loadGoldTables } from './build.ts';

const tables = (await loadGoldTables()).map((t) => t.spec);

test('gold reads only silver and gold, and its SQL reads exactly the declared inputs', () => {
  for (const spec of tables) {
    const name = qualifiedName(spec);
    for (const input of spec.inputs) assert.match(input, /^(silver|gold)\.[a-z0-9_]+$/, `${name}: input ${input}`);
    if (!spec.sql) continue;
    const read = new Set([...spec.sql.matchAll(/\b(bronze|silver|gold|ops)\.([a-z0-9_]+)\b/g)].map((m) => `${m[1]}.${m[2]}`));
    assert.deepEqual([...read].sort(), [...spec.inputs].sort(), `${name}: tables read by the SQL`);
  }
});

test('tables with a listener_id are per listener: listener_id is the first column and the first grain column', () => {
  for (const spec of tables.filter((t) => t.columns.some((c) => c.name === 'listener_id'))) {
    assert.equal(spec.columns[0].name, 'listener_id', qualifiedName(spec));
    assert.equal(spec.grain[0], 'listener_id', qualifiedName(spec));
  }
});

test('descriptions are prose and every table built from features carries synthetic_share', () => {
  for (const spec of tables) {
    const name = qualifiedName(spec);
    assert.ok(spec.description.length >= 60 && spec.grainSentence.startsWith('one row per'), `${name}: description and grain sentence`);
    for (const c of spec.columns) assert.ok(c.description.length >= 8, `${name}.${c.name}: description`);
    const usesFeatures = /valence|energy|danceability|tempo|feature_source/.test(spec.sql ?? '');
    if (spec.sql && usesFeatures) assert.ok(spec.columns.some((c) => c.name === 'synthetic_share'), `${name}: synthetic_share`);
  }
});

test('behaviour tables rest on the real events only: no audio feature, no feature_source, nothing synthetic', async () => {
  const { readFileSync, readdirSync } = await import('node:fs');
  const { join } = await import('node:path');
  const audio = /\b(valence|energy|danceability|acousticness|instrumentalness|liveness|speechiness|tempo|loudness|feature_source|feature_match|synthetic\w*)\b/i;
  const behaviour = tables.filter((t) => t.category === 'behaviour');
  assert.ok(behaviour.length >= 7, 'the behaviour tables are loaded');
  for (const spec of behaviour) {
    assert.doesNotMatch(spec.sql ?? '', audio, `${qualifiedName(spec)}: SQL`);
    assert.ok(!spec.columns.some((c) => audio.test(c.name)), `${qualifiedName(spec)}: columns`);
  }
  // Jobs build their SQL in code: every source file of the category is checked as text for the
  // feature columns (prose may say "never synthetic", so the bare word is checked in SQL only).
  const columns = /\b(valence|energy|danceability|acousticness|instrumentalness|liveness|speechiness|tempo|loudness|feature_source|feature_match|synthetic_share|is_synthetic)\b/i;
  const dir = join(import.meta.dirname, 'behaviour');
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))) {
    const code = readFileSync(join(dir, file), 'utf8').replace(/^\s*\/\/.*$/gm, '');
    assert.doesNotMatch(code, columns, `gold/behaviour/${file}`);
  }
});
