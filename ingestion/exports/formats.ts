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

/** Every key any format reads: a file's records are read once with these, before its shape is known. */
export const ALL_KEYS: string[] = [...new Set(Object.values(FORMAT_KEYS).flat())];

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

/** detectFormat as SQL over a list of keys (one record's), null when the record has no known shape. */
export function detectFormatSql(keys: string): string {
  const has = (k: string) => `list_contains(${keys}, '${k}')`;
  return `case when ${has('ts')} and ${has('ms_played')} and (${has('master_metadata_track_name')} or ${has('spotify_track_uri')})
      then case when ${AUDIOBOOK.map(has).join(' or ')} then 'export_extended' else 'export_extended_legacy' end
    when ${has('endTime')} and ${has('msPlayed')} and ${has('trackName')} and ${has('artistName')} then 'export_account'
    when ${has('endTime')} and ${has('msPlayed')} and ${has('podcastName')} and ${has('episodeName')} then 'export_account_podcast' end`;
}

const nullText = (col: string) => `nullif(trim(${col}), '')`;
const bool = (col: string) => `try_cast(${col} as boolean)`;
const nulls = (names: string[]) => names.map((n) => `null::varchar as ${n}`).join(', ');

/** Range rules (README "Quarantine rules"): a play lasts 0 to 24 h and ends between 2006 and a day after the import. */
export const MAX_MS_PLAYED = 86_400_000;
export const EARLIEST_PLAYED_AT = '2006-01-01';
/** Offline timestamps: epoch seconds or milliseconds; from 1e14 on (ms after year 5138) it is no timestamp. */
const MAX_OFFLINE = 1e14;
const BOOLEAN_KEYS = ['shuffle', 'skipped', 'offline', 'incognito_mode'];

/** A JSON number written as text (the reader gives every value as text), as a double; null otherwise. */
const number = (col: string) => `case when regexp_full_match(trim(${col}), '-?[0-9]+(\\.[0-9]+)?([eE][+-]?[0-9]+)?') then try_cast(trim(${col}) as double) end`;
const whole = (n: string, max: number) => `(${n} = floor(${n}) and ${n} between 0 and ${max})`;
/** Offline timestamps are epoch seconds in current exports and milliseconds (0 = none) in old ones. */
const offlineAt = (n: string) => `case when not ${whole(n, MAX_OFFLINE - 1)} or ${n} = 0 then null
  when ${n} > 100000000000 then make_timestamp((${n} * 1000)::bigint)
  else make_timestamp((${n} * 1000000)::bigint) end`;

/** SELECT list mapping raw text columns of `format` onto the typed history columns (before checks). */
export function mappingSql(format: ExportFormat): string {
  if (format === 'export_account' || format === 'export_account_podcast') {
    const music = format === 'export_account';
    return `try_strptime(endTime, '%Y-%m-%d %H:%M') as played_at, endTime as played_at_raw,
      ${number('msPlayed')} as ms_played_num, msPlayed as ms_played_raw,
      case when ${whole(number('msPlayed'), MAX_MS_PLAYED)} then ${number('msPlayed')}::bigint end as ms_played,
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
      ${number('ms_played')} as ms_played_num, ms_played as ms_played_raw,
      case when ${whole(number('ms_played'), MAX_MS_PLAYED)} then ${number('ms_played')}::bigint end as ms_played,
      ${number('offline_timestamp')} as offline_num, offline_timestamp as offline_timestamp_raw,
      ${BOOLEAN_KEYS.map((k) => `${k} as ${k}_raw`).join(', ')},
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
      ${offlineAt(`(${number('offline_timestamp')})`)} as offline_at, ${bool('incognito_mode')} as incognito_mode`;
}

export interface RecordCheck {
  /** SQL condition over the mapped columns (and kind, dup_key of the raw table): true = reject. */
  when: string;
  /** Field named in the reject (null when the whole element is to blame). */
  field: string | null;
  /** SQL text expression: why. */
  reason: string;
}

/** Quotes a raw value into a reason, cut so a huge value cannot bloat the quarantine. */
const shown = (col: string) => `'"' || left(coalesce(${col}, 'null'), 100) || '"'`;
const KIND_NAMES = `case when kind is null then 'null' when kind in ('UBIGINT', 'BIGINT', 'DOUBLE') then 'a number'
  when kind = 'VARCHAR' then 'a string' when kind = 'ARRAY' then 'an array' when kind = 'BOOLEAN' then 'a boolean' else lower(kind) end`;

/** The checks a record of `format` must pass, first failing one wins (README "Quarantine rules"). */
export function recordChecks(format: ExportFormat): RecordCheck[] {
  const ts = format.startsWith('export_account') ? 'endTime' : 'ts';
  const ms = format.startsWith('export_account') ? 'msPlayed' : 'ms_played';
  const checks: RecordCheck[] = [
    { when: `kind is distinct from 'OBJECT'`, field: null, reason: `'not a record: the array element is ' || ${KIND_NAMES} || ', not an object'` },
    { when: 'dup_key is not null', field: 'dup_key', reason: `'duplicate key "' || dup_key || '" in one record'` },
    { when: 'played_at_raw is null', field: `'${ts}'`, reason: `'missing timestamp'` },
    { when: 'played_at is null', field: `'${ts}'`, reason: `'unparsable timestamp: ' || ${shown('played_at_raw')}` },
    { when: `played_at < timestamp '${EARLIEST_PLAYED_AT}' or played_at > $now::timestamp + interval 1 day`, field: `'${ts}'`,
      reason: `'timestamp out of range: ' || ${shown('played_at_raw')} || ' (expected ${EARLIEST_PLAYED_AT} to one day after the import)'` },
    { when: 'ms_played_raw is null', field: `'${ms}'`, reason: `'missing play time'` },
    { when: 'ms_played_num is null or ms_played_num <> floor(ms_played_num)', field: `'${ms}'`, reason: `'play time is not a whole number of milliseconds: ' || ${shown('ms_played_raw')}` },
    { when: 'ms_played is null', field: `'${ms}'`, reason: `'play time out of range: ' || ${shown('ms_played_raw')} || ' (expected 0 to ${MAX_MS_PLAYED} ms, 24 h)'` },
  ];
  if (format.startsWith('export_extended')) {
    for (const k of BOOLEAN_KEYS) {
      checks.push({ when: `${k}_raw is not null and ${k}_raw not in ('true', 'false')`, field: `'${k}'`, reason: `'not a boolean: ' || ${shown(`${k}_raw`)}` });
    }
    checks.push({ when: `offline_timestamp_raw is not null and not coalesce(${whole('offline_num', MAX_OFFLINE - 1)}, false)`, field: `'offline_timestamp'`,
      reason: `'offline timestamp is not a whole number from 0 to ${MAX_OFFLINE - 1}: ' || ${shown('offline_timestamp_raw')}` });
  }
  return checks;
}

/** The key that identifies "the same track" for dedup: id, else URI, else normalised names. */
export const TRACK_KEY_SQL = `coalesce(track_id, episode_uri, audiobook_chapter_uri, audiobook_uri,
  case when content_type = 'episode' then 'episode:' || lower(coalesce(show_name, '')) || '|' || lower(coalesce(episode_name, ''))
       else 'name:' || lower(coalesce(artist_name, '')) || '|' || lower(coalesce(track_name, '')) end)`;
