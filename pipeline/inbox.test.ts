// The inbox takes a download as it comes (folder or .zip): histories are imported once and kept only
// as a manifest, other package files are deleted unread, failed/ holds only histories, and inbox
// folders that are not valid listener ids are reported with the rule they break.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join, relative } from 'node:path';
import yazl from 'yazl';
import { historyDir, sharedData, tempDir, testConfig } from '../test/helpers.ts';
import { silentLogger } from '../lib/logger.ts';
import { withReader, withWriter } from '../lib/session.ts';
import { queryRows } from '../lib/duckdb.ts';
import { ingestExports } from '../ingestion/exports/ingest.ts';
import { executeRun } from './run.ts';
import { FAST_GOLD } from './test-support.ts';
import type { InboxSummary, ProcessedManifest } from './inbox.ts';

const EFR = join(historyDir, 'Efrrowini__spotify-music-analysis');
const HOBBIES = join(sharedData, 'spotify-package', 'hobbies-w-erin__Spotify-Account-Data');
const VIDEO = join(sharedData, 'spotify-package', 'egonik-unlp__my-spotify-data', 'Streaming_History_Video_2017-2024.json');
const EMAIL = 'inbox.planted.5521@example.net';
const USERDATA = JSON.stringify({ username: 'planted-inbox-user', email: EMAIL, birthdate: '1991-02-03' });
const MARKERS = [EMAIL, 'planted-inbox-user', 'lastModifiedDate', 'Previously Active Listeners', 'planted inbox pdf zz'];

const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');

function allFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? allFiles(p) : [p];
  });
}

async function writeZip(path: string, entries: { name: string; file?: string; body?: string }[]): Promise<void> {
  const zip = new yazl.ZipFile();
  for (const e of entries) {
    if (e.file) zip.addFile(e.file, e.name);
    else zip.addBuffer(Buffer.from(e.body ?? ''), e.name);
  }
  zip.end();
  await new Promise<void>((res, rej) => zip.outputStream.pipe(createWriteStream(path)).on('close', () => res()).on('error', rej));
}

/** Plays bronze gets from these files named one by one (the importer's long-tested path). */
async function referencePlays(files: string[]): Promise<number> {
  const t = tempDir();
  try {
    return await withWriter(testConfig(t.dir), silentLogger, 'test', async (s) => {
      const tx = s.begin();
      const r = await ingestExports(s.context(tx), files, 'ref', 'UTC');
      await tx.commit();
      return r.rows_added;
    });
  } finally {
    t.cleanup();
  }
}

