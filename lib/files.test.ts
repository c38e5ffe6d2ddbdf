import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../test/helpers.ts';
import { fileSha256 } from './files.ts';

test('fileSha256 equals the digest of the whole file, across its chunk boundaries, also for files hashed at once', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const chunk = 4 * 1024 * 1024;
    const sizes = [0, 1, chunk - 1, chunk, chunk + 3, 2 * chunk + 17];
    const paths = sizes.map((size, i) => {
      const bytes = Buffer.alloc(size);
      for (let b = 0; b < size; b++) bytes[b] = (b * 31 + i * 7) & 0xff;
      const path = join(dir, `f${i}.bin`);
      writeFileSync(path, bytes);
      return path;
    });
    const expected = paths.map((p) => createHash('sha256').update(readFileSync(p)).digest('hex'));
    assert.deepEqual(await Promise.all(paths.map((p) => fileSha256(p))), expected);
    assert.equal(expected[0], 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  } finally {
    cleanup();
  }
});
