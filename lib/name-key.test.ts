import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withDuckDB } from './duckdb.ts';
import { nameKeySql } from './name-key.ts';

test('name keys ignore case, accents, versions and punctuation, and keep non-Latin scripts', async () => {
  const cases: [string | null, string | null, string | null][] = [
    ['Beyoncé', 'Halo', 'beyonce — halo'],
    ['The Beatles', 'Let It Be - Remastered 2009', 'the beatles — let it be'],
    ['Queen', "Don't Stop Me Now (feat. Nobody) [Live]", 'queen — don t stop me now'],
    ['  AC/DC ', 'T.N.T.', 'ac dc — t n t'],
    ['宇多田ヒカル', 'First Love', '宇多田ヒカル — first love'],
    ['Arijit Singh', 'Tum Hi Ho', 'arijit singh — tum hi ho'],
    ['', '', null],
    [null, null, null],
  ];
  await withDuckDB({}, async (conn) => {
    for (const [artist, title, expected] of cases) {
      const r = await conn.runAndReadAll(`select ${nameKeySql('$a', '$t')} as k`, { a: artist, t: title });
      assert.equal(r.getRowsJS()[0][0], expected, `${artist} / ${title}`);
    }
  });
});
