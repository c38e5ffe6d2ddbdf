// The real recorded Spotify responses in shared data, as the fake server's material: one timeline of
// play-history items (track, played_at, context exactly as recorded) and the recorded audio features.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const RECENTLY_PLAYED_FILES = [
  // 2016: simplified track objects (no album, no popularity), context = artist.
  join('spotify-api', 'JMPerez__spotify-web-api-js', 'recently_played_tracks.json'),
  // 2017: full tracks with 2017-era albums; context null in 6 items, playlist/album otherwise.
  join('spotify-api', 'zmb3__spotify', 'player_recently_played.txt'),
  // 2023: current full track objects; context null in all 50.
  join('spotify-api', 'chekos__spotify-git-scraping', 'f38d6ec', 'recently_played.json'),
];

export const AUDIO_FEATURES_FILES = [
  join('spotify-api', 'JMPerez__spotify-web-api-js', 'tracks_audio_features.json'),
  join('spotify-api', 'JMPerez__spotify-web-api-js', 'track_audio_features.json'),
];

export interface RecordedItem {
  track: { id: string } & Record<string, unknown>;
  played_at: string;
  context: unknown;
}

export interface TimelineEntry {
  item: RecordedItem;
  ms: number;
  file: string;
}

export function loadTimeline(sharedDataDir: string): TimelineEntry[] {
  const out: TimelineEntry[] = [];
  for (const file of RECENTLY_PLAYED_FILES) {
    const body = JSON.parse(readFileSync(join(sharedDataDir, file), 'utf8')) as { items: RecordedItem[] };
    for (const item of body.items) out.push({ item, ms: Date.parse(item.played_at), file });
  }
  return out.sort((a, b) => a.ms - b.ms);
}

export function loadAudioFeatures(sharedDataDir: string): Map<string, Record<string, unknown>> {
  const byId = new Map<string, Record<string, unknown>>();
  for (const file of AUDIO_FEATURES_FILES) {
    const body = JSON.parse(readFileSync(join(sharedDataDir, file), 'utf8')) as Record<string, unknown>;
    const list = Array.isArray(body.audio_features) ? (body.audio_features as Record<string, unknown>[]) : [body];
    for (const f of list) byId.set(String(f.id), f);
  }
  return byId;
}
