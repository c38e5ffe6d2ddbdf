// ingest export --listener-dirs: the optional study_id column of listeners.csv.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyDir, runCli, tempDir } from '../../test/helpers.ts';

const smallExport = join(historyDir, 'Efrrowini__spotify-music-analysis', 'Streaming_History_Audio_2022.json');

function studyFolder(root: string, ids: string[], csv: string): void {
  for (const id of ids) {
    mkdirSync(join(root, id), { recursive: true });
    copyFileSync(smallExport, join(root, id, 'Streaming_History_Audio_2022.json'));
  }
  writeFileSync(join(root, 'listeners.csv'), csv);
}

test('listeners.csv: study_id registers new listeners in their study; missing or empty means default; bad ids are refused naming file, row and field', async (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const lake = join(dir, 'lake');
  const cli = (...args: string[]) => runCli([...args, '--data-dir', lake]);
  const registry = async () => JSON.parse((await cli('query', '--json', 'select listener_id, timezone, study_id from bronze.listeners order by 1')).stdout) as unknown[];

  const bad = join(dir, 'bad');
  studyFolder(bad, ['b1', 'b2'], 'listener_id,timezone,study_id\nb1,UTC,pilot\nb2,UTC,Pilot Study\n');
  const refused = await cli('ingest', 'export', bad, '--listener-dirs');
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /listeners\.csv row 3, field study_id: "Pilot Study" is not a valid study id/);
  assert.equal(existsSync(join(lake, 'bronze', 'listeners')), false, 'nothing was registered');
  const noColumns = join(dir, 'nocols');
  studyFolder(noColumns, ['n1'], 'listener_id,cohort\nn1,x\n');
  assert.match((await cli('ingest', 'export', noColumns, '--listener-dirs')).stderr, /expected the header listener_id,timezone/);

  const root = join(dir, 'study');
  studyFolder(root, ['s1', 's2', 's3'], 'listener_id,timezone,study_id\ns1,America/Chicago,pilot\ns2,Asia/Tokyo,\n');
  const r = await cli('ingest', 'export', root, '--listener-dirs', '--timezone', 'Europe/Paris');
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(await registry(), [
    { listener_id: 's1', timezone: 'America/Chicago', study_id: 'pilot' },
    { listener_id: 's2', timezone: 'Asia/Tokyo', study_id: 'default' },
    { listener_id: 's3', timezone: 'Europe/Paris', study_id: 'default' },
  ]);

  // Only a study column; a registered listener keeps their study (moving them is `listeners set --study`).
  studyFolder(root, ['s4'], 'listener_id,study_id\ns2,main\ns4,main\n');
  const again = await cli('ingest', 'export', root, '--listener-dirs');
  assert.equal(again.code, 0, again.stderr);
  assert.deepEqual((await registry()).map((row) => Object.values(row as object).join(' ')), [
    's1 America/Chicago pilot', 's2 Asia/Tokyo default', 's3 Europe/Paris default', 's4 UTC main',
  ]);
});
