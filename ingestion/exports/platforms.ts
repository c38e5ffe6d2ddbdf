// Recognising and reading the files of the other platforms (Last.fm, Apple Music, YouTube Music) for
// the export import: one place that knows every reader, so discover.ts and ingest.ts stay generic.
import { readAppleFile, recogniseApple } from '../apple-music/source.ts';
import { readLastfmFile, recogniseLastfm } from '../lastfm/source.ts';
import { readYoutubeFile, recogniseYoutubeKeys } from '../youtube-music/source.ts';
import { platformOf, type ParsedFile, type PlatformFormat } from './platform.ts';

/** A platform file from its head: `keys` are the first record's keys when the head is a JSON array. */
export function recognisePlatform(text: string, keys: string[] | 'object' | 'no-records' | 'invalid' | 'undecided'): PlatformFormat | null {
  if (Array.isArray(keys)) return recogniseYoutubeKeys(keys);
  if (keys === 'object') return recogniseLastfm(text);
  if (keys === 'invalid' || keys === 'undecided') return recogniseApple(text) ?? recogniseLastfm(text);
  return null;
}

export async function readPlatformFile(path: string, format: PlatformFormat, nowMs = Date.now()): Promise<ParsedFile> {
  switch (platformOf(format)) {
    case 'lastfm': return readLastfmFile(path, format, nowMs);
    case 'apple_music': return readAppleFile(path, nowMs);
    case 'youtube_music': return readYoutubeFile(path, nowMs);
  }
}
