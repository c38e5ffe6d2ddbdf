// A Spotify download as people get it: a folder (nested) and a .zip holding the histories next to
// files that are not listening history. Every play is imported once, the summary lists the skipped
// files, and nothing of a skipped file exists anywhere under the data dir afterwards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import yazl from 'yazl';
import { historyDir, runCli, runCliChild, sharedData, tempDir, testConfig } from '../../test/helpers.ts';
import { silentLogger } from '../../lib/logger.ts';
import { withReader } from '../../lib/session.ts';
import { queryRows } from '../../lib/duckdb.ts';
import { discoverExports } from './discover.ts';

// Archives are unpacked under os.tmpdir(); the tests count the unpack folders left behind, so this
// file gets a temp root of its own (TMPDIR, read by os.tmpdir() at every call and inherited by the
// CLI children): other test files unpacking archives at the same time cannot shift the count.
process.env.TMPDIR = mkdtempSync(join(tmpdir(), 'package-test-'));

const PACKAGE = join(sharedData, 'spotify-package');
const EMAIL = 'planted.person.7731@example.org';

const HISTORIES = {
  'Spotify Extended Streaming History': [
    ...['2022', '2023', '2024', '2026'].map((y) => join(historyDir, 'Efrrowini__spotify-music-analysis', `Streaming_History_Audio_${y}.json`)),
    join(PACKAGE, 'egonik-unlp__my-spotify-data', 'Streaming_History_Video_2017-2024.json'),
  ],
  'Spotify Account Data': ['StreamingHistory_music_0.json', 'StreamingHistory_music_1.json', 'StreamingHistory_music_2.json', 'StreamingHistory_podcast_0.json']
    .map((f) => join(historyDir, 'JUSTSUJAY__spotify_analysis', f)),
};

/** Non-history files with a string that occurs in no history (searched for in the lake afterwards). */
const REAL_OTHERS: { file: string; from: string; marker: string }[] = [
  { file: 'Follow.json', from: 'hobbies-w-erin__Spotify-Account-Data', marker: 'dismissingUsersCount' },
  { file: 'Inferences.json', from: 'hobbies-w-erin__Spotify-Account-Data', marker: '1P_Custom_80s_Decade_Streamers' },
  { file: 'Marquee.json', from: 'hobbies-w-erin__Spotify-Account-Data', marker: 'Previously Active Listeners' },
  { file: 'Playlist1.json', from: 'hobbies-w-erin__Spotify-Account-Data', marker: 'lastModifiedDate' },
  { file: 'YourLibrary.json', from: 'ohitsmekatie__my-spotify', marker: 'bannedTracks' },
  { file: 'StreamingHistory_audiobook_0.json', from: 'hobbies-w-erin__Spotify-Account-Data', marker: 'How to Keep House While Drowning' },
];
const PLANTED: { file: string; body: string | Buffer; marker: string }[] = [
  { file: 'Userdata.json', body: JSON.stringify({ username: 'planted-user-0042', email: EMAIL, country: 'DE', birthdate: '1990-01-01', mobileNumber: '+49 170 0000000' }, null, 2), marker: EMAIL },
  { file: 'Identity.json', body: JSON.stringify({ displayName: 'Planted Displayname Qx', firstName: 'Planted', imageUrl: '' }), marker: 'Planted Displayname Qx' },
  { file: 'Payments.json', body: JSON.stringify({ payment_method: 'planted-card-ending-9911', creation_date: '2020-01-01' }), marker: 'planted-card-ending-9911' },
  { file: 'SearchQueries.json', body: JSON.stringify([{ platform: 'ANDROID', searchTime: '2024-01-01T10:00:00Z', searchQuery: 'planted search zzq', searchInteractionURIs: [] }]), marker: 'planted search zzq' },
  { file: 'Read_Me_First.pdf', body: Buffer.from('%PDF-1.4\n1 0 obj << /Title (planted pdf marker kk) >> endobj\n%%EOF\n'), marker: 'planted pdf marker kk' },
  { file: 'cover.png', body: Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('planted png marker pp')]), marker: 'planted png marker pp' },
];

/** Builds my_spotify_data/ with both history folders and the other package files; returns its root. */
function buildPackage(root: string): string {
  const top = join(root, 'my_spotify_data');
  for (const [folder, files] of Object.entries(HISTORIES)) {
    mkdirSync(join(top, folder), { recursive: true });
    for (const f of files) copyFileSync(f, join(top, folder, basename(f)));
  }
  const account = join(top, 'Spotify Account Data');
  for (const o of REAL_OTHERS) copyFileSync(join(PACKAGE, o.from, o.file), join(account, o.file));
  for (const p of PLANTED) writeFileSync(join(account, p.file), p.body);
  writeFileSync(join(top, 'Spotify Extended Streaming History', 'ReadMeFirst_ExtendedStreamingHistory.pdf'), '%PDF-1.4\n%%EOF\n');
  return top;
}

