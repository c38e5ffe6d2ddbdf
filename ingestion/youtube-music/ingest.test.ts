import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { sharedData, tempDir, testConfig } from '../../test/helpers.ts';
import { importAs, lakeRows, rejectsByReason } from '../exports/platform-test-support.ts';

const dir = join(sharedData, 'youtube-music');

// Expected figures from SOURCES.md: entries, YouTube Music entries, " - Topic" channels, music plays without subtitles.
const FILES = [
  { file: 'tunaerol__DSA210-Project/watch-history.json', records: 2952, music: 727, topic: 622, noSubtitles: 4 },
  { file: 'Ten5__AnalyzeYouTube/watch-history.json', records: 7000, music: 3510, topic: 3030, noSubtitles: 3 },
];

test('every real Takeout watch history: only YouTube Music entries become plays, artist from the channel without " - Topic"', async () => {
  const { dir: data, cleanup } = tempDir();
  try {
    const config = testConfig(data);
    const table: string[] = [];
    for (const [i, f] of FILES.entries()) {
      const r = await importAs(config, [join(dir, f.file)], `yt${i}`);
      assert.equal(r.files[0].format, 'youtube_watch_history');
      assert.equal(r.records, f.records, f.file);
      assert.equal(r.not_plays, f.records - f.music, f.file);
      assert.deepEqual(await rejectsByReason(config, `yt${i}`), {}, f.file);
      assert.equal(r.rows_added, f.music, f.file);
      assert.equal(r.duplicates_skipped, 0, f.file);
      const [c] = await lakeRows<{ topic: number; nulls: number; ms: number; watched: number }>(config, `select
          count(*) filter (where artist_name is null)::integer as nulls,
          count(*) filter (where ms_played is not null)::integer as ms,
          count(*) filter (where track_name like 'Watched %' or artist_name like '% - Topic')::integer as watched,
          0 as topic
        from bronze.listening_history where listener_id = $l`, { l: `yt${i}` });
      assert.deepEqual({ nulls: c.nulls, ms: c.ms, watched: c.watched }, { nulls: f.noSubtitles, ms: 0, watched: 0 }, f.file);
      table.push(`${f.file}: ${f.records} read, ${r.rows_added} plays kept, ${r.not_plays} not YouTube Music, 0 rejected`);
    }
    process.stderr.write(`${table.join('\n')}\n`);
  } finally {
    cleanup();
  }
});

test('a music entry whose title is a URL keeps a null artist; broken music entries are quarantined', async () => {
  const { dir: data, cleanup } = tempDir();
  try {
    const f = join(data, 'watch-history.json');
    writeFileSync(f, JSON.stringify([
      { header: 'YouTube Music', title: 'Watched https://music.youtube.com/watch?v=CEyJ4wk10SM', titleUrl: 'https://music.youtube.com/watch?v=CEyJ4wk10SM', time: '2025-01-01T10:00:00.000Z', products: ['YouTube'] },
      { header: 'YouTube Music', title: 'Watched Song B', titleUrl: 'https://music.youtube.com/watch?v=x', subtitles: [{ name: 'Band - Topic' }], time: 'yesterday', products: ['YouTube'] },
      { header: 'YouTube', title: 'Watched a cat video', titleUrl: 'https://www.youtube.com/watch?v=y', time: '2025-01-01T11:00:00.000Z', products: ['YouTube'] },
      { header: 'YouTube Music', title: 'Watched Song C', titleUrl: 'https://music.youtube.com/watch?v=z', subtitles: [{ name: 'Some Channel' }], time: '2025-01-01T12:00:00.000Z', products: ['YouTube'] },
      { header: 'YouTube Music', title: 'Searched for planted search words', titleUrl: 'https://music.youtube.com/search?q=x', time: '2025-01-01T12:01:00.000Z', products: ['YouTube'] },
    ]));
    const config = testConfig(join(data, 'lake'));
    const r = await importAs(config, [f], 'p1');
    assert.equal(r.rows_added, 2);
    assert.equal(r.not_plays, 2);
    assert.deepEqual(await rejectsByReason(config, 'p1'), { 'unparsable timestamp': 1 });
    const rows = await lakeRows(config, 'select artist_name, track_name from bronze.listening_history order by played_at');
    assert.deepEqual(rows, [{ artist_name: null, track_name: 'https://music.youtube.com/watch?v=CEyJ4wk10SM' }, { artist_name: 'Some Channel', track_name: 'Song C' }]);
    const dump = JSON.stringify(await lakeRows(config, 'select * from bronze.rejected_rows'));
    assert.ok(!dump.includes('cat video'), 'a YouTube view is not stored anywhere');
    assert.ok(!dump.includes('planted search words'), 'a search is not stored anywhere');
  } finally {
    cleanup();
  }
});