test('a download dropped into the inbox: histories once, a manifest in processed/, other files deleted unread, bad folder names reported', async () => {
  const work = tempDir();
  try {
    const config = testConfig(join(work.dir, 'lake'), {}, { LAKEHOUSE_TIMEZONE: 'UTC' });
    const inbox = join(config.dataDir, 'inbox');
    const truncated = readFileSync(join(EFR, 'Streaming_History_Audio_2023.json'), 'utf8').slice(0, 4000);

    // p-folder: an unzipped package folder.
    const folder = join(inbox, 'p-folder', 'Spotify Account Data');
    mkdirSync(folder, { recursive: true });
    copyFileSync(join(EFR, 'Streaming_History_Audio_2022.json'), join(folder, 'Streaming_History_Audio_2022.json'));
    copyFileSync(join(HOBBIES, 'Playlist1.json'), join(folder, 'Playlist1.json'));
    copyFileSync(join(HOBBIES, 'Marquee.json'), join(folder, 'Marquee.json'));
    writeFileSync(join(folder, 'Userdata.json'), USERDATA);
    writeFileSync(join(folder, 'Read_Me_First.pdf'), '%PDF-1.4 planted inbox pdf zz\n%%EOF\n');
    writeFileSync(join(folder, 'Streaming_History_Audio_2023.json'), truncated);
    // p-zip: the .zip as downloaded.
    mkdirSync(join(inbox, 'p-zip'));
    const zipPath = join(inbox, 'p-zip', 'my_spotify_data.zip');
    await writeZip(zipPath, [
      { name: 'Spotify Extended Streaming History/Streaming_History_Audio_2024.json', file: join(EFR, 'Streaming_History_Audio_2024.json') },
      { name: 'Spotify Extended Streaming History/Streaming_History_Video_2017-2024.json', file: VIDEO },
      { name: 'Spotify Extended Streaming History/Streaming_History_Audio_2023.json', body: truncated },
      { name: 'Spotify Account Data/Userdata.json', body: USERDATA },
      { name: 'Spotify Account Data/Marquee.json', file: join(HOBBIES, 'Marquee.json') },
    ]);
    const zipSha = sha(zipPath);
    // Entries no listener folder holds.
    mkdirSync(join(inbox, 'Anna Müller'));
    copyFileSync(join(EFR, 'Streaming_History_Audio_2022.json'), join(inbox, 'Anna Müller', 'Streaming_History_Audio_2022.json'));
    writeFileSync(join(inbox, 'stray.json'), '[]');

    const run = await executeRun(config, silentLogger, { ...FAST_GOLD, inbox: { settleMs: 0 }, publish: null, spotify: false });
    assert.equal(run.status, 'succeeded', run.error ?? '');
    const detail = run.stages.find((s) => s.stage === 'ingest inbox')?.detail as InboxSummary;
    assert.equal(detail.imported, 3);
    assert.equal(detail.failed_files, 2);
    const skipped = detail.files.filter((f) => f.status === 'skipped').map((f) => `${f.listener_id}: ${f.file} (${f.reason})`).sort();
    assert.deepEqual(skipped, [
      `p-folder: ${join('Spotify Account Data', 'Marquee.json')} (not a listening history)`,
      `p-folder: ${join('Spotify Account Data', 'Playlist1.json')} (not a listening history)`,
      `p-folder: ${join('Spotify Account Data', 'Read_Me_First.pdf')} (not a listening history: a PDF document)`,
      `p-folder: ${join('Spotify Account Data', 'Userdata.json')} (not a listening history)`,
      'p-zip: my_spotify_data.zip/Spotify Account Data/Marquee.json (not a listening history)',
      'p-zip: my_spotify_data.zip/Spotify Account Data/Userdata.json (not a listening history)',
    ]);
    assert.equal(detail.skipped_deleted, 6);
    assert.deepEqual(detail.new_listeners, [
      { listener_id: 'p-folder', timezone: 'UTC', timezone_source: 'default' },
      { listener_id: 'p-zip', timezone: 'UTC', timezone_source: 'default' },
    ], 'the run summary names the zone each new listener got');

    const plays = await withReader(config, silentLogger, (s) => queryRows<{ listener_id: string; n: number }>(s.conn,
      'select listener_id, count(*)::integer as n from bronze.listening_history group by all order by all'));
    assert.deepEqual(plays, [
      { listener_id: 'p-folder', n: await referencePlays([join(EFR, 'Streaming_History_Audio_2022.json')]) },
      { listener_id: 'p-zip', n: await referencePlays([join(EFR, 'Streaming_History_Audio_2024.json'), VIDEO]) },
    ]);

    // The inbox is empty but for what no listener folder holds.
    assert.deepEqual(allFiles(inbox).map((f) => relative(inbox, f)).sort(), [join('Anna Müller', 'Streaming_History_Audio_2022.json'), 'stray.json']);
    // processed/ holds manifests only.
    const processed = allFiles(join(config.dataDir, 'processed')).map((f) => relative(config.dataDir, f)).sort();
    assert.deepEqual(processed, [join('processed', 'p-folder', run.run_id, 'manifest.json'), join('processed', 'p-zip', run.run_id, 'manifest.json')]);
    const zipManifest = JSON.parse(readFileSync(join(config.dataDir, processed[1]), 'utf8')) as ProcessedManifest;
    assert.deepEqual(zipManifest.archives, [{ file: 'my_spotify_data.zip', sha256: zipSha, bytes: zipManifest.archives[0].bytes }]);
    assert.deepEqual(zipManifest.files.map((f) => [f.file, f.sha256, f.records]), [
      ['my_spotify_data.zip/Spotify Extended Streaming History/Streaming_History_Audio_2024.json', sha(join(EFR, 'Streaming_History_Audio_2024.json')), 3154],
      ['my_spotify_data.zip/Spotify Extended Streaming History/Streaming_History_Video_2017-2024.json', sha(VIDEO), 127],
    ]);
    assert.equal(zipManifest.rows_added, plays[1].n);
    // failed/ holds the two broken histories (and their errors), nothing else.
    const failed = allFiles(join(config.dataDir, 'failed')).map((f) => relative(join(config.dataDir, 'failed'), f)).sort();
    assert.deepEqual(failed, [
      join('p-folder', run.run_id, 'Spotify Account Data', 'Streaming_History_Audio_2023.json'),
      join('p-folder', run.run_id, 'Spotify Account Data', 'Streaming_History_Audio_2023.json.error.txt'),
      join('p-zip', run.run_id, 'my_spotify_data.zip', 'Spotify Extended Streaming History', 'Streaming_History_Audio_2023.json'),
      join('p-zip', run.run_id, 'my_spotify_data.zip', 'Spotify Extended Streaming History', 'Streaming_History_Audio_2023.json.error.txt'),
    ]);
    assert.match(readFileSync(join(config.dataDir, 'failed', failed[3]), 'utf8'), /^my_spotify_data\.zip\/Spotify Extended Streaming History\/Streaming_History_Audio_2023\.json: /);

    // Nothing of a skipped file anywhere under the data dir (bytes, and every Parquet value).
    const files = allFiles(config.dataDir);
    for (const f of files) for (const m of MARKERS) assert.ok(!readFileSync(f).includes(m), `${m} found in ${f}`);
    await withReader(config, silentLogger, async (s) => {
      for (const f of files.filter((x) => x.endsWith('.parquet'))) {
        for (const m of MARKERS) {
          const [{ n }] = await queryRows<{ n: number }>(s.conn, 'select count(*)::integer as n from read_parquet($f) t where contains(to_json(t)::varchar, $m)', { f, m });
          assert.equal(n, 0, `${m} in ${f}`);
        }
      }
    });

    // Warnings: the folders and files no listener folder holds, with the rule; the defaulted zones.
    const check = (name: string) => run.quality.failed.find((c) => c.check_name === name);
    assert.equal(check('inbox_folders')?.observed_value, 2);
    assert.match(check('inbox_folders')?.detail ?? '', /inbox\/Anna Müller\/ \(the folder name is not a valid listener id: a listener id holds only letters, digits, '\.', '_' and '-' \(found " " "ü"\)\)/);
    assert.match(check('inbox_folders')?.detail ?? '', /inbox\/stray\.json \(files belong in a listener folder/);
    assert.equal(check('default_timezone')?.level, 'warn');
    assert.match(check('default_timezone')?.detail ?? '', /: p-folder \(UTC\), p-zip \(UTC\); set it with `lakehouse listeners set/);
    const recorded = await withReader(config, silentLogger, (s) => queryRows<{ check_name: string; status: string }>(s.conn,
      "select check_name, status from ops.data_quality_checks where run_id = $r and check_name in ('inbox_folders', 'default_timezone') order by 1", { r: run.run_id }));
    assert.deepEqual(recorded, [{ check_name: 'default_timezone', status: 'fail' }, { check_name: 'inbox_folders', status: 'fail' }]);

    // A later run with nothing to import still reports the folder it leaves alone.
    const again = await executeRun(config, silentLogger, { ...FAST_GOLD, inbox: { settleMs: 0 }, publish: null, spotify: false });
    assert.equal(again.status, 'succeeded', again.error ?? '');
    assert.equal(again.quality.failed.find((c) => c.check_name === 'inbox_folders')?.observed_value, 2);
    assert.ok(existsSync(join(inbox, 'Anna Müller', 'Streaming_History_Audio_2022.json')), 'left alone, not deleted');
  } finally {
    work.cleanup();
  }
});

test('a lake from before keeps no export copies: processed/ copies become manifest entries, failed/ keeps only histories', async () => {
  const work = tempDir();
  try {
    const config = testConfig(join(work.dir, 'lake'));
    const old = join(config.dataDir, 'processed', 'p1', 'run-old', 'Spotify Extended Streaming History');
    mkdirSync(old, { recursive: true });
    const copy = join(old, 'Streaming_History_Audio_2022.json');
    copyFileSync(join(EFR, 'Streaming_History_Audio_2022.json'), copy);
    const failed = join(config.dataDir, 'failed', 'p1', 'run-old');
    mkdirSync(failed, { recursive: true });
    writeFileSync(join(failed, 'Userdata.json'), USERDATA);
    writeFileSync(join(failed, 'Userdata.json.error.txt'), 'Userdata.json: unknown export shape\n');
    writeFileSync(join(failed, 'truncated.json'), readFileSync(join(EFR, 'Streaming_History_Audio_2022.json'), 'utf8').slice(0, 3000));
    writeFileSync(join(failed, 'truncated.json.error.txt'), 'truncated.json: malformed JSON\n');

    const run = await executeRun(config, silentLogger, { ...FAST_GOLD, inbox: { settleMs: 0 }, publish: null, spotify: false });
    assert.equal(run.status, 'succeeded', run.error ?? '');
    const processed = allFiles(join(config.dataDir, 'processed')).map((f) => relative(config.dataDir, f));
    assert.deepEqual(processed, [join('processed', 'p1', 'run-old', 'manifest.json')]);
    const manifest = JSON.parse(readFileSync(join(config.dataDir, processed[0]), 'utf8')) as ProcessedManifest;
    assert.deepEqual(manifest.files.map((f) => [f.file, f.sha256, f.bytes]), [[join('Spotify Extended Streaming History', 'Streaming_History_Audio_2022.json'), sha(join(EFR, 'Streaming_History_Audio_2022.json')), statSync(join(EFR, 'Streaming_History_Audio_2022.json')).size]]);
    assert.deepEqual(readdirSync(failed).sort(), ['truncated.json', 'truncated.json.error.txt'], 'failed/ keeps the broken history only');
    for (const f of allFiles(config.dataDir)) assert.ok(!readFileSync(f).includes(EMAIL), `${EMAIL} in ${f}`);
  } finally {
    work.cleanup();
  }
});

test('Last.fm, Apple Music and YouTube Music files dropped into the inbox are recognised by content and imported', async () => {
  const work = tempDir();
  try {
    const config = testConfig(join(work.dir, 'lake'), {}, { LAKEHOUSE_TIMEZONE: 'UTC' });
    const dir = join(config.dataDir, 'inbox', 'p-platforms', 'downloads');
    mkdirSync(dir, { recursive: true });
    copyFileSync(join(sharedData, 'lastfm', 'Djivs__lastfmprostats', 'scrobbles.csv'), join(dir, 'export.csv'));
    copyFileSync(join(sharedData, 'apple-music', 'nerveband__Apple-Music-Play-History-Converter', 'Apple Music Play Activity small.csv'), join(dir, 'activity.csv'));
    copyFileSync(join(sharedData, 'youtube-music', 'tunaerol__DSA210-Project', 'watch-history.json'), join(dir, 'watch-history.json'));
    writeFileSync(join(dir, 'notes.csv'), 'title,comment\nx,y\n');
    const run = await executeRun(config, silentLogger, { ...FAST_GOLD, inbox: { settleMs: 0 }, publish: null, spotify: false });
    assert.equal(run.status, 'succeeded', run.error ?? '');
    const detail = run.stages.find((s) => s.stage === 'ingest inbox')?.detail as InboxSummary;
    assert.equal(detail.imported, 3);
    assert.deepEqual(detail.files.filter((f) => f.status === 'skipped').map((f) => f.file), [join('downloads', 'notes.csv')]);
    const bySource = await withReader(config, silentLogger, (s) => queryRows<{ source: string; n: number }>(s.conn,
      'select source, count(*)::integer as n from bronze.listening_history group by all order by all'));
    // SOURCES.md: 11,387 scrobbles (16 duplicates), 17 Apple rows (1 negative duration), 727 YouTube Music entries.
    assert.deepEqual(bySource, [{ source: 'apple_play_activity', n: 16 }, { source: 'lastfm_csv_utc_time', n: 11371 }, { source: 'youtube_watch_history', n: 727 }]);
    assert.ok(!existsSync(join(dir, 'notes.csv')), 'a file that is no history is deleted unread');
  } finally {
    work.cleanup();
  }
});