function zipFolder(folder: string, zipPath: string): Promise<void> {
  const zip = new yazl.ZipFile();
  const add = (dir: string, prefix: string) => {
    for (const n of readdirSync(dir).sort()) {
      const p = join(dir, n);
      if (statSync(p).isDirectory()) add(p, `${prefix}${n}/`);
      else zip.addFile(p, `${prefix}${n}`);
    }
  };
  add(folder, `${basename(folder)}/`);
  zip.end();
  return new Promise((res, rej) => {
    zip.outputStream.pipe(createWriteStream(zipPath)).on('close', () => res()).on('error', rej);
  });
}

function allFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? allFiles(p) : [p];
  });
}

const SKIPPED = [...REAL_OTHERS.map((o) => o.file), ...PLANTED.map((p) => p.file)];

async function playCount(dataDir: string, listener: string): Promise<number> {
  return withReader(testConfig(dataDir), silentLogger, async (s) => (await queryRows<{ n: number }>(s.conn,
    'select count(*)::integer as n from bronze.listening_history where listener_id = $l', { l: listener }))[0].n);
}

test('a downloaded package, as a folder and as a .zip, imports every history once and keeps nothing of the other files', async () => {
  const work = tempDir();
  const zipTemps = () => readdirSync(tmpdir()).filter((n) => n.startsWith('lakehouse-zip-')).length;
  const tempsBefore = zipTemps();
  try {
    const pkg = buildPackage(join(work.dir, 'download'));
    const zipPath = join(work.dir, 'my_spotify_data.zip');
    await zipFolder(pkg, zipPath);
    const lake = join(work.dir, 'lake');

    // The reference: the same history files named one by one (the path tested since the first issue).
    const reference = join(work.dir, 'reference');
    const direct = await runCli(['ingest', 'export', ...Object.values(HISTORIES).flat(), '--listener', 'ref', '--data-dir', reference]);
    assert.equal(direct.code, 0, direct.stderr);
    const expected = await playCount(reference, 'ref');
    assert.ok(expected > 30_000, `reference plays: ${expected}`);

    const folder = await runCli(['ingest', 'export', pkg, '--listener', 'pkg-folder', '--timezone', 'Asia/Kolkata', '--data-dir', lake]);
    assert.equal(folder.code, 0, folder.stderr);
    for (const f of SKIPPED) assert.match(folder.stdout, new RegExp(`^skipped: Spotify Account Data/${f.replace('.', '\\.')} \\(`, 'm'), f);
    assert.match(folder.stdout, /^skipped: Spotify Account Data\/Userdata\.json \(not a listening history\)$/m);
    assert.match(folder.stdout, /^skipped: Spotify Account Data\/Read_Me_First\.pdf \(not a listening history: a PDF document\)$/m);
    assert.match(folder.stdout, /^skipped: Spotify Account Data\/StreamingHistory_audiobook_0\.json \(an audiobook listening history/m);
    for (const f of Object.values(HISTORIES).flat()) assert.match(folder.stdout, new RegExp(`^${basename(f).replace('.', '\\.')}: export_`, 'm'), basename(f));
    assert.match(folder.stdout, /^pkg-folder: new listener, time zone Asia\/Kolkata \(given\)$/m);
    assert.equal(await playCount(lake, 'pkg-folder'), expected, 'every play of the folder once');

    // The zip goes through a child process so its logs (stderr, debug level) can be checked too.
    const zipped = await runCliChild(['ingest', 'export', zipPath, '--listener', 'pkg-zip', '--data-dir', lake, '--json'], { LOG_LEVEL: 'debug', LAKEHOUSE_TIMEZONE: 'UTC' });
    assert.equal(zipped.code, 0, zipped.stderr);
    const summary = JSON.parse(zipped.stdout) as { files: { file: string; records: number }[]; skipped: { file: string; reason: string }[]; rows_added: number; timezone: string; timezone_source: string; new_listener: boolean };
    assert.deepEqual(summary.skipped.map((s) => s.file).filter((f) => f.includes('Account Data')).sort(),
      SKIPPED.map((f) => `my_spotify_data.zip/my_spotify_data/Spotify Account Data/${f}`).sort());
    assert.ok(summary.skipped.some((s) => s.file.endsWith('ReadMeFirst_ExtendedStreamingHistory.pdf')));
    assert.equal(summary.files.length, Object.values(HISTORIES).flat().length);
    assert.equal(summary.rows_added, expected);
    assert.deepEqual([summary.timezone, summary.timezone_source, summary.new_listener], ['UTC', 'default', true]);
    assert.match(zipped.stderr, /time zone not given for pkg-zip: defaulted to UTC/);
    assert.equal(await playCount(lake, 'pkg-zip'), expected, 'every play of the zip once');
    const again = await runCli(['ingest', 'export', zipPath, '--listener', 'pkg-zip', '--data-dir', lake, '--json']);
    assert.equal(again.code, 0, again.stderr);
    assert.equal((JSON.parse(again.stdout) as { rows_added: number }).rows_added, 0, 're-importing the zip adds nothing');

    // No byte of a skipped file anywhere under the data dir: raw bytes of every file, and every
    // value of every Parquet file (compressed pages could hide a string from a byte search).
    const markers = [...REAL_OTHERS.map((o) => o.marker), ...PLANTED.map((p) => p.marker)];
    const files = allFiles(lake);
    for (const f of files) {
      const bytes = readFileSync(f);
      for (const m of markers) assert.ok(!bytes.includes(m), `${m} found in ${f}`);
    }
    const parquet = files.filter((f) => f.endsWith('.parquet'));
    assert.ok(parquet.length > 3);
    await withReader(testConfig(lake), silentLogger, async (s) => {
      for (const f of parquet) {
        for (const m of markers) {
          const [{ n }] = await queryRows<{ n: number }>(s.conn, `select count(*)::integer as n from read_parquet($f) t where contains(to_json(t)::varchar, $m)`, { f, m });
          assert.equal(n, 0, `${m} in ${f}`);
        }
      }
    });
    for (const m of markers) assert.ok(!zipped.stderr.includes(m) && !zipped.stdout.includes(m), `${m} logged`);
    assert.equal(zipTemps(), tempsBefore, 'the temp copies of zip entries are removed');
  } finally {
    work.cleanup();
  }
});

test('discovery recognises histories by content, whatever their name, and skips look-alikes', async () => {
  const work = tempDir();
  try {
    const dir = join(work.dir, 'pkg');
    mkdirSync(join(dir, 'deep', 'er'), { recursive: true });
    // A history under a name that says nothing, and a look-alike name holding no history.
    copyFileSync(join(historyDir, 'Efrrowini__spotify-music-analysis', 'Streaming_History_Audio_2022.json'), join(dir, 'deep', 'er', 'export-part.json'));
    copyFileSync(join(PACKAGE, 'hobbies-w-erin__Spotify-Account-Data', 'Marquee.json'), join(dir, 'StreamingHistory_music_9.json'));
    writeFileSync(join(dir, 'broken.json'), '[{"ts": "2024-01-01T00:00:00Z", "ms_pla');
    writeFileSync(join(dir, '.DS_Store'), Buffer.from([0, 0, 0, 1, 0x42, 0x75, 0x64, 0x31]));
    const found = await discoverExports([dir]);
    try {
      assert.deepEqual(found.histories.map((h) => h.display), ['broken.json', 'deep/er/export-part.json']);
      assert.equal(found.histories[1].format, 'export_extended');
      assert.equal(found.histories[0].format, null, 'a broken .json is handed to the importer, which refuses it naming the file');
      assert.deepEqual(found.skipped.map((s) => `${s.file} (${s.reason})`), ['.DS_Store (hidden file)', 'StreamingHistory_music_9.json (not a listening history)']);
    } finally {
      found.cleanup();
    }
    const cli = await runCli(['ingest', 'export', dir, '--listener', 'p1', '--data-dir', join(work.dir, 'lake')]);
    assert.equal(cli.code, 1);
    assert.match(cli.stderr, /broken\.json: /, 'a broken history is refused naming it');
    assert.equal(existsSync(join(work.dir, 'lake', 'bronze', 'listening_history')), false, 'nothing is published');
    // A broken history inside a .zip is refused under its name in the archive; an archive that is no zip is refused too.
    const zipPath = join(work.dir, 'broken.zip');
    const zip = new yazl.ZipFile();
    zip.addBuffer(Buffer.from('[{"ts": "2024-01-01T00:00:00Z", "ms_pla'), 'MyData/Streaming_History_Audio_2024.json');
    zip.addBuffer(Buffer.from(JSON.stringify({ email: EMAIL })), 'MyData/Userdata.json');
    zip.end();
    await new Promise<void>((res, rej) => zip.outputStream.pipe(createWriteStream(zipPath)).on('close', () => res()).on('error', rej));
    const zipTemps = readdirSync(tmpdir()).filter((n) => n.startsWith('lakehouse-zip-')).length;
    const refused = await runCli(['ingest', 'export', zipPath, '--listener', 'p1', '--data-dir', join(work.dir, 'lake')]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /^error: broken\.zip\/MyData\/Streaming_History_Audio_2024\.json: /m);
    assert.equal(readdirSync(tmpdir()).filter((n) => n.startsWith('lakehouse-zip-')).length, zipTemps, 'temp copies removed after a refusal too');
    writeFileSync(join(work.dir, 'fake.zip'), 'not a zip at all');
    const fake = await runCli(['ingest', 'export', join(work.dir, 'fake.zip'), '--listener', 'p1', '--data-dir', join(work.dir, 'lake')]);
    assert.equal(fake.code, 1);
    assert.match(fake.stderr, /fake\.zip: not a readable \.zip archive/);
    const none = await runCli(['ingest', 'export', join(PACKAGE, 'ohitsmekatie__my-spotify'), '--listener', 'p1', '--data-dir', join(work.dir, 'lake')]);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /no listening history found in .*skipped: Follow\.json \(not a listening history\)/);
  } finally {
    work.cleanup();
  }
});
