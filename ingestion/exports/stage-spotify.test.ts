// Files read together (one scan, one INSERT per format) must stage exactly what reading them one by
// one stages: the same rows, source_row, rejects and per-file summaries.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyDir, tempDir, testConfig } from '../../test/helpers.ts';
import { silentLogger } from '../../lib/logger.ts';
import { withWriter } from '../../lib/session.ts';
import { queryRows } from '../../lib/duckdb.ts';
import type { BuildContext } from '../../lib/build-context.ts';
import { createStaging } from './ingest.ts';
import { inspectExportFile, loadExportFiles } from './source.ts';
import { stageSpotifyFile, stageSpotifyFiles, type SpotifyEntry } from './stage-spotify.ts';

const EXTENDED = join(historyDir, 'Efrrowini__spotify-music-analysis', 'Streaming_History_Audio_2023.json');
type Rec = Record<string, unknown>;

/** A JSON array written element by element, so an element may be any text (a duplicate key). */
const arrayText = (elements: string[]) => `[\n${elements.join(',\n')}\n]`;

/** Writes the files of the study; returns each listener's paths and the 1-based rows that must be rejected per file. */
function writeStudy(dir: string) {
  const real = (JSON.parse(readFileSync(EXTENDED, 'utf8')) as Rec[]).slice(0, 400);
  const elements = real.slice(0, 200).map((r) => JSON.stringify(r));
  elements.splice(4, 0, '42');
  elements.splice(9, 0, JSON.stringify([{ ip_addr: '203.0.113.9', username: 'secret-user' }]));
  elements[49] = JSON.stringify({ ...real[47], ms_played: -5 });
  elements[120] = JSON.stringify(real[118]).replace('"ms_played":', '"ms_played":1,"ms_played":');
  elements[150] = JSON.stringify({ ...real[148], ts: 'yesterday' });
  for (const p of ['a', 'b']) mkdirSync(join(dir, p), { recursive: true });
  const files = {
    withRejects: join(dir, 'a', 'Streaming_History_Audio_2023.json'),
    empty: join(dir, 'a', 'Streaming_History_Audio_2024.json'),
    clean: join(dir, 'a', 'Streaming_History_Audio_2025.json'),
    account: join(dir, 'a', 'StreamingHistory_music_0.json'),
    other: join(dir, 'b', 'Streaming_History_Audio_2022.json'),
  };
  writeFileSync(files.withRejects, arrayText(elements));
  writeFileSync(files.empty, '[]');
  writeFileSync(files.clean, JSON.stringify(real.slice(200, 330)));
  writeFileSync(files.account, JSON.stringify([
    { endTime: '2024-01-01 10:00', artistName: 'A', trackName: 'T', msPlayed: 1000 },
    { endTime: '2024-01-01 10:04', artistName: 'A', trackName: 'T2', msPlayed: 'x' },
    { endTime: '2024-01-01 10:09', artistName: 'B', trackName: 'T3', msPlayed: 2000 },
  ]));
  writeFileSync(files.other, JSON.stringify(real.slice(330, 400)));
  return {
    files,
    // pb hands in one of pa's files too (the same path for two listeners).
    listeners: { pa: [files.withRejects, files.empty, files.clean, files.account], pb: [files.other, files.clean] },
    rejectedRows: { 'Streaming_History_Audio_2023.json': [5, 10, 50, 121, 151], 'StreamingHistory_music_0.json': [2] },
  };
}

async function entriesOf(ctx: BuildContext, listeners: Record<string, string[]>): Promise<SpotifyEntry[]> {
  const out: SpotifyEntry[] = [];
  for (const [listenerId, paths] of Object.entries(listeners)) {
    for (const p of paths) out.push({ listenerId, file: await inspectExportFile(ctx.conn, p) });
  }
  return out;
}

/** Everything staged, in a fixed order, with timestamps as text so rows compare by value. */
const staged = (ctx: BuildContext) => queryRows<Rec>(ctx.conn, `select * replace (played_at::varchar as played_at, offline_at::varchar as offline_at)
  from _history_incoming order by listener_id, source_file, source_row`);

