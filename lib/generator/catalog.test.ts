import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parse } from 'csv-parse/sync';
import { BAD_ROW_KINDS, generateCatalog, KAGGLE_HEADER } from './catalog.ts';
import { pearson, sha256Files, tempDir } from './test-helpers.ts';

const dir = tempDir('gen-catalog');
after(() => rmSync(dir, { recursive: true, force: true }));

const UNIT = [8, 9, 13, 14, 15, 16, 17];

/** The rejection rules of the conventions, applied independently of the generator. */
function isBad(r: string[]): boolean {
  if (r.length !== 21 || r[1] === '') return true;
  const nums = [5, 6, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19].map((i) => (r[i] === '' ? NaN : Number(r[i])));
  if (nums.some((x) => !Number.isFinite(x))) return true;
  if (UNIT.some((i) => Number(r[i]) < 0 || Number(r[i]) > 1)) return true;
  return Number(r[18]) < 0 || Number(r[18]) > 300 || Number(r[11]) > 5;
}

test('same seed gives byte-identical catalogs, another seed does not', async () => {
  const a = await generateCatalog({ file: join(dir, 'a.csv'), rows: 3000, seed: 7 });
  const b = await generateCatalog({ file: join(dir, 'b.csv'), rows: 3000, seed: 7 });
  const c = await generateCatalog({ file: join(dir, 'c.csv'), rows: 3000, seed: 8 });
  assert.equal(sha256Files([a.file]), sha256Files([b.file]));
  assert.notEqual(sha256Files([a.file]), sha256Files([c.file]));
  assert.deepEqual(a, { ...b, file: a.file });
});

test('the catalog has the Kaggle layout, counted bad rows and duplicate ids across genres', async () => {
  const res = await generateCatalog({ file: join(dir, 'k.csv'), rows: 6000, seed: 'fmt', badRowShare: 0.01 });
  const text = readFileSync(res.file, 'utf8');
  assert.ok(text.startsWith(`${KAGGLE_HEADER}\r\n`));
  assert.equal(text.split('\r\n').length - 2, 6000, 'CRLF after every row');
  assert.ok(!/[^\r]\n/.test(text), 'no bare LF');
  const rows: string[][] = parse(text, { relax_column_count: true, from_line: 2 });
  assert.equal(rows.length, 6000);
  const bad = rows.filter(isBad);
  assert.equal(bad.length, res.badRows);
  assert.ok(res.badRows > 20 && res.badRows < 100, `about 1% bad rows, got ${res.badRows}`);
  for (const k of BAD_ROW_KINDS) assert.ok(res.badRowsByKind[k] > 0, `bad rows of kind ${k}`);
  const good = rows.filter((r) => !isBad(r));
  assert.ok(good.every((r) => /^[0-9A-Za-z]{22}$/.test(r[1])));
  const ids = new Set(good.map((r) => r[1]));
  assert.equal(ids.size, res.distinctIds);
  assert.ok(res.distinctIds < good.length * 0.85 && res.distinctIds > good.length * 0.7);
  const genresOf = new Map<string, Set<string>>();
  for (const r of good) genresOf.set(r[1], (genresOf.get(r[1]) ?? new Set()).add(r[20]));
  assert.ok([...genresOf.values()].some((g) => g.size > 1), 'an id appears under several genres');
  assert.ok(good.some((r) => /^\d\.\d+e-0\d$/.test(r[15])), 'scientific notation like 1.84e-06');
  assert.ok(good.some((r) => r[7] === 'True') && good.some((r) => r[7] === 'False'));
  assert.ok(/\n\d+,\w{22},"[^"]*,/.test(text), 'quoted artist with a comma');
  assert.ok(good.some((r) => /[éäöãñø]/.test(r[2])), 'accented names');
});

test('features carry the correlations of the real catalog', async () => {
  const res = await generateCatalog({ file: join(dir, 'f.csv'), rows: 5000, seed: 'corr', badRowShare: 0 });
  const rows: string[][] = parse(readFileSync(res.file, 'utf8'), { from_line: 2 });
  const col = (i: number) => rows.map((r) => Number(r[i]));
  const [dance, energy, loud, acoustic, instr, valence] = [8, 9, 11, 14, 15, 17].map(col);
  assert.ok(pearson(energy, loud) > 0.6);
  assert.ok(pearson(energy, acoustic) < -0.6);
  assert.ok(pearson(valence, dance) > 0.35);
  assert.ok(pearson(valence, instr) < -0.15);
  const mean = energy.reduce((s, x) => s + x, 0) / energy.length;
  assert.ok(mean > 0.55 && mean < 0.72, `mean energy ${mean}`);
});
