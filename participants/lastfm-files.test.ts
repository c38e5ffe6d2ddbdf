import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir, testConfig } from '../test/helpers.ts';
import { personalPaths } from './personal-files.ts';

test('a listener\'s landed Last.fm pages and cursor are personal files (erased and exported with them)', () => {
  const { dir, cleanup } = tempDir();
  try {
    for (const id of ['p1', 'p2']) {
      mkdirSync(join(dir, 'raw', 'lastfm', id), { recursive: true });
      writeFileSync(join(dir, 'raw', 'lastfm', id, 'run-page-00001.json'), '{}');
      mkdirSync(join(dir, 'state', 'lastfm'), { recursive: true });
      writeFileSync(join(dir, 'state', 'lastfm', `${id}.json`), JSON.stringify({ listener_id: id, user: `user-${id}` }));
    }
    const paths = personalPaths(testConfig(dir), 'p1').filter((p) => p.kind === 'lastfm').map((p) => [p.path.slice(dir.length + 1), p.files]).sort();
    assert.deepEqual(paths, [[join('raw', 'lastfm', 'p1'), 1], [join('state', 'lastfm', 'p1.json'), 1]]);
  } finally {
    cleanup();
  }
});
