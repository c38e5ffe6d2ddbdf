// Reading a Takeout watch-history.json: recognised by the keys of its first entry (header, title,
// time); every element is read, only YouTube Music entries become plays or rejects.
import { InputFileError } from '../../lib/errors.ts';
import { readJsonDocument, type ParsedFile, type PlatformFormat, type PlayRow } from '../exports/platform.ts';
import { isMusicEntry, youtubeRow } from './parse.ts';

/** Whether the keys of a JSON array's first record are a Takeout activity entry's. */
export function recogniseYoutubeKeys(keys: string[]): PlatformFormat | null {
  return keys.includes('header') && keys.includes('title') && keys.includes('time') ? 'youtube_watch_history' : null;
}

export async function readYoutubeFile(path: string, nowMs = Date.now()): Promise<ParsedFile> {
  const doc = readJsonDocument(path);
  if (!Array.isArray(doc)) throw new InputFileError(path, 'not a Takeout watch history: the file is no JSON array');
  const rows: PlayRow[] = [];
  let notPlays = 0;
  doc.forEach((e, i) => {
    if (isMusicEntry(e)) rows.push(youtubeRow(e as Record<string, unknown>, i + 1, nowMs));
    else notPlays++;
  });
  return { format: 'youtube_watch_history', records: doc.length, rows, notPlays };
}
