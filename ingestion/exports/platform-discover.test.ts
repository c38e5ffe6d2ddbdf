// Files of every platform are recognised by content (never by name), in folders, nested folders and
// zips, by `lakehouse ingest export`; CSVs and JSONs that are no history are skipped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import yazl from 'yazl';
import { kaggleSample, runCli, sharedData, tempDir } from '../../test/helpers.ts';
import { discoverExports } from './discover.ts';

const LASTFM = join(sharedData, 'lastfm', 'Djivs__lastfmprostats', 'scrobbles.csv');
const APPLE = join(sharedData, 'apple-music', 'nerveband__Apple-Music-Play-History-Converter', 'Apple Music Play Activity small.csv');
const YOUTUBE = join(sharedData, 'youtube-music', 'tunaerol__DSA210-Project', 'watch-history.json');

test('a folder with a renamed Last.fm CSV, a zipped Apple CSV and a Takeout file imports all three; other CSVs are skipped', async () => {
  const work = tempDir();
  try {
    const pkg = join(work.dir, 'download');
    mkdirSync(join(pkg, 'deep', 'er'), { recursive: true });
    copyFileSync(LASTFM, join(pkg, 'deep', 'er', 'notes.txt'));
    copyFileSync(YOUTUBE, join(pkg, 'history.json'));
    copyFileSync(kaggleSample, join(pkg, 'tracks.csv'));
    writeFileSync(join(pkg, 'listeners.csv'), 'listener_id,timezone\np1,UTC\n');
    writeFileSync(join(pkg, 'other.csv'), 'a,b,c\n1,2,3\n');
    const zip = new yazl.ZipFile();
    zip.addFile(APPLE, 'Apple Media Services/Apple Music Activity/data.csv');
    zip.end();
    await new Promise<void>((res, rej) => zip.outputStream.pipe(createWriteStream(join(pkg, 'apple.zip'))).on('close', () => res()).on('error', rej));
    const found = await discoverExports([pkg]);
    try {
      assert.deepEqual(found.histories.map((h) => [h.display, h.platform]).sort(), [
        ['apple.zip/Apple Media Services/Apple Music Activity/data.csv', 'apple_play_activity'],
        ['deep/er/notes.txt', 'lastfm_csv_utc_time'],
        ['history.json', 'youtube_watch_history'],
      ]);
      assert.deepEqual(found.skipped.map((s) => s.file).sort(), ['listeners.csv', 'other.csv', 'tracks.csv']);
    } finally {
      found.cleanup();
    }
    const r = await runCli(['ingest', 'export', pkg, '--listener', 'p1', '--data-dir', join(work.dir, 'lake'), '--json']);
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout);
    assert.deepEqual(s.files.map((f: { format: string }) => f.format).sort(), ['apple_play_activity', 'lastfm_csv_utc_time', 'youtube_watch_history']);
    assert.equal(s.rows_added, 16 + (11387 - 16) + 727);
    // A Last.fm file named directly is recognised too.
    const direct = await runCli(['ingest', 'export', LASTFM, '--listener', 'p2', '--data-dir', join(work.dir, 'lake'), '--json']);
    assert.equal(direct.code, 0, direct.stderr);
    assert.equal(JSON.parse(direct.stdout).files[0].format, 'lastfm_csv_utc_time');
  } finally {
    work.cleanup();
  }
});

test('a Last.fm CSV with broken quoting is refused whole, naming the file', async () => {
  const work = tempDir();
  try {
    const f = join(work.dir, 'scrobbles.csv');
    writeFileSync(f, 'uts,utc_time,artist,artist_mbid,album,album_mbid,track,track_mbid\n"1720688852","11 Jul 2024, 09:07","The Cure","","Faith","","Primary\n');
    const r = await runCli(['ingest', 'export', f, '--listener', 'p1', '--data-dir', join(work.dir, 'lake')]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /scrobbles\.csv: malformed CSV/);
  } finally {
    work.cleanup();
  }
});

test('invalid UTF-8 in a Last.fm CSV or a watch history refuses the file naming it, never U+FFFD in bronze', async () => {
  const work = tempDir();
  try {
    const csv = join(work.dir, 'scrobbles.csv');
    writeFileSync(csv, Buffer.concat([Buffer.from('utc_time,artist,album,track\n"24 Jan 2023, 09:42",Caf'), Buffer.from([0xe9]), Buffer.from(',Album,Song\n')]));
    const r = await runCli(['ingest', 'export', csv, '--listener', 'p1', '--data-dir', join(work.dir, 'lake')]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /scrobbles\.csv: not valid UTF-8 near byte 5[34]/);
    const json = join(work.dir, 'watch-history.json');
    writeFileSync(json, Buffer.concat([Buffer.from('[{"header":"YouTube Music","title":"Watched Caf'), Buffer.from([0xe9]), Buffer.from('","time":"2025-01-01T00:00:00.000Z"}]')]));
    const y = await runCli(['ingest', 'export', json, '--listener', 'p1', '--data-dir', join(work.dir, 'lake')]);
    assert.equal(y.code, 1);
    assert.match(y.stderr, /watch-history\.json: not valid UTF-8/);
  } finally {
    work.cleanup();
  }
});