test('files read together stage the same rows, source_row, rejects and summaries as files read one by one', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const study = writeStudy(join(dir, 'in'));
    await withWriter(testConfig(join(dir, 'lake')), silentLogger, 'test', async (s) => {
      const ctx = s.context(s.begin());
      // The batch path must really be taken: the files are readable in one scan.
      const distinct = await Promise.all(Object.values(study.files).map((p) => inspectExportFile(ctx.conn, p)));
      assert.ok(await loadExportFiles(ctx.conn, distinct, '_probe'), 'the study files are read in one scan');
      assert.deepEqual(distinct.map((f) => [f.name, f.format, f.records]), [
        ['Streaming_History_Audio_2023.json', 'export_extended', 202], ['Streaming_History_Audio_2024.json', null, 0],
        ['Streaming_History_Audio_2025.json', 'export_extended', 130], ['StreamingHistory_music_0.json', 'export_account', 3],
        ['Streaming_History_Audio_2022.json', 'export_extended', 70],
      ]);

      await createStaging(ctx);
      const single: unknown[] = [];
      for (const e of await entriesOf(ctx, study.listeners)) single.push(await stageSpotifyFile(ctx, e.file, e.listenerId));
      const one = await staged(ctx);

      // Together in one scan, and cut into several scans (a small scan size).
      for (const scanBytes of [undefined, 60_000]) {
        await createStaging(ctx);
        const summaries = await stageSpotifyFiles(ctx, await entriesOf(ctx, study.listeners), scanBytes);
        assert.deepEqual(summaries, single, `summaries, scan size ${scanBytes}`);
        const together = await staged(ctx);
        assert.equal(together.length, one.length);
        assert.deepEqual(together, one, `staged rows, scan size ${scanBytes}`);
      }
      assert.deepEqual(single.map((x) => Object.values(x as Rec).slice(0, 3)), [
        ['Streaming_History_Audio_2023.json', 'export_extended', 202], ['Streaming_History_Audio_2024.json', 'empty', 0],
        ['Streaming_History_Audio_2025.json', 'export_extended', 130], ['StreamingHistory_music_0.json', 'export_account', 3],
        ['Streaming_History_Audio_2022.json', 'export_extended', 70], ['Streaming_History_Audio_2025.json', 'export_extended', 130],
      ]);
      // Positions as written, independent of either path: every file numbers its own elements from 1.
      const rejects = one.filter((r) => r.reject_reason !== null);
      assert.deepEqual(Object.fromEntries(Object.keys(study.rejectedRows).map((f) => [f, rejects.filter((r) => r.source_file === f).map((r) => Number(r.source_row))])), study.rejectedRows);
      assert.ok(rejects.every((r) => !/secret-user|203\.0\.113/.test(String(r.raw_line))), 'no personal value in a raw line');
      const rows = (listener: string, file: string) => one.filter((r) => r.listener_id === listener && r.source_file === file).map((r) => Number(r.source_row));
      assert.deepEqual(rows('pb', 'Streaming_History_Audio_2025.json'), Array.from({ length: 130 }, (_, i) => i + 1));
      assert.deepEqual(rows('pb', 'Streaming_History_Audio_2022.json'), Array.from({ length: 70 }, (_, i) => i + 1));
    });
  } finally {
    cleanup();
  }
});

test('a broken file among others is named as when read alone, and the others are not read together with it', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const study = writeStudy(join(dir, 'in'));
    const cut = join(dir, 'in', 'a', 'Streaming_History_Audio_2026.json');
    // Closed again after the cut, so only the JSON reader can tell.
    writeFileSync(cut, `${readFileSync(study.files.clean, 'utf8').slice(0, 3000)}]`);
    await withWriter(testConfig(join(dir, 'lake')), silentLogger, 'test', async (s) => {
      const ctx = s.context(s.begin());
      await createStaging(ctx);
      const entries = await entriesOf(ctx, { pa: [study.files.clean, cut, study.files.account] });
      assert.equal(await loadExportFiles(ctx.conn, entries.map((e) => e.file), '_probe'), null);
      await assert.rejects(stageSpotifyFiles(ctx, entries), (e: Error) => e.message.startsWith(`${cut}: malformed JSON`));
    });
  } finally {
    cleanup();
  }
});

test('a file named with a glob character is not listed in a scan of several files, and still imports', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const study = writeStudy(join(dir, 'in'));
    const bracketed = join(dir, 'in', 'a', 'StreamingHistory_music_0 [1].json');
    writeFileSync(bracketed, readFileSync(study.files.account));
    await withWriter(testConfig(join(dir, 'lake')), silentLogger, 'test', async (s) => {
      const ctx = s.context(s.begin());
      await createStaging(ctx);
      const entries = await entriesOf(ctx, { pa: [study.files.clean, bracketed] });
      assert.equal(await loadExportFiles(ctx.conn, entries.map((e) => e.file), '_probe'), null);
      const summaries = await stageSpotifyFiles(ctx, entries);
      assert.deepEqual(summaries.map((x) => [x.file, x.format, x.records]), [
        ['Streaming_History_Audio_2025.json', 'export_extended', 130], ['StreamingHistory_music_0 [1].json', 'export_account', 3],
      ]);
      const [{ n }] = await queryRows<{ n: number }>(ctx.conn, 'select count(*)::integer as n from _history_incoming');
      assert.equal(n, 133);
    });
  } finally {
    cleanup();
  }
});
