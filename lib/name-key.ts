// The documented normalisation used to match tracks by name (account-data exports carry no track id)
// and to key synthetic features of such tracks: lower case, accents stripped, text in (…) or […]
// and anything after " - " removed (versions such as "- Remastered 2011", "(feat. X)"), every run of
// characters other than letters and digits (any script) turned into one space, trimmed. The key is
// "<artist> — <title>" with the main (first) artist.

/** SQL expression normalising one text expression. */
export function normaliseSql(expr: string): string {
  return `trim(regexp_replace(regexp_replace(regexp_replace(strip_accents(lower(coalesce(${expr}, ''))), '\\s+-\\s+.*$', ''), '[\\(\\[][^\\)\\]]*[\\)\\]]', ' ', 'g'), '[^\\p{L}\\p{N}]+', ' ', 'g'))`;
}

/** SQL expression for the name key of a track: "<artist> — <title>", null when both are empty. */
export function nameKeySql(artistExpr: string, titleExpr: string): string {
  const a = normaliseSql(artistExpr);
  const t = normaliseSql(titleExpr);
  return `case when ${a} = '' and ${t} = '' then null else ${a} || ' — ' || ${t} end`;
}

/** The main artist of a Kaggle `artists` field ("A;B;C" → "A"). */
export function kaggleMainArtistSql(expr: string): string {
  return `split_part(${expr}, ';', 1)`;
}
