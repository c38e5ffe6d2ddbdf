// The Spotify privacy-export shapes we read, recognised by their keys (never by file name), and the
// SQL that maps each one onto the columns of bronze.listening_history. Personal fields (IP
// addresses, username, user agent) are not in any key list, so they are never even read; platform
// and connection country are dropped too (no table needs them).

export type ExportFormat = 'export_extended' | 'export_extended_legacy' | 'export_account' | 'export_account_podcast';

const EXTENDED_COMMON = [
  'ts', 'ms_played', 'master_metadata_track_name', 'master_metadata_album_artist_name',
  'master_metadata_album_album_name', 'spotify_track_uri', 'episode_name', 'episode_show_name',
  'spotify_episode_uri', 'reason_start', 'reason_end', 'shuffle', 'skipped', 'offline',
  'offline_timestamp', 'incognito_mode',
];
const AUDIOBOOK = ['audiobook_title', 'audiobook_uri', 'audiobook_chapter_uri', 'audiobook_chapter_title'];

/** Keys read from each format (all as text; typing and checks happen in SQL). */
export const FORMAT_KEYS: Record<ExportFormat, string[]> = {
  export_extended: [...EXTENDED_COMMON, ...AUDIOBOOK],
  export_extended_legacy: EXTENDED_COMMON,
  export_account: ['endTime', 'artistName', 'trackName', 'msPlayed'],
  export_account_podcast: ['endTime', 'podcastName', 'episodeName', 'msPlayed'],
};

export function detectFormat(keys: string[]): ExportFormat | null {
  const has = (k: string) => keys.includes(k);
  if (has('ts') && has('ms_played') && (has('master_metadata_track_name') || has('spotify_track_uri'))) {
    return AUDIOBOOK.some(has) ? 'export_extended' : 'export_extended_legacy';
  }
  if (has('endTime') && has('msPlayed')) {
    if (has('trackName') && has('artistName')) return 'export_account';
    if (has('podcastName') && has('episodeName')) return 'export_account_podcast';
  }
  return null;
}

const nullText = (col: string) => `nullif(trim(${col}), '')`;
const bool = (col: string) => `try_cast(${col} as boolean)`;
const nulls = (names: string[]) => names.map((n) => `null::varchar as ${n}`).join(', ');

/** Offline timestamps are epoch seconds in current exports and milliseconds (0 = none) in old ones. */
const OFFLINE_AT = `case when try_cast(offline_timestamp as bigint) is null or try_cast(offline_timestamp as bigint) <= 0 then null
  when try_cast(offline_timestamp as bigint) > 100000000000 then make_timestamp(try_cast(offline_timestamp as bigint) * 1000)
  else make_timestamp(try_cast(offline_timestamp as bigint) * 1000000) end`;

/** SELECT list mapping raw text columns of `format` onto the typed history columns (before checks). */
export function mappingSql(format: ExportFormat): string {
  if (format === 'export_account' || format === 'export_account_podcast') {
    const music = format === 'export_account';
    return `try_strptime(endTime, '%Y-%m-%d %H:%M') as played_at, endTime as played_at_raw,
      try_cast(msPlayed as bigint) as ms_played, msPlayed as ms_played_raw,
      '${music ? 'track' : 'episode'}' as content_type, null::varchar as track_id,
      ${music ? `${nullText('trackName')} as track_name, ${nullText('artistName')} as artist_name` : 'null::varchar as track_name, null::varchar as artist_name'},
      null::varchar as album_name,
      ${music ? 'null::varchar as episode_name, null::varchar as show_name' : `${nullText('episodeName')} as episode_name, ${nullText('podcastName')} as show_name`},
      ${nulls(['episode_uri', 'audiobook_title', 'audiobook_uri', 'audiobook_chapter_title', 'audiobook_chapter_uri', 'reason_start', 'reason_end'])},
      null::boolean as shuffle, null::boolean as skipped, null::boolean as offline, null::timestamp as offline_at, null::boolean as incognito_mode`;
  }
  const audiobook = format === 'export_extended'
    ? `${nullText('audiobook_title')} as audiobook_title, ${nullText('audiobook_uri')} as audiobook_uri, ${nullText('audiobook_chapter_title')} as audiobook_chapter_title, ${nullText('audiobook_chapter_uri')} as audiobook_chapter_uri`
    : nulls(['audiobook_title', 'audiobook_uri', 'audiobook_chapter_title', 'audiobook_chapter_uri']);
  const hasAudiobook = format === 'export_extended' ? 'or audiobook_uri is not null or audiobook_chapter_uri is not null or audiobook_title is not null' : '';
  return `timezone('UTC', try_cast(ts as timestamptz)) as played_at, ts as played_at_raw,
      try_cast(ms_played as bigint) as ms_played, ms_played as ms_played_raw,
      case when spotify_track_uri is not null then 'track'
           when spotify_episode_uri is not null or episode_name is not null then 'episode'
           ${hasAudiobook ? `when false ${hasAudiobook} then 'audiobook'` : ''}
           else 'unknown' end as content_type,
      nullif(regexp_extract(spotify_track_uri, '^spotify:track:([A-Za-z0-9]+)$', 1), '') as track_id,
      ${nullText('master_metadata_track_name')} as track_name, ${nullText('master_metadata_album_artist_name')} as artist_name,
      ${nullText('master_metadata_album_album_name')} as album_name,
      ${nullText('episode_name')} as episode_name, ${nullText('episode_show_name')} as show_name, ${nullText('spotify_episode_uri')} as episode_uri,
      ${audiobook},
      ${nullText('reason_start')} as reason_start, ${nullText('reason_end')} as reason_end,
      ${bool('shuffle')} as shuffle, ${bool('skipped')} as skipped, ${bool('offline')} as offline,
      ${OFFLINE_AT} as offline_at, ${bool('incognito_mode')} as incognito_mode`;
}

/** The key that identifies "the same track" for dedup: id, else URI, else normalised names. */
export const TRACK_KEY_SQL = `coalesce(track_id, episode_uri, audiobook_chapter_uri, audiobook_uri,
  case when content_type = 'episode' then 'episode:' || lower(coalesce(show_name, '')) || '|' || lower(coalesce(episode_name, ''))
       else 'name:' || lower(coalesce(artist_name, '')) || '|' || lower(coalesce(track_name, '')) end)`;
